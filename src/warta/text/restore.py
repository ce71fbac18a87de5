"""Put protected items back into a model's output, whatever the model did to the placeholders.

* ``{0}`` as sent, or with spaces inside, full-width braces or non-Latin digits: restored.
* a lost brace (``{0`` or ``0}``): restored, flagged ``placeholder_mangled``.
* a placeholder written twice: the copy the alignment points at (else the first) is restored, the
  others removed, flagged ``placeholder_duplicated``.
* a placeholder the input did not have: removed, flagged ``placeholder_unknown``.
* a placeholder missing: the item is inserted where the alignment says the model attended to it
  (after the target word aligned to the placeholder, else after the word aligned to the source
  word before it), else at the end of the sentence before its final punctuation; flagged
  ``placeholder_lost``.

No placeholder-shaped text of the model's survives: each one is restored or removed. The result
keeps maps from offsets in the model's text to offsets in the restored text, so that alignments
can follow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from warta.engines.base import AlignedToken
from warta.text.protect import PLACEHOLDER
from warta.text.records import PreparedSegment

_OPEN_ONLY = re.compile(r"[{｛]\s*(\d{1,3})(?!\d)")
_CLOSE_ONLY = re.compile(r"(?<!\d)(\d{1,3})\s*[}｝]")
_FINAL = " \t\n.!?;:\"'”’)。！？…」』"
_NO_SPACE_BEFORE = ".,;:!?)]}\"'”’。，、！？"


@dataclass(frozen=True, slots=True)
class Restored:
    text: str
    flags: tuple[str, ...]
    tokens: tuple[AlignedToken, ...]  # the model's alignment, target offsets moved into ``text``
    anchors: tuple[AlignedToken, ...]  # each item: where it is in ``text`` <- its placeholder
    atoms: tuple[tuple[int, int], ...]  # where the items are in ``text``


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    number: int
    exact: bool


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int
    end: int
    text: str
    item: int | None  # the item this edit writes, if any
    offset: int = 0  # where the item starts within ``text``


def restore(
    prepared: PreparedSegment,
    hypothesis_text: str,
    alignment: Sequence[AlignedToken],
    *,
    spaced: bool,
) -> Restored:
    hyp = hypothesis_text
    model_length = len(prepared.model_text)
    tokens = [t for t in alignment if _valid(t, len(hyp), model_length)]
    found = _find(hyp)
    flags: list[str] = []
    edits: list[_Edit] = []
    known = {item.index for item in prepared.items}
    for number in sorted({f.number for f in found} - known):
        flags.append("placeholder_unknown")
        edits += [_remove(hyp, f, spaced=spaced) for f in found if f.number == number]
    for item in prepared.items:
        copies = [f for f in found if f.number == item.index]
        source_range = prepared.item_ranges[item.index]
        if not copies:
            flags.append("placeholder_lost")
            at = _insertion_point(hyp, tokens, source_range, spaced=spaced)
            edits.append(_insert(hyp, at, item.rendering, item.index, spaced=spaced))
            continue
        keep = _pick(copies, tokens, source_range)
        if len(copies) > 1:
            flags.append("placeholder_duplicated")
        if not keep.exact:
            flags.append("placeholder_mangled")
        edits.append(_Edit(keep.start, keep.end, item.rendering, item.index))
        edits += [_remove(hyp, f, spaced=spaced) for f in copies if f is not keep]
    return _apply(prepared, hyp, edits, tokens, flags=tuple(dict.fromkeys(flags)))


def _valid(token: AlignedToken, target_length: int, source_length: int) -> bool:
    return (
        0 <= token.target_start < token.target_end <= target_length
        and 0 <= token.source_start <= token.source_end <= source_length
    )


def _find(hyp: str) -> list[_Found]:
    found = [_Found(m.start(), m.end(), int(m[1]), exact=True) for m in PLACEHOLDER.finditer(hyp)]
    for pattern in (_OPEN_ONLY, _CLOSE_ONLY):
        for m in pattern.finditer(hyp):
            if all(m.end() <= f.start or m.start() >= f.end for f in found):
                found.append(_Found(m.start(), m.end(), int(m[1]), exact=False))
    return sorted(found, key=lambda f: f.start)


def _pick(copies: list[_Found], tokens: list[AlignedToken], source: tuple[int, int]) -> _Found:
    """The copy that a token aligned to the placeholder falls in, else the first exact one."""
    for copy in copies:
        for t in tokens:
            if t.target_start < copy.end and t.target_end > copy.start and _overlaps(t, source):
                return copy
    return next((c for c in copies if c.exact), copies[0])


def _overlaps(token: AlignedToken, source: tuple[int, int]) -> bool:
    lo, hi = source
    if token.source_start == token.source_end:
        return lo <= token.source_start < hi
    return token.source_start < hi and token.source_end > lo


def _remove(hyp: str, found: _Found, *, spaced: bool) -> _Edit:
    start, end = found.start, found.end
    if spaced:
        if end < len(hyp) and hyp[end] == " " and (start == 0 or hyp[start - 1] == " "):
            end += 1
        elif start > 0 and hyp[start - 1] == " " and (end == len(hyp) or hyp[end] in _FINAL):
            start -= 1
    return _Edit(start, end, "", None)


def _insertion_point(
    hyp: str, tokens: list[AlignedToken], source: tuple[int, int], *, spaced: bool
) -> int:
    aligned = [t for t in tokens if _overlaps(t, source)]
    if aligned:
        return _word_end(hyp, min(aligned, key=lambda t: t.target_start).target_end, spaced=spaced)
    before = [t for t in tokens if t.source_end <= source[0] and t.source_end > t.source_start]
    if before:
        last = max(before, key=lambda t: (t.source_end, t.target_end))
        return _word_end(hyp, last.target_end, spaced=spaced)
    end = len(hyp)
    while end > 0 and hyp[end - 1] in _FINAL:
        end -= 1
    return end


def _word_end(hyp: str, at: int, *, spaced: bool) -> int:
    if spaced:
        while at < len(hyp) and not hyp[at].isspace():
            at += 1
    return at


def _insert(hyp: str, at: int, rendering: str, item: int, *, spaced: bool) -> _Edit:
    lead = trail = ""
    if spaced:
        if at > 0 and not hyp[at - 1].isspace():
            lead = " "
        if at < len(hyp) and not hyp[at].isspace() and hyp[at] not in _NO_SPACE_BEFORE:
            trail = " "
    return _Edit(at, at, lead + rendering + trail, item, offset=len(lead))


def _apply(
    prepared: PreparedSegment,
    hyp: str,
    edits: list[_Edit],
    tokens: list[AlignedToken],
    *,
    flags: tuple[str, ...],
) -> Restored:
    replacements, insertions = _disjoint(edits)
    out: list[str] = []
    length = 0
    # For each offset i of hyp: where a range ending at i ends, and one starting at i starts.
    ends = [0] * (len(hyp) + 1)
    starts = [0] * (len(hyp) + 1)
    atoms: dict[int, tuple[int, int]] = {}

    def emit(edit: _Edit) -> int:
        nonlocal length
        begin = length
        out.append(edit.text)
        length += len(edit.text)
        if edit.item is not None:
            lo = begin + edit.offset
            atoms[edit.item] = (lo, lo + len(prepared.items[edit.item].rendering))
        return begin

    # Walk hyp from one edit position to the next, copying the text between them whole.
    n = len(hyp)
    i = 0
    for at in sorted({*insertions, *replacements, n}):
        if at < i:  # inside a replacement: the original text there is gone
            continue
        if at > i:
            out.append(hyp[i:at])
            ends[i:at] = starts[i:at] = range(length, length + at - i)
            length += at - i
            i = at
        ends[i] = length
        for edit in insertions.get(i, ()):
            emit(edit)
        starts[i] = length
        if i == n:
            break
        replacement = replacements.get(i)
        if replacement is None:  # insertions only here: the character stays
            out.append(hyp[i])
            length += 1
            i += 1
            continue
        starts[i] = emit(replacement)
        for inside in range(i + 1, replacement.end):
            starts[inside], ends[inside] = starts[i], length
        i = replacement.end
    text = "".join(out)
    cut = len(text) - len(text.lstrip())
    text = text.strip()

    def move(offset: int) -> int:
        return min(max(offset - cut, 0), len(text))

    moved = [
        AlignedToken(
            move(starts[t.target_start]), move(ends[t.target_end]), t.source_start, t.source_end
        )
        for t in tokens
    ]
    anchors = [
        AlignedToken(move(lo), move(hi), *prepared.item_ranges[item])
        for item, (lo, hi) in sorted(atoms.items())
    ]
    anchors = [a for a in anchors if a.target_end > a.target_start]
    return Restored(
        text=text,
        flags=flags,
        tokens=tuple(t for t in moved if t.target_end > t.target_start),
        anchors=tuple(anchors),
        atoms=tuple((a.target_start, a.target_end) for a in anchors),
    )


def _disjoint(edits: list[_Edit]) -> tuple[dict[int, _Edit], dict[int, list[_Edit]]]:
    """Replacements by start offset, made disjoint; insertions by offset, moved out of them."""
    replacements: dict[int, _Edit] = {}
    reach = 0
    for edit in sorted((e for e in edits if e.end > e.start), key=lambda e: (e.start, -e.end)):
        start = max(edit.start, reach)
        if start >= edit.end:
            continue  # swallowed by the previous edit (an extra space it already removes)
        replacements[start] = _Edit(start, edit.end, edit.text, edit.item, edit.offset)
        reach = edit.end
    insertions: dict[int, list[_Edit]] = {}
    for edit in sorted((e for e in edits if e.end == e.start), key=lambda e: e.item or 0):
        at = edit.start
        for other in replacements.values():
            if other.start < at < other.end:
                at = other.end
        insertions.setdefault(at, []).append(edit)
    return replacements, insertions
