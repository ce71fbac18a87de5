"""A whole article: :func:`analyse` cuts it into blocks and sentences, :func:`assemble` puts a
translation back together in the same shape.

Title and lead: plain text in, plain text out. A title or lead that comes with markup (a tag or a
character reference) is read as inline HTML, and its translation is returned as inline HTML with
the same tags: "same shape as the source" holds for both.

Datelines ("JAKARTA -", "Jakarta, CNN Indonesia --") are looked for at the start of the headline
(IndoSum-style sources put the first sentence, dateline included, in the title) and of the first
block after it when that is the lead or a paragraph. A dateline is a segment of its own with
``translate=False``.
"""

from __future__ import annotations

from collections.abc import Sequence

from warta.domain import BlockKind, EditionContent
from warta.errors import EmptyArticleError, FieldError
from warta.languages import Lang
from warta.text.inline import clip, is_visible, render
from warta.text.model_io import NO_SPACE_LANGS
from warta.text.records import SourceBlock, SourceDocument, SourceSegment
from warta.text.sentences import dateline_end, split
from warta.text.structure import RawBlock, fill, plain_of, read_body, read_inline

_UNSPLITTABLE = frozenset({"a", "code"})  # no sentence boundary inside a link or inline code


def analyse(*, title: str, lead: str, body_html: str) -> SourceDocument:
    """Blocks, sentences and skeleton of an article.

    Raises EmptyArticleError when there is no text at all, MarkupError when the body's HTML cannot
    be read.
    """
    raws: list[RawBlock] = []
    title_text, title_spans, title_is_html = read_inline(title)
    if is_visible(title_text):
        raws.append(RawBlock(BlockKind.HEADLINE, title_text, title_spans))
    lead_text, lead_spans, lead_is_html = read_inline(lead)
    if is_visible(lead_text):
        raws.append(RawBlock(BlockKind.LEAD, lead_text, lead_spans))
    body = read_body(body_html, first_index=len(raws))
    raws += body.blocks
    datelines = _dateline_blocks(raws)
    blocks: list[SourceBlock] = []
    segments: list[SourceSegment] = []
    for index, raw in enumerate(raws):
        blocks.append(SourceBlock(index=index, kind=raw.kind, html=render(raw.text, raw.spans)))
        for lo, hi, owns, translate in _sentences(raw, dateline=index in datelines):
            spans = clip(raw.text, raw.spans, start=lo, end=hi, owns_until=owns)
            text = raw.text[lo:hi]
            segments.append(
                SourceSegment(
                    index=len(segments),
                    block=index,
                    html=render(text, spans),
                    text=text,
                    spans=spans,
                    translate=translate,
                )
            )
    if not segments:
        raise EmptyArticleError("the article has no text: title, lead and body are all empty")
    return SourceDocument(
        blocks=tuple(blocks),
        segments=tuple(segments),
        skeleton=body.skeleton,
        kept=body.kept,
        title_is_html=title_is_html,
        lead_is_html=lead_is_html,
    )


def _dateline_blocks(raws: Sequence[RawBlock]) -> set[int]:
    """The headline, and the block after it when that is the lead or a paragraph."""
    found: set[int] = set()
    first = 0
    if raws and raws[0].kind is BlockKind.HEADLINE:
        found.add(0)
        first = 1
    if first < len(raws) and raws[first].kind in (BlockKind.LEAD, BlockKind.PARAGRAPH):
        found.add(first)
    return found


def _sentences(raw: RawBlock, *, dateline: bool) -> list[tuple[int, int, int, bool]]:
    """(start, end, owns_until, translate) of each segment of a block."""
    text = raw.text
    pieces: list[tuple[int, int, bool]] = []
    begin = 0
    end = dateline_end(text) if dateline else None
    if end is not None:
        pieces.append((0, end, False))
        begin = end
    keep = [
        (s.start - begin, s.end - begin)
        for s in raw.spans
        if s.tag in _UNSPLITTABLE and s.end > begin
    ]
    pieces += [(begin + lo, begin + hi, True) for lo, hi in split(text[begin:], keep_together=keep)]
    return [
        (lo, hi, pieces[k + 1][0] if k + 1 < len(pieces) else len(text) + 1, translate)
        for k, (lo, hi, translate) in enumerate(pieces)
    ]


def assemble(
    document: SourceDocument, segment_html: Sequence[str], *, target: Lang
) -> EditionContent:
    """The translated article in the source's shape.

    ``segment_html[i]`` is the translated inline HTML of ``document.segments[i]`` (a verbatim
    segment's own html). A block's segments are joined with a space (Chinese, Japanese: nothing).
    """
    if len(segment_html) != len(document.segments):
        raise FieldError(
            f"assemble() got {len(segment_html)} translated segments for "
            f"{len(document.segments)} source segments",
            hint="pass one translated HTML string per segment of the document, in order",
            expected=len(document.segments),
            got=len(segment_html),
        )
    joiner = "" if target in NO_SPACE_LANGS else " "
    per_block: dict[int, list[str]] = {}
    for segment, html in zip(document.segments, segment_html, strict=True):
        per_block.setdefault(segment.block, []).append(html)
    contents = {block: joiner.join(parts) for block, parts in per_block.items()}
    title = lead = ""
    for block in document.blocks:
        content = contents.get(block.index, "")
        if block.kind is BlockKind.HEADLINE:
            title = content if document.title_is_html else plain_of(content)
        elif block.kind is BlockKind.LEAD:
            lead = content if document.lead_is_html else plain_of(content)
    body = fill(document.skeleton, kept=document.kept, blocks=lambda n: contents.get(n, ""))
    return EditionContent(title=title, lead=lead, body_html=body)


def plain_text(html: str) -> str:
    """The visible text of inline or block HTML; blocks separated by a blank line."""
    return plain_of(html)
