from __future__ import annotations

from dataclasses import replace

import pytest
from tests.dbfixtures import FakeClock, make_draft, make_edition
from tests.store.machine import machine_edition

from warta.carryover import SOURCE_CHANGED
from warta.domain import (
    EditionStatus,
    JobStatus,
    MemoryEntry,
    Revision,
    SegmentOrigin,
    SegmentTranslation,
    Site,
)
from warta.errors import FieldError, LeaseLostError, NotFoundError
from warta.languages import Lang
from warta.store.records import SaveResult
from warta.store.repository import Store
from warta.workers.queue import SqlJobQueue

TARGETS = (Lang.EN, Lang.AR)


@pytest.fixture
def saved(store: Store, site: Site) -> SaveResult:
    return store.save_article(make_draft(), targets=TARGETS)


def test_edition_never_requested_is_pending_with_a_reason(store: Store, saved: SaveResult) -> None:
    edition = store.get_edition(revision_id=saved.revision.id, lang=Lang.JA)
    assert edition.status is EditionStatus.PENDING
    assert "no translation was requested" in edition.reason
    assert edition.content is None
    assert edition.segments == ()


def test_saved_edition_round_trips_with_segments_and_provenance(
    store: Store, saved: SaveResult, clock: FakeClock
) -> None:
    edition = make_edition(saved.revision.id, Lang.EN)
    store.save_edition(edition)

    stored = store.get_edition(revision_id=saved.revision.id, lang=Lang.EN)
    assert stored == replace(edition, updated_at=clock.now)
    assert stored.provenance is not None
    assert stored.provenance.signature() == edition.provenance.signature()  # type: ignore[union-attr]


def test_saving_an_edition_again_replaces_it_and_all_its_segments(
    store: Store, saved: SaveResult
) -> None:
    store.save_edition(make_edition(saved.revision.id, Lang.AR))
    only = (
        SegmentTranslation(
            index=0,
            block=0,
            source_html="Hujan deras sejak pagi. Ribuan warga mengungsi.",
            target_html="أمطار غزيرة منذ الصباح. آلاف السكان نزحوا.",
            origin=SegmentOrigin.HUMAN,
            flags=("placeholder_lost",),
        ),
    )
    store.save_edition(
        make_edition(saved.revision.id, Lang.AR, segments=only, status=EditionStatus.NEEDS_REVIEW)
    )

    stored = store.get_edition(revision_id=saved.revision.id, lang=Lang.AR)
    assert stored.status is EditionStatus.NEEDS_REVIEW
    assert stored.segments == (replace(only[0], version=2),)  # changed at its index: +1
    assert stored.version == 2
    assert stored.content is not None
    assert "أمطار غزيرة" in stored.content.body_html
    assert [e.lang for e in store.list_editions(saved.revision.id)] == [Lang.EN, Lang.AR]


def test_cjk_and_arabic_segments_round_trip(store: Store, saved: SaveResult) -> None:
    for lang, text in [
        (Lang.ZH, "雅加达发生洪水，数千名居民撤离。"),
        (Lang.JA, "ジャカルタで洪水、数千人が避難。"),
        (Lang.AR, "فيضانات في جاكرتا وإجلاء الآلاف."),
    ]:
        segment = SegmentTranslation(
            index=0,
            block=0,
            source_html="Banjir di Jakarta.",
            target_html=text,
            origin=SegmentOrigin.ENGINE,
        )
        store.save_edition(make_edition(saved.revision.id, lang, segments=(segment,)))
        assert (
            store.get_edition(revision_id=saved.revision.id, lang=lang).segments[0].target_html
            == text
        )


def test_edition_with_repeated_segment_index_is_refused(store: Store, saved: SaveResult) -> None:
    edition = make_edition(saved.revision.id, Lang.EN)
    twice = (edition.segments[0], replace(edition.segments[1], index=0))
    with pytest.raises(FieldError):
        store.save_edition(replace(edition, segments=twice))
    assert (
        store.get_edition(revision_id=saved.revision.id, lang=Lang.EN).status
        is EditionStatus.PENDING
    )


def test_edition_of_an_unknown_revision_is_not_found(store: Store, site: Site) -> None:
    with pytest.raises(NotFoundError):
        store.get_edition(revision_id=404, lang=Lang.EN)
    with pytest.raises(NotFoundError):
        store.save_edition(make_edition(404, Lang.EN))


def test_mark_editions_sets_status_and_reason_and_keeps_the_translation(
    store: Store, saved: SaveResult
) -> None:
    store.save_edition(make_edition(saved.revision.id, Lang.EN))
    store.mark_editions(
        revision_id=saved.revision.id,
        langs=[Lang.EN, Lang.AR, Lang.FR],
        status=EditionStatus.FAILED,
        reason="engine crashed",
    )

    by_lang = {e.lang: e for e in store.list_editions(saved.revision.id)}
    assert {lang: e.status for lang, e in by_lang.items()} == dict.fromkeys(
        (Lang.EN, Lang.AR, Lang.FR), EditionStatus.FAILED
    )
    assert {e.reason for e in by_lang.values()} == {"engine crashed"}
    assert by_lang[Lang.EN].content is not None
    assert by_lang[Lang.FR].content is None


def test_record_translation_stores_edition_memory_and_completes_the_job(
    store: Store, queue: SqlJobQueue, site: Site, saved: SaveResult
) -> None:
    [job] = queue.claim(worker="w1", limit=1, lease_seconds=60, lang=Lang.EN)
    edition = make_edition(saved.revision.id, Lang.EN)
    entry = MemoryEntry(
        source_html="Hujan deras sejak pagi.",
        target_html="Heavy rain since morning.",
        origin=SegmentOrigin.ENGINE,
        provenance_key=edition.provenance.key(),  # type: ignore[union-attr]
    )
    store.record_translation(
        job_id=job.id, worker="w1", site_id=site.id, edition=edition, memory=[entry]
    )

    assert queue.get(job.id).status is JobStatus.DONE
    assert (
        store.get_edition(revision_id=saved.revision.id, lang=Lang.EN).segments == edition.segments
    )
    found = store.lookup_memory(
        site_id=site.id, source=Lang.ID, target=Lang.EN, sources=["Hujan deras sejak pagi."]
    )
    assert found == {"Hujan deras sejak pagi.": entry}


def test_record_translation_by_a_worker_without_the_lease_writes_nothing(
    store: Store, queue: SqlJobQueue, site: Site, saved: SaveResult
) -> None:
    [job] = queue.claim(worker="w1", limit=1, lease_seconds=60, lang=Lang.EN)
    entry = MemoryEntry(source_html="Hujan.", target_html="Rain.", origin=SegmentOrigin.ENGINE)
    with pytest.raises(LeaseLostError) as err:
        store.record_translation(
            job_id=job.id,
            worker="w2",
            site_id=site.id,
            edition=make_edition(saved.revision.id, Lang.EN),
            memory=[entry],
        )

    assert err.value.context["leased_by"] == "w1"
    assert (
        store.get_edition(revision_id=saved.revision.id, lang=Lang.EN).status
        is EditionStatus.PENDING
    )
    assert (
        store.lookup_memory(site_id=site.id, source=Lang.ID, target=Lang.EN, sources=["Hujan."])
        == {}
    )
    assert queue.get(job.id).status is JobStatus.RUNNING


def test_record_translation_refuses_an_edition_of_another_job(
    store: Store, queue: SqlJobQueue, site: Site, saved: SaveResult
) -> None:
    [job] = queue.claim(worker="w1", limit=1, lease_seconds=60, lang=Lang.EN)
    with pytest.raises(FieldError):
        store.record_translation(
            job_id=job.id,
            worker="w1",
            site_id=site.id,
            edition=make_edition(saved.revision.id, Lang.AR),
            memory=[],
        )
    assert queue.get(job.id).status is JobStatus.RUNNING


def test_status_rows_cover_each_edition_of_current_revisions_with_counts(
    store: Store, queue: SqlJobQueue, site: Site, clock: FakeClock
) -> None:
    first = store.save_article(make_draft("a"), targets=TARGETS)
    clock.advance(60)
    store.save_article(make_draft("a", title="Banjir surut"), targets=(Lang.EN,))  # revision 2
    clock.advance(60)
    other = store.save_article(make_draft("b"), targets=(Lang.FR,))
    current = store.get_current_revision(first.article.id)
    [job] = queue.claim(worker="w1", limit=1, lease_seconds=60, lang=Lang.EN)
    # Revision 2 superseded revision 1's queued jobs: the oldest claimable one is revision 2's.
    assert job.revision_id == current.id
    edition = make_edition(current.id, Lang.EN)
    store.save_edition(edition)

    rows = store.status_rows()
    assert [(r.external_id, r.revision_number, r.lang, r.status) for r in rows] == [
        ("b", 1, Lang.FR, EditionStatus.PENDING),
        ("a", 2, Lang.EN, EditionStatus.TRANSLATED),
    ]
    translated = rows[1]
    assert (translated.site, translated.article_id, translated.revision_id) == (
        "kabar",
        first.article.id,
        current.id,
    )
    assert (translated.reused, translated.translated) == (1, 1)
    assert translated.provenance_signature == edition.provenance.signature()  # type: ignore[union-attr]
    assert rows[0].reason == "queued for translation"
    assert (rows[0].reused, rows[0].translated, rows[0].provenance_signature) == (0, 0, "")
    assert rows[0].article_id == other.article.id


def test_status_rows_filter_by_site(store: Store, site: Site) -> None:
    other = store.create_site(slug="lain", name="Lain")
    store.save_article(make_draft("a"), targets=(Lang.EN,))
    store.save_article(make_draft("b", site="lain"), targets=(Lang.EN, Lang.ZH))

    assert [(r.site, r.lang) for r in store.status_rows(site_id=other.id)] == [
        ("lain", Lang.EN),
        ("lain", Lang.ZH),
    ]
    assert [r.external_id for r in store.status_rows(site_id=site.id)] == ["a"]


# --- recording engine results never loses a correction ---------------------------------------


def _correct(store: Store, revision: Revision, index: int, text: str, *, base: int = 1) -> None:
    store.history.correct(
        revision_id=revision.id,
        lang=Lang.EN,
        index=index,
        target_html=text,
        base_version=base,
        actor="redaksi@kabar.example",
    )


def test_recording_keeps_a_human_segment_whose_source_is_unchanged(
    store: Store, saved: SaveResult
) -> None:
    revision = saved.revision
    store.save_edition(machine_edition(revision, Lang.EN, flags={1: ("number_missing",)}))
    _correct(store, revision, 1, "Heavy rain since the morning.")

    again = machine_edition(revision, Lang.EN, tag=" v2", flags={1: ("number_missing",)})
    stored = store.save_edition(again)

    seg = stored.segments[1]
    assert (seg.origin, seg.target_html, seg.edited_by, seg.version) == (
        SegmentOrigin.HUMAN,
        "Heavy rain since the morning.",
        "redaksi@kabar.example",
        2,  # unchanged by this recording: same version
    )
    assert [s.version for s in stored.segments] == [2, 2, 2]  # the others changed: +1
    assert stored.content is not None
    assert "Heavy rain since the morning." in stored.content.body_html
    assert "[en v2] Ribuan warga mengungsi." in stored.content.body_html
    assert stored.status is EditionStatus.TRANSLATED  # the flagged sentence is the corrected one
    assert stored == store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert stored.version == 3
    assert [
        (v.version, v.action, v.actor)
        for v in store.history.versions(revision_id=revision.id, lang=Lang.EN)
    ] == [(3, "engine", "worker"), (2, "correct", "redaksi@kabar.example"), (1, "engine", "worker")]


def test_a_human_segment_is_matched_by_its_source_wherever_it_now_is(
    store: Store, saved: SaveResult
) -> None:
    revision = saved.revision
    aligned = machine_edition(revision, Lang.EN)
    # Stored by an older segmenter: one more segment before it, so the correction is at 3.
    older = (
        aligned.segments[0],
        replace(aligned.segments[1], source_html="Hujan deras", target_html="Heavy rain"),
        replace(aligned.segments[1], index=2, source_html="sejak pagi.", target_html="all day."),
        replace(
            aligned.segments[2],
            index=3,
            target_html="Thousands fled.",
            origin=SegmentOrigin.HUMAN,
            edited_by="redaksi@kabar.example",
        ),
    )
    store.save_edition(replace(aligned, segments=older))

    stored = store.save_edition(aligned)

    seg = stored.segments[2]
    assert (seg.source_html, seg.origin, seg.target_html, seg.edited_by) == (
        "Ribuan warga mengungsi.",
        SegmentOrigin.HUMAN,
        "Thousands fled.",
        "redaksi@kabar.example",
    )
    assert len(stored.segments) == 3
    assert stored.content is not None
    assert stored.content.body_html == "<p>[en] Hujan deras sejak pagi. Thousands fled.</p>"


def test_a_correction_whose_sentence_is_gone_becomes_a_flagged_suggestion(
    store: Store, saved: SaveResult
) -> None:
    revision = saved.revision
    first = store.save_edition(machine_edition(revision, Lang.EN))
    _correct(store, revision, 2, "Thousands fled.")
    changed = tuple(
        replace(s, source_html="Ratusan warga mengungsi.", target_html="[en] Hundreds fled.")
        if s.index == 2
        else s
        for s in first.segments
    )
    stored = store.save_edition(replace(first, segments=changed))

    seg = stored.segments[2]
    assert (seg.origin, seg.target_html, seg.suggestion_html) == (
        SegmentOrigin.ENGINE,
        "[en] Hundreds fled.",
        "Thousands fled.",
    )
    assert seg.flags == (SOURCE_CHANGED,)
    assert stored.status is EditionStatus.NEEDS_REVIEW
    assert SOURCE_CHANGED in stored.reason
    # translated again: the suggestion stays with its sentence until an editor takes it up
    again = store.save_edition(replace(first, segments=changed))
    assert (again.segments[2].suggestion_html, again.segments[2].flags) == (
        "Thousands fled.",
        (SOURCE_CHANGED,),
    )
    assert again.segments[2].version == seg.version  # nothing changed that an editor sees


def test_recording_the_same_result_again_keeps_segment_versions(
    store: Store, saved: SaveResult
) -> None:
    edition = machine_edition(saved.revision, Lang.EN)
    store.save_edition(edition)
    again = store.save_edition(edition)
    assert [s.version for s in again.segments] == [1, 1, 1]
    assert again.version == 2
