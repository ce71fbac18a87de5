"""What the engine sees of a sentence and what becomes of its output.

``model_text`` is the sentence's plain text with each protected item replaced by its placeholder,
line breaks as spaces, no tags. ``finish`` restores the items (:mod:`warta.text.restore`), carries
the markup over (:mod:`warta.text.project`) and renders well-formed inline HTML.
"""

from __future__ import annotations

from warta.domain import Glossary
from warta.engines.base import Hypothesis
from warta.errors import FieldError
from warta.languages import Lang
from warta.text.inline import VOID_TAGS, render
from warta.text.project import Target, project
from warta.text.protect import find_items, placeholder
from warta.text.records import (
    FinishedSegment,
    ModelSpan,
    PreparedSegment,
    Protected,
    SourceSegment,
    Span,
)
from warta.text.restore import restore

NO_SPACE_LANGS = frozenset({Lang.ZH, Lang.JA})


def prepare(segment: SourceSegment, *, target: Lang, glossary: Glossary) -> PreparedSegment:
    """The sentence as the engine must see it: plain text, placeholders for protected items."""
    items = find_items(segment.text, glossary=glossary, target=target)
    model_text, starts, ends, item_ranges = _model_text(segment.text, items)
    spans = tuple(
        ModelSpan(starts[s.start], starts[s.start], s)
        if s.tag in VOID_TAGS
        else ModelSpan(starts[s.start], ends[s.end], s)
        for s in segment.spans
    )
    return PreparedSegment(
        segment=segment,
        target=target,
        model_text=model_text,
        items=items,
        item_ranges=item_ranges,
        spans=spans,
    )


def finish(prepared: PreparedSegment, hypothesis: Hypothesis, *, target: Lang) -> FinishedSegment:
    """The translation as inline HTML: items restored, markup carried over, flags for doubts."""
    if target is not prepared.target:
        raise FieldError(
            f"finish() for {target.value} got a segment prepared for {prepared.target.value}",
            hint="call finish() with the target the segment was prepared for",
            target=target.value,
            prepared_for=prepared.target.value,
        )
    cjk = target in NO_SPACE_LANGS
    restored = restore(prepared, hypothesis.text, hypothesis.alignment or (), spaced=not cjk)
    flags = list(restored.flags)
    placed = project(
        prepared.spans,
        Target(
            text=restored.text,
            tokens=restored.tokens,
            anchors=restored.anchors,
            atoms=restored.atoms,
            source_text=prepared.model_text,
        ),
        cjk=cjk,
    )
    if any(s.span.tag not in VOID_TAGS for s in prepared.spans) and not restored.text.strip():
        flags.append("markup_lost")
    text, spans = _place_voids(restored.text, placed, prepared)
    return FinishedSegment(html=render(text, spans), text=text, flags=tuple(flags))


def _model_text(
    text: str, items: tuple[Protected, ...]
) -> tuple[str, list[int], list[int], tuple[tuple[int, int], ...]]:
    """Model text, offset maps for span starts and ends, and each item's placeholder range."""
    out: list[str] = []
    length = 0
    starts = [0] * (len(text) + 1)
    ends = [0] * (len(text) + 1)
    ranges: list[tuple[int, int]] = []
    by_start = {item.start: item for item in items}
    i = 0
    while i < len(text):
        item = by_start.get(i)
        if item is None:
            starts[i] = ends[i] = length
            out.append(" " if text[i] in "\n\xa0" else text[i])
            length += 1
            i += 1
            continue
        mark = placeholder(item.index)
        ranges.append((length, length + len(mark)))
        for inside in range(item.start, item.end):
            starts[inside], ends[inside] = length, length + len(mark)
        ends[item.start] = length
        out.append(mark)
        length += len(mark)
        i = item.end
    starts[len(text)] = ends[len(text)] = length
    model_text = "".join(out).rstrip()
    clamp = len(model_text)
    return (
        model_text,
        [min(p, clamp) for p in starts],
        [min(p, clamp) for p in ends],
        tuple(ranges),
    )


def _place_voids(
    text: str, placed: list[Span | None], prepared: PreparedSegment
) -> tuple[str, list[Span]]:
    """Give each ``<br>`` the ``"\n"`` it stands for, in the target's whitespace.

    Void elements that stood together in the source (only whitespace between them) are placed
    together, in source order, in the whitespace at the first one's target point; line breaks
    replace that whitespace, as in the canonical source form.
    """
    spans = list(placed)
    groups: list[list[int]] = []
    for k, model_span in enumerate(prepared.spans):
        if model_span.span.tag not in VOID_TAGS or spans[k] is None:
            continue
        if groups:
            last = prepared.spans[groups[-1][-1]].start
            if not prepared.model_text[last : model_span.start].strip():
                groups[-1].append(k)
                continue
        groups.append([k])
    anchored = []
    for group in groups:
        first = spans[group[0]]
        assert first is not None  # noqa: S101 -- groups hold placed spans only
        anchored.append((first.start, group))
    for point, group in sorted(anchored, key=lambda g: g[0], reverse=True):
        if not any(prepared.spans[k].span.tag == "br" for k in group):
            continue
        lo = hi = point
        while lo > 0 and text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and text[hi].isspace():
            hi += 1
        breaks = 0
        members = set(group)
        for k in group:
            tag, attrs = prepared.spans[k].span.tag, prepared.spans[k].span.attrs
            width = 1 if tag == "br" else 0
            spans[k] = Span(lo + breaks, lo + breaks + width, tag, attrs)
            breaks += width
        text = text[:lo] + "\n" * breaks + text[hi:]
        delta = breaks - (hi - lo)
        for k, span in enumerate(spans):
            if span is not None and k not in members:
                spans[k] = Span(
                    _moved(span.start, lo, hi, delta),
                    _moved(span.end, lo, hi, delta) if span.end > lo else span.end,
                    span.tag,
                    span.attrs,
                )
    return text, [s for s in spans if s is not None]


def _moved(offset: int, lo: int, hi: int, delta: int) -> int:
    """``offset`` after text[lo:hi] is replaced by ``hi - lo + delta`` characters."""
    if offset <= lo:
        return offset
    if offset >= hi:
        return offset + delta
    return hi + delta
