"""Article-level quality: the segments of one edition summarised for the publishing policy."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from warta.domain import SegmentOrigin, SegmentTranslation
from warta.quality.estimator import DEFAULT_THRESHOLD

__all__ = ["ArticleQuality", "summarise"]

_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class ArticleQuality:
    """``score`` in [0, 1]: the segments' quality weighted by their source length.

    Segments not made by the engine (translation memory, editors, verbatim datelines) count as
    1.0; an engine segment without an estimate counts as 1.0 if unflagged, else as the flagging
    threshold. ``reasons`` are the distinct reason codes (the part before ":") of the flagged
    segments, most frequent first, with their counts in ``reason_counts``.
    """

    score: float
    flagged_count: int
    total: int
    reasons: tuple[str, ...]
    reason_counts: tuple[tuple[str, int], ...] = ()
    worst: float = 1.0  # the lowest segment score

    @property
    def flagged_fraction(self) -> float:
        return self.flagged_count / self.total if self.total else 0.0


def _segment_score(segment: SegmentTranslation) -> float:
    if segment.origin is not SegmentOrigin.ENGINE:
        return 1.0
    if segment.quality is not None:
        return segment.quality
    return DEFAULT_THRESHOLD if segment.flags else 1.0


def summarise(segments: Sequence[SegmentTranslation]) -> ArticleQuality:
    """Summarise an edition's segments into one article-level quality."""
    if not segments:
        return ArticleQuality(score=1.0, flagged_count=0, total=0, reasons=())
    weighted = 0.0
    weights = 0
    counts: Counter[str] = Counter()
    flagged = 0
    worst = 1.0
    for segment in segments:
        score = _segment_score(segment)
        weight = max(1, len(_TAG.sub("", segment.source_html).strip()))
        weighted += score * weight
        weights += weight
        worst = min(worst, score)
        if segment.flags:
            flagged += 1
            counts.update({flag.split(":", 1)[0] for flag in segment.flags})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ArticleQuality(
        score=round(weighted / weights, 4),
        flagged_count=flagged,
        total=len(segments),
        reasons=tuple(code for code, _ in ranked),
        reason_counts=tuple(ranked),
        worst=round(worst, 4),
    )
