"""Carry inline markup from a source sentence onto its translation.

Each source span covers a range of ``model_text``; the translation is cut into *units* (words and
single punctuation marks; in Chinese and Japanese, single characters, with runs of Latin letters
or digits kept whole; a restored protected item is always one unit). A span covers the units of the
target tokens aligned into its source range: the largest cluster of them (units at most one apart),
so one stray alignment cannot stretch a link over the sentence. With no alignment at all, or none
into the span, the span goes to the same relative position in the target (and always over any
protected item it wraps).

The projected spans are then made to nest as the source's did: a child is cut to its parent,
siblings are cut so as not to overlap, and a span left with no room shares its sibling's range (it
nests, rather than vanish). Every non-void span covers at least one unit, so the result has the
same tags and attributes as the source, properly nested, none empty. ``<img>`` and ``<br>`` are
points: at the word aligned next to them, else at the same relative position.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from warta.engines.base import AlignedToken
from warta.text.inline import VOID_TAGS
from warta.text.records import ModelSpan, Span

_SPACED_UNIT = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*|\S")
_CJK_UNIT = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*|\S")


@dataclass(frozen=True, slots=True)
class Target:
    """The restored translation and what is known about where its words came from."""

    text: str
    tokens: tuple[AlignedToken, ...]  # the model's alignment (may be empty)
    anchors: tuple[AlignedToken, ...]  # restored protected items <- their placeholders
    atoms: tuple[tuple[int, int], ...]  # restored protected items: never cut
    source_text: str  # the model text the alignment's source offsets point into


def units(text: str, *, cjk: bool, atoms: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The units of ``text`` as (start, end) ranges; each atom is one unit."""
    pattern = _CJK_UNIT if cjk else _SPACED_UNIT
    found = [(m.start(), m.end()) for m in pattern.finditer(text)]
    for lo, hi in sorted(atoms):
        inside = [u for u in found if u[0] < hi and u[1] > lo]
        if not inside:
            continue
        merged = (min(lo, inside[0][0]), max(hi, inside[-1][1]))
        found = [u for u in found if not (u[0] < merged[1] and u[1] > merged[0])]
        found.append(merged)
        found.sort()
    return found


def project(spans: Sequence[ModelSpan], target: Target, *, cjk: bool) -> list[Span | None]:
    """Each span placed on ``target.text`` (None: no text to hold it), laminar; voids as points."""
    cut = units(target.text, cjk=cjk, atoms=target.atoms)
    placed: list[Span | None] = [None] * len(spans)
    if cut:
        desired = [None if s.span.tag in VOID_TAGS else _desired(s, target, cut) for s in spans]
        parents = _parents(spans)
        ranges: dict[int, tuple[int, int]] = {}
        _assign(None, (0, len(cut)), desired, parents, ranges)
        for k, (lo, hi) in ranges.items():
            span = spans[k].span
            placed[k] = Span(cut[lo][0], cut[hi - 1][1], span.tag, span.attrs)
    for k, model_span in enumerate(spans):
        span = model_span.span
        if span.tag in VOID_TAGS:
            at = _point(model_span.start, target, cut)
            placed[k] = Span(at, at, span.tag, span.attrs)
    return placed


def _desired(span: ModelSpan, target: Target, cut: list[tuple[int, int]]) -> tuple[int, int]:
    lo, hi = span.start, span.end
    aligned = [t for t in target.tokens if _into(t, lo, hi)]
    anchors = [a for a in target.anchors if lo <= a.source_start and a.source_end <= hi]
    if aligned:
        return _trim(_cluster(_units_of([*aligned, *anchors], cut)), target, cut, lo, hi)
    words = target.source_text[lo:hi]
    covered = sum(a.source_end - a.source_start for a in anchors)
    if anchors and covered >= len(words.strip()):
        return _cluster(_units_of(anchors, cut))  # the span wraps protected items only
    proportional = _trim(_proportional(lo, hi, target, cut), target, cut, lo, hi)
    if not anchors:
        return proportional
    inside = _units_of(anchors, cut)
    return min(proportional[0], min(inside)), max(proportional[1], max(inside) + 1)


def _trim(
    units_range: tuple[int, int], target: Target, cut: list[tuple[int, int]], lo: int, hi: int
) -> tuple[int, int]:
    """Drop punctuation at the edges of a projected span whose source edge is a word character."""
    first, last = units_range
    words = target.source_text[lo:hi].strip()
    if not words:
        return units_range

    def punctuation(k: int) -> bool:
        return not any(ch.isalnum() for ch in target.text[cut[k][0] : cut[k][1]])

    if words[0].isalnum():
        while last - first > 1 and punctuation(first):
            first += 1
    if words[-1].isalnum():
        while last - first > 1 and punctuation(last - 1):
            last -= 1
    return first, last


def _into(token: AlignedToken, lo: int, hi: int) -> bool:
    if token.source_start == token.source_end:
        return lo <= token.source_start < hi
    return token.source_start < hi and token.source_end > lo


def _units_of(tokens: Sequence[AlignedToken], cut: list[tuple[int, int]]) -> list[int]:
    return sorted(
        {
            k
            for t in tokens
            for k, (u_lo, u_hi) in enumerate(cut)
            if u_lo < t.target_end and u_hi > t.target_start
        }
    )


def _cluster(indices: list[int]) -> tuple[int, int]:
    """The run of unit indices (gaps of at most one unit) holding the most of them."""
    if not indices:
        return 0, 1
    runs: list[list[int]] = [[indices[0]]]
    for k in indices[1:]:
        if k - runs[-1][-1] <= 2:
            runs[-1].append(k)
        else:
            runs.append([k])
    best = max(runs, key=len)
    return best[0], best[-1] + 1


def _proportional(lo: int, hi: int, target: Target, cut: list[tuple[int, int]]) -> tuple[int, int]:
    t_lo, t_hi = _scaled(lo, target), _scaled(hi, target)
    inside = [k for k, (u_lo, u_hi) in enumerate(cut) if t_lo <= (u_lo + u_hi) / 2 < t_hi]
    if inside:
        return inside[0], inside[-1] + 1
    middle = (t_lo + t_hi) / 2
    nearest = min(range(len(cut)), key=lambda k: abs((cut[k][0] + cut[k][1]) / 2 - middle))
    return nearest, nearest + 1


def _scaled(at: int, target: Target) -> float:
    """``at`` in the model text mapped linearly onto the target, the protected items held fixed."""
    knots = [(0, 0)]
    for a in sorted(target.anchors, key=lambda a: a.source_start):
        if a.source_start >= knots[-1][0] and a.target_start >= knots[-1][1]:
            knots += [(a.source_start, a.target_start), (a.source_end, a.target_end)]
    knots.append((max(len(target.source_text), knots[-1][0]), max(len(target.text), knots[-1][1])))
    for (s_lo, t_lo), (s_hi, t_hi) in itertools.pairwise(knots):
        if s_lo <= at <= s_hi:
            return t_lo if s_hi == s_lo else t_lo + (at - s_lo) * (t_hi - t_lo) / (s_hi - s_lo)
    return float(len(target.text))


def _parents(spans: Sequence[ModelSpan]) -> list[int | None]:
    """Each non-void span's innermost enclosing span in the source (by source offsets)."""
    parents: list[int | None] = []
    for k, child in enumerate(spans):
        parent = None
        for j in range(k - 1, -1, -1):
            outer = spans[j].span
            if outer.tag in VOID_TAGS:
                continue
            if outer.start <= child.span.start and child.span.end <= outer.end:
                parent = j
                break
        parents.append(parent)
    return parents


def _assign(
    node: int | None,
    room: tuple[int, int],
    desired: list[tuple[int, int] | None],
    parents: list[int | None],
    ranges: dict[int, tuple[int, int]],
) -> None:
    children = [k for k, p in enumerate(parents) if p == node and desired[k] is not None]
    wanted: list[tuple[int, int, int]] = []
    for k in children:
        d = desired[k]
        assert d is not None  # noqa: S101 -- filtered above
        lo = min(max(d[0], room[0]), room[1] - 1)
        hi = max(min(d[1], room[1]), lo + 1)
        wanted.append((lo, hi, k))
    wanted.sort()
    reach = room[0]
    previous: tuple[int, int] | None = None
    for lo, hi, k in wanted:
        lo = max(lo, reach)
        if lo >= room[1]:
            chosen = previous or (room[1] - 1, room[1])  # no room left: nest with the sibling
        else:
            chosen = (lo, max(hi, lo + 1))
            reach = chosen[1]
        ranges[k] = chosen
        previous = chosen
        _assign(k, chosen, desired, parents, ranges)


def _point(at: int, target: Target, cut: list[tuple[int, int]]) -> int:
    """Where a void element at ``at`` in the model text goes in the target text."""
    if not cut or at >= len(target.source_text.rstrip()):
        return len(target.text)
    if at == 0:
        return 0
    word_start = target.source_text[at - 1].isspace()
    tokens = target.tokens
    if tokens and word_start:
        after = [t for t in tokens if t.source_start >= at]
        if after:
            first = min(after, key=lambda t: (t.source_start, t.target_start))
            return next((u[0] for u in cut if u[1] > first.target_start), len(target.text))
    if tokens:
        before = [t for t in tokens if t.source_end <= at]
        if before:
            last = max(before, key=lambda t: (t.source_end, t.target_end))
            return next((u[1] for u in cut if u[1] >= last.target_end), len(target.text))
    spot = _scaled(at, target)
    if word_start:
        return next((u[0] for u in cut if u[0] >= spot), len(target.text))
    return next((u[1] for u in cut if u[1] >= spot), len(target.text))
