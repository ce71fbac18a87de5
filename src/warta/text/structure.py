"""An article body as block elements with text, and a skeleton to put translated blocks back into.

The body is parsed with selectolax's lexbor engine (the HTML5 algorithm browsers use, so any input
reads as a browser would read it). Each element is one of:

* a block (p, h1-h6, li, blockquote, figure, figcaption, div, table cells, ...): walked into;
* opaque (pre, script, style, iframe, video, svg, form controls, ...): kept verbatim, never
  translated;
* inline (text, a, b, span, img, unknown tags, ...): consecutive inline nodes form a *run*. A run
  with visible text becomes one translatable block; a run without (whitespace, a lone image) is
  kept verbatim.

The skeleton is the body re-serialised with each translatable run replaced by
``<!--warta:block:N-->`` (N its block index) and each opaque element by ``<!--warta:keep:N-->``
(N its index in ``kept``), so nothing from the source can be mistaken for a marker. Source
comments are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from warta.domain import BlockKind
from warta.errors import MarkupError
from warta.text.inline import (
    BLOCK_TAGS,
    COMMENT_NODE,
    DROPPED_TAGS,
    HTML_VOID_TAGS,
    KEPT_TAGS,
    OPAQUE_TAGS,
    TEXT_NODE,
    VOID_TAGS,
    WHITESPACE,
    attributes,
    extract,
    is_visible,
    start_tag,
)
from warta.text.records import Span

_MARKER = re.compile(r"<!--warta:(block|keep):(\d+)-->")
_KNOWN_TAGS = "|".join(
    sorted(KEPT_TAGS | VOID_TAGS | DROPPED_TAGS | BLOCK_TAGS, key=len, reverse=True)
)
_LOOKS_LIKE_HTML = re.compile(
    rf"</?(?i:{_KNOWN_TAGS})(?:[\s/][^<>]*)?>|&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z]+);"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(f"[{WHITESPACE}]+")
_SUBHEADS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(frozen=True, slots=True)
class RawBlock:
    kind: BlockKind
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Body:
    skeleton: str
    kept: tuple[str, ...]  # opaque elements, verbatim
    blocks: tuple[RawBlock, ...]  # block i has marker number first_index + i


def read_body(body_html: str, *, first_index: int) -> Body:
    """Blocks and skeleton of ``body_html``; raises MarkupError if it cannot be read."""
    root = _parse(body_html).body
    if root is None:
        raise MarkupError(
            "the body has no <body> content (a frameset?)",
            hint="send the article's HTML fragment, not a frameset document",
        )
    walker = _Walker(first_index=first_index)
    try:
        walker.children(root, BlockKind.PARAGRAPH)
    except RecursionError:
        raise MarkupError(
            "the body's HTML is nested too deeply to read",
            hint="flatten the markup: article HTML rarely nests more than a few dozen levels",
        ) from None
    return Body(skeleton="".join(walker.out), kept=tuple(walker.kept), blocks=tuple(walker.blocks))


def fill(skeleton: str, *, kept: Sequence[str], blocks: Callable[[int], str]) -> str:
    """The skeleton with every marker replaced: ``blocks(N)`` for block N, ``kept[N]``."""

    def one(match: re.Match[str]) -> str:
        number = int(match[2])
        if match[1] == "block":
            return blocks(number)
        return kept[number] if number < len(kept) else ""

    return _MARKER.sub(one, skeleton)


def read_inline(value: str) -> tuple[str, tuple[Span, ...], bool]:
    """Text and spans of a title or lead; the flag says whether it came as HTML.

    A value with an HTML tag (a, b, i, em, span, br, p, ...) or a character reference in it is read
    as inline HTML; anything else is plain text (so "A & B", "x < y" and "Film <Dilan>" are taken
    literally).
    """
    if _LOOKS_LIKE_HTML.search(value):
        root = _parse(value).body
        if root is not None:
            try:
                text, spans = extract(list(root.iter(include_text=True)))
            except RecursionError:
                raise MarkupError(
                    "the title or lead's HTML is nested too deeply to read",
                    hint="send the title and lead as plain text",
                ) from None
            return text, spans, True
    return _SPACES.sub(" ", _CONTROL.sub("", value)).strip(WHITESPACE), (), False


def plain_of(fragment: str) -> str:
    """Visible text of an HTML fragment, blocks separated by blank lines."""
    root = _parse(fragment).body
    if root is None:
        return ""
    walker = _Walker(first_index=0)
    try:
        walker.children(root, BlockKind.PARAGRAPH)
    except RecursionError:
        raise MarkupError(
            "the HTML is nested too deeply to read", hint="flatten the markup"
        ) from None
    return "\n\n".join(block.text for block in walker.blocks)


def _parse(markup: str) -> LexborHTMLParser:
    try:
        return LexborHTMLParser(_CONTROL.sub("", markup))
    except (ValueError, TypeError, UnicodeError, RuntimeError) as err:
        raise MarkupError(f"the HTML cannot be parsed: {err}", reason=str(err)) from err


def _kind_for(tag: str, outer: BlockKind) -> BlockKind:
    if tag in _SUBHEADS:
        return BlockKind.SUBHEAD
    if tag in ("li", "dt", "dd"):
        return BlockKind.LIST_ITEM
    if tag == "blockquote":
        return BlockKind.BLOCKQUOTE
    if tag in ("figcaption", "caption"):
        return BlockKind.CAPTION
    if tag == "p" and outer not in (BlockKind.BLOCKQUOTE, BlockKind.CAPTION, BlockKind.LIST_ITEM):
        return BlockKind.PARAGRAPH
    return outer


@dataclass(slots=True)
class _Walker:
    first_index: int
    out: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)

    def children(self, node: LexborNode, kind: BlockKind) -> None:
        run: list[LexborNode] = []
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag is None or tag == COMMENT_NODE:
                continue
            if tag in BLOCK_TAGS or tag in OPAQUE_TAGS:
                self.flush(run, kind)
                run = []
                if tag in OPAQUE_TAGS:
                    self.keep(child)
                else:
                    self.element(child, kind)
            else:
                run.append(child)
        self.flush(run, kind)

    def element(self, node: LexborNode, kind: BlockKind) -> None:
        tag = node.tag or ""
        self.out.append(start_tag(tag, attributes(node)))
        if tag in HTML_VOID_TAGS:
            return
        self.children(node, _kind_for(tag, kind))
        self.out.append(f"</{tag}>")

    def keep(self, node: LexborNode) -> None:
        self.out.append(f"<!--warta:keep:{len(self.kept)}-->")
        self.kept.append(node.html or "")

    def flush(self, run: list[LexborNode], kind: BlockKind) -> None:
        if not run:
            return
        text, spans = extract(run)
        if is_visible(text):
            self.out.append(f"<!--warta:block:{self.first_index + len(self.blocks)}-->")
            self.blocks.append(RawBlock(kind=kind, text=text, spans=spans))
            return
        for node in run:
            self.verbatim(node)

    def verbatim(self, node: LexborNode) -> None:
        """Re-serialise an inline node that has no text to translate."""
        tag = node.tag
        if tag == TEXT_NODE:
            self.out.append(html.escape(node.text_content or "", quote=False))
        elif tag is None or tag == COMMENT_NODE:
            return
        elif tag in OPAQUE_TAGS:
            self.keep(node)
        else:
            self.out.append(start_tag(tag, attributes(node)))
            if tag in HTML_VOID_TAGS:
                return
            for child in node.iter(include_text=True):
                self.verbatim(child)
            self.out.append(f"</{tag}>")
