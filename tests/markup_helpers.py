"""Helpers for asserting that markup survived translation."""

from __future__ import annotations

from collections import Counter

from selectolax.lexbor import LexborHTMLParser

INLINE = ("a", "b", "strong", "i", "em", "u", "q", "code", "sub", "sup")
BLOCKS = ("p", "h2", "h3", "li", "ul", "ol", "blockquote", "figure", "figcaption", "img")


def inline_markup(html: str) -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
    """Multiset of (tag, attributes) of inline elements that wrap text."""
    tree = LexborHTMLParser(f"<div>{html}</div>")
    found: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
    for tag in INLINE:
        for node in tree.css(tag):
            attrs = tuple(sorted((k, v or "") for k, v in node.attributes.items() if k != "rel"))
            found[(tag, attrs)] += 1
            assert node.text(strip=True), f"empty <{tag}> in {html!r}"
    return found


def block_structure(html: str) -> list[str]:
    tree = LexborHTMLParser(f"<div>{html}</div>")
    body = tree.body
    assert body is not None
    return [n.tag for n in body.traverse() if n.tag in BLOCKS]
