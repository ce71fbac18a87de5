"""Inline HTML <-> plain text plus :class:`Span` records, in one canonical form.

``extract`` reads a run of parsed nodes (text and inline elements); ``render`` writes text and
spans back as HTML. The canonical form that ``render`` writes is what translation memory is keyed
on: whitespace collapsed as a browser would, spans trimmed to their visible text, attributes in
source order, text escaped.

Kept inline tags: a, b, strong, i, em, u, q, sub, sup, code, span, and the void elements br and
img. Other inline elements (small, mark, abbr, font, unknown tags, ...) are dropped to their text.
An inline element with no visible text (``<b> </b>``, ``<a><img></a>``) is dropped; an image
inside it is kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from warta.text.records import Span

KEPT_TAGS = frozenset({"a", "b", "strong", "i", "em", "u", "q", "sub", "sup", "code", "span"})
VOID_TAGS = frozenset({"br", "img"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "col",
        "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "legend", "li", "main", "menu", "nav", "ol", "p", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Kept verbatim where they stand between blocks, never translated; dropped inside a sentence.
OPAQUE_TAGS = frozenset(
    {
        "area", "audio", "base", "button", "canvas", "embed", "frameset", "head", "iframe",
        "input", "link", "map", "math", "meta", "noscript", "object", "param", "picture", "pre",
        "script", "select", "source", "style", "svg", "template", "textarea", "title", "track",
        "video", "wbr",
    }
)  # fmt: skip
# Inline elements dropped to their text (any unknown tag is treated the same way).
DROPPED_TAGS = frozenset(
    {
        "abbr", "acronym", "bdi", "bdo", "big", "cite", "data", "del", "dfn", "font", "ins", "kbd",
        "label", "mark", "nobr", "s", "samp", "small", "strike", "time", "tt", "var",
    }
)  # fmt: skip
HTML_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
     "track", "wbr"}
)  # fmt: skip

TEXT_NODE = "-text"
COMMENT_NODE = "-comment"

WHITESPACE = " \t\n\r\f"  # HTML's whitespace: the only characters a browser collapses
_BR = "\x00"  # stands for <br> while collapsing whitespace; the parser never leaves NUL in text
_ATTR_NAME = re.compile(r"[^\s\"'>/=\x00-\x1f\x7f]+")


def is_visible(text: str) -> bool:
    """True if ``text`` has a character other than HTML whitespace and line breaks."""
    return any(ch not in WHITESPACE for ch in text)


def attributes(node: LexborNode) -> tuple[tuple[str, str], ...]:
    """A node's attributes in source order; valueless ones as ``""``; unusable names dropped."""
    return tuple(
        (name, value or "") for name, value in node.attributes.items() if _ATTR_NAME.fullmatch(name)
    )


@dataclass(slots=True)
class _Open:
    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _Raw:
    """Text as found in the nodes, before whitespace is collapsed."""

    chunks: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[_Open] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.chunks.append(text)
        self.length += len(text)


def extract(nodes: Iterable[LexborNode]) -> tuple[str, tuple[Span, ...]]:
    """Plain text and spans of a run of inline nodes, in canonical form."""
    raw = _Raw()
    for node in nodes:
        _visit(node, raw)
    text, positions = _collapse("".join(raw.chunks))
    spans: list[Span] = []
    for found in raw.spans:
        span = _canonical(
            text, positions[found.start], positions[found.end], found.tag, found.attrs
        )
        if span is not None:
            spans.append(span)
    return text, canonical_order(spans)


def canonical_order(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Spans in the order :func:`render` opens them: by start; at one offset, void elements
    first, then the longest span; otherwise as given."""
    return tuple(spans[k] for k in _opening_order(spans))


def _opening_order(spans: Sequence[Span]) -> list[int]:
    return sorted(
        range(len(spans)),
        key=lambda k: (
            (spans[k].start, 0, 0, k)
            if spans[k].tag in VOID_TAGS
            else (spans[k].start, 1, -spans[k].end, k)
        ),
    )


def _visit(node: LexborNode, raw: _Raw) -> None:
    tag = node.tag
    if tag == TEXT_NODE:
        raw.add((node.text_content or "").replace(_BR, ""))
        return
    if tag is None or tag == COMMENT_NODE or tag in OPAQUE_TAGS:
        return
    if tag in VOID_TAGS:
        start = raw.length
        if tag == "br":
            raw.add(_BR)
        raw.spans.append(_Open(start, raw.length, tag, attributes(node)))
        return
    record: _Open | None = None
    if tag in KEPT_TAGS:
        record = _Open(raw.length, raw.length, tag, attributes(node))
        raw.spans.append(record)  # appended before its children: document order, outer first
    if tag in BLOCK_TAGS:
        raw.add(" ")  # a block inside an inline element: keep its words apart
    for child in node.iter(include_text=True):
        _visit(child, raw)
    if tag in BLOCK_TAGS:
        raw.add(" ")
    if record is not None:
        record.end = raw.length


def _collapse(raw: str) -> tuple[str, list[int]]:
    """Collapse whitespace as a browser does; map every raw offset to an offset in the result.

    Runs of whitespace become one space; spaces next to a line break and at either end go.
    """
    out: list[str] = []
    positions = [0] * (len(raw) + 1)
    for i, ch in enumerate(raw):
        positions[i] = len(out)
        if ch in WHITESPACE:
            if out and out[-1] not in (" ", _BR):
                out.append(" ")
        elif ch == _BR:
            if out and out[-1] == " ":
                _pop(out, positions, i)
            if out:
                out.append(_BR)
        else:
            out.append(ch)
    positions[len(raw)] = len(out)
    while out and out[-1] in (" ", _BR):
        _pop(out, positions, len(raw))
    return "".join(out).replace(_BR, "\n"), positions


def _pop(out: list[str], positions: list[int], upto: int) -> None:
    """Drop the last output character; raw offsets up to ``upto`` that pointed past it move back."""
    out.pop()
    while upto >= 0 and positions[upto] > len(out):
        positions[upto] = len(out)
        upto -= 1


def _canonical(
    text: str, start: int, end: int, tag: str, attrs: tuple[tuple[str, str], ...]
) -> Span | None:
    if tag == "br":
        return Span(start, end, tag, attrs) if text[start:end] == "\n" else None
    if tag in VOID_TAGS:
        return Span(start, start, tag, attrs)
    while start < end and text[start] in " \n":  # spaces and line breaks move out of elements
        start += 1
    while end > start and text[end - 1] in " \n":
        end -= 1
    return Span(start, end, tag, attrs) if is_visible(text[start:end]) else None


def clip(
    text: str, spans: Sequence[Span], *, start: int, end: int, owns_until: int
) -> tuple[Span, ...]:
    """The spans of ``text[start:end]``, shifted to start at 0.

    A zero-width span at ``p`` (an image) belongs to this piece when ``start <= p < owns_until``,
    so that each one lands in exactly one of consecutive pieces.
    """
    piece: list[Span] = []
    for span in spans:
        if span.tag in VOID_TAGS and span.start == span.end:
            if start <= span.start < owns_until:
                at = min(max(span.start, start), end) - start
                piece.append(Span(at, at, span.tag, span.attrs))
        elif span.tag == "br":
            if start <= span.start and span.end <= end:
                piece.append(Span(span.start - start, span.end - start, span.tag, span.attrs))
        else:
            clipped = _canonical(
                text, max(span.start, start), min(span.end, end), span.tag, span.attrs
            )
            if clipped is not None and clipped.start < clipped.end:
                piece.append(Span(clipped.start - start, clipped.end - start, span.tag, span.attrs))
    return canonical_order(piece)


def start_tag(tag: str, attrs: Iterable[tuple[str, str]]) -> str:
    rendered = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"


def render(text: str, spans: Sequence[Span]) -> str:
    """Well-formed HTML for ``text`` with ``spans``, whatever the spans.

    Spans are opened in :func:`canonical_order` and closed innermost first. A
    span that would cross the one it opens inside is cut at that one's end; a non-void span left
    with no text is dropped: the result always nests properly and has no empty element.
    """
    order = _opening_order(spans)
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, tag) of open elements
    pos = 0

    def advance(to: int) -> None:
        nonlocal pos
        while True:
            while stack and stack[-1][0] <= pos:
                out.append(f"</{stack.pop()[1]}>")
            if pos >= to:
                return
            step = min(to, stack[-1][0]) if stack else to
            out.append(html.escape(text[pos:step], quote=False))
            pos = step

    for k in order:
        span = spans[k]
        begin = min(max(span.start, pos), len(text))
        advance(begin)
        limit = stack[-1][0] if stack else len(text)
        finish = min(span.end, limit)
        if span.tag in VOID_TAGS:
            out.append(start_tag(span.tag, span.attrs))
            pos = max(pos, finish)
        elif finish > begin:
            out.append(start_tag(span.tag, span.attrs))
            stack.append((finish, span.tag))
    advance(len(text))
    return "".join(out)
