"""Corrections carried across revisions when their Indonesian sentence was edited. Pure.

An editor's correction (a HUMAN segment) is reused as long as its exact source sentence is in
the article (translation memory does that). When a new revision *edits* that sentence, the
correction no longer fits, but it is still the best guide to the new one: the new sentence is
translated by the engine, flagged ``source_changed_since_correction``, and the earlier
correction is offered as its suggestion.

"The same sentence, edited": the old and new revisions' sentence sequences are aligned with
:class:`difflib.SequenceMatcher`; within a replaced stretch, a corrected old sentence that is gone
from the new revision pairs with the new sentence most like it (character similarity >= 0.5,
best pairs first, each sentence at most once) that is not in the old revision. A suggestion not
acted on carries on to the next revision while its sentence stays unchanged (or is edited again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from warta.domain import SegmentOrigin, SegmentTranslation
from warta.text import SourceDocument

SOURCE_CHANGED = "source_changed_since_correction"
SIMILAR = 0.5  # character similarity (SequenceMatcher.ratio) of "the same sentence, edited"


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def suggestions(earlier: Sequence[SegmentTranslation], document: SourceDocument) -> dict[int, str]:
    """New segment index -> the earlier correction to suggest for it.

    ``earlier``: every segment of the previous revision's edition in one language, in order
    (an empty sequence: nothing to carry).
    """
    if not earlier:
        return {}
    olds = sorted(earlier, key=lambda s: s.index)
    old = [s.source_html for s in olds]
    new = [s.html for s in document.segments]
    old_set, new_set = set(old), set(new)
    found: dict[int, str] = {}
    for seg in olds:  # a pending suggestion whose sentence did not change stays offered
        if _pending(seg) and seg.source_html in new_set and seg.suggestion_html:
            for target in document.segments:
                if target.translate and target.html == seg.source_html:
                    found.setdefault(target.index, seg.suggestion_html)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        pairs = sorted(
            (
                (similarity(old[i], new[j]), i, j)
                for i in range(i1, i2)
                if _offer(olds[i]) is not None and old[i] not in new_set
                for j in range(j1, j2)
                if document.segments[j].translate and new[j] not in old_set
            ),
            key=lambda pair: (-pair[0], pair[1], pair[2]),
        )
        used_old: set[int] = set()
        used_new: set[int] = set()
        for ratio, i, j in pairs:
            if ratio < SIMILAR or i in used_old or j in used_new:
                continue
            used_old.add(i)
            used_new.add(j)
            offer = _offer(olds[i])
            if offer is not None:
                found.setdefault(document.segments[j].index, offer)
    return found


def with_suggestion(segment: SegmentTranslation, suggestion: str | None) -> SegmentTranslation:
    """``segment`` flagged ``source_changed_since_correction``, with ``suggestion`` (the earlier
    correction of its since edited source sentence); unchanged when ``suggestion`` is None."""
    if suggestion is None:
        return segment
    return replace(
        segment,
        flags=tuple(dict.fromkeys((*segment.flags, SOURCE_CHANGED))),
        suggestion_html=suggestion,
    )


def _pending(seg: SegmentTranslation) -> bool:
    return seg.origin is not SegmentOrigin.HUMAN and SOURCE_CHANGED in seg.flags


def _offer(seg: SegmentTranslation) -> str | None:
    """What an old segment suggests for its edited sentence: its correction, or the suggestion
    it was itself offered and no editor has acted on yet."""
    if seg.origin is SegmentOrigin.HUMAN:
        return seg.target_html
    if _pending(seg) and seg.suggestion_html:
        return seg.suggestion_html
    return None
