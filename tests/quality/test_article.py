from __future__ import annotations

from collections.abc import Sequence

import pytest

from warta.domain import SegmentOrigin, SegmentTranslation
from warta.quality.article import summarise


def _segment(
    index: int,
    source: str,
    *,
    origin: SegmentOrigin = SegmentOrigin.ENGINE,
    quality: float | None = None,
    flags: Sequence[str] = (),
) -> SegmentTranslation:
    return SegmentTranslation(
        index=index,
        block=0,
        source_html=source,
        target_html="…",
        origin=origin,
        score=None,
        flags=tuple(flags),
        quality=quality,
    )


def test_article_score_weights_segments_by_source_length_and_counts_flags():
    segments = [
        _segment(0, "<b>Presiden</b> tiba di Jakarta.", quality=1.0),
        _segment(1, "Harga naik 2,5 persen.", quality=0.4, flags=["number_mismatch:2,5"]),
        _segment(2, "Ia menolak.", quality=0.3, flags=["negation_missing", "number_added:3"]),
        _segment(3, "JAKARTA -", origin=SegmentOrigin.VERBATIM),  # trusted
        _segment(4, "Cuaca cerah.", origin=SegmentOrigin.HUMAN),  # trusted
    ]
    summary = summarise(segments)
    # weights: characters of text (markup removed): 25, 22, 11, 9, 12
    expected = (25 * 1.0 + 22 * 0.4 + 11 * 0.3 + 9 + 12) / (25 + 22 + 11 + 9 + 12)
    assert summary.score == pytest.approx(expected, abs=1e-4)
    assert (summary.flagged_count, summary.total) == (2, 5)
    assert summary.reasons == ("negation_missing", "number_added", "number_mismatch")
    assert summary.reason_counts == (
        ("negation_missing", 1),
        ("number_added", 1),
        ("number_mismatch", 1),
    )
    assert summary.worst == 0.3
    assert summary.flagged_fraction == pytest.approx(0.4)


def test_engine_segments_without_an_estimate_count_by_their_flags():
    segments = [
        _segment(0, "Satu.", flags=["placeholder_lost"]),
        _segment(1, "Dua.", flags=()),
        _segment(2, "Tiga.", flags=["placeholder_lost"]),
    ]
    summary = summarise(segments)
    assert summary.reasons == ("placeholder_lost",)
    assert summary.reason_counts == (("placeholder_lost", 2),)
    assert summary.score == pytest.approx((5 * 0.5 + 4 * 1.0 + 5 * 0.5) / 14, abs=1e-4)


def test_an_article_with_no_segments_is_perfect_and_empty():
    summary = summarise([])
    assert (summary.score, summary.flagged_count, summary.total, summary.reasons) == (1.0, 0, 0, ())
    assert summary.flagged_fraction == 0.0
