"""Per-edition segment counts of ``warta status``: reuse by origin, new work and doubts."""

from __future__ import annotations

from tests.dbfixtures import make_draft, make_edition

from warta.domain import EditionStatus, SegmentOrigin, SegmentTranslation, Site
from warta.languages import Lang
from warta.store.repository import Store


def segment(
    index: int, origin: SegmentOrigin, *, flags: tuple[str, ...] = ()
) -> SegmentTranslation:
    return SegmentTranslation(
        index=index,
        block=0,
        source_html=f"Kalimat {index}.",
        target_html=f"Sentence {index}.",
        origin=origin,
        flags=flags,
    )


def test_status_counts_segments_by_origin_and_flag(store: Store, site: Site) -> None:
    saved = store.save_article(make_draft(), targets=[Lang.EN, Lang.JA])
    segments = (
        segment(0, SegmentOrigin.HUMAN),
        segment(1, SegmentOrigin.MEMORY, flags=("truncated",)),
        segment(2, SegmentOrigin.MEMORY),
        segment(3, SegmentOrigin.MEMORY),
        segment(4, SegmentOrigin.ENGINE, flags=("low_quality", "glossary_missing")),
        segment(5, SegmentOrigin.VERBATIM),
    )
    store.save_edition(
        make_edition(
            saved.revision.id, Lang.EN, segments=segments, status=EditionStatus.NEEDS_REVIEW
        )
    )

    en, ja = store.status_rows()
    assert (en.reused_human, en.reused_engine, en.translated, en.flagged) == (1, 3, 1, 2)
    assert en.reused == 4
    data = en.to_dict()
    assert {k: data[k] for k in data if k.startswith("segments_")} == {
        "segments_reused": 4,
        "segments_reused_human": 1,
        "segments_reused_engine": 3,
        "segments_translated": 1,
        "segments_flagged": 2,
    }
    assert (data["status"], data["lang"], data["revision"]) == ("needs_review", "en", 1)
    # an edition not translated yet counts nothing
    assert (ja.reused_human, ja.reused_engine, ja.translated, ja.flagged) == (0, 0, 0, 0)
