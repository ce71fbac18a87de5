"""Corrections, rollback, send back and the history they leave (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy import delete
from tests.dbfixtures import FakeClock, make_draft
from tests.store.machine import machine_edition

from warta.corrections import DROPPED_LINK, DROPPED_NUMBER
from warta.domain import (
    EditionStatus,
    JobErrorKind,
    JobPriority,
    JobStatus,
    Revision,
    SegmentOrigin,
    Site,
)
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.languages import Lang
from warta.store.audit import AuditStore
from warta.store.repository import Store
from warta.store.session import transaction, writer
from warta.store.tables import EditionVersionRow
from warta.workers.queue import SqlJobQueue

EDITOR = "redaksi@kabar.example"
OTHER = "dewi@kabar.example"
BODY = (
    '<p>Hujan deras sejak pagi. Sebanyak 1.200 warga mengungsi ke <a href="https://kabar.example/'
    'posko">posko</a> terdekat.</p>'
)


@pytest.fixture
def revision(store: Store, site: Site) -> Revision:
    return store.save_article(make_draft(body_html=BODY), targets=(Lang.EN,)).revision


@pytest.fixture
def translated(store: Store, revision: Revision) -> Revision:
    store.save_edition(machine_edition(revision, Lang.EN, flags={1: ("number_missing",)}))
    return revision


def test_a_correction_is_stored_as_human_with_who_and_a_new_version(
    store: Store, translated: Revision, site: Site, engine: sqlalchemy.Engine, clock: FakeClock
) -> None:
    before = store.get_edition(revision_id=translated.id, lang=Lang.EN)
    assert (before.version, before.status) == (1, EditionStatus.NEEDS_REVIEW)
    clock.advance(60)

    result = store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=1,
        target_html="Heavy <b>rain</b> since the morning.",
        base_version=1,
        actor=EDITOR,
    )

    stored = store.get_edition(revision_id=translated.id, lang=Lang.EN)
    assert result.edition == stored
    assert result.warnings == ()
    seg = stored.segments[1]
    assert (seg.origin, seg.version, seg.edited_by, seg.edited_at, seg.flags) == (
        SegmentOrigin.HUMAN,
        2,
        EDITOR,
        clock.now,
        (),
    )
    assert [s.version for s in stored.segments] == [1, 2, 1]  # only that segment changed
    assert stored.version == 2
    assert stored.status is EditionStatus.TRANSLATED  # its flag was the only one
    assert stored.reason == ""
    assert stored.content is not None
    assert "Heavy <b>rain</b> since the morning." in stored.content.body_html
    (entry, *_) = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert (entry.action, entry.actor, entry.position, entry.before, entry.after) == (
        "segment.corrected",
        EDITOR,
        1,
        "[en] Hujan deras sejak pagi.",
        "Heavy <b>rain</b> since the morning.",
    )
    memory = store.lookup_memory(
        site_id=site.id, source=Lang.ID, target=Lang.EN, sources=["Hujan deras sejak pagi."]
    )
    assert memory["Hujan deras sejak pagi."].origin is SegmentOrigin.HUMAN
    assert memory["Hujan deras sejak pagi."].target_html == "Heavy <b>rain</b> since the morning."
    assert [
        (v.version, v.action, v.actor)
        for v in store.history.versions(revision_id=translated.id, lang=Lang.EN)
    ] == [(2, "correct", EDITOR), (1, "engine", "worker")]


def test_a_correction_made_on_a_stale_version_is_refused_with_the_current_text(
    store: Store, translated: Revision, site: Site, engine: sqlalchemy.Engine, clock: FakeClock
) -> None:
    store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=1,
        target_html="Heavy rain since morning.",
        base_version=1,
        actor=EDITOR,
    )
    with pytest.raises(ConflictError) as refused:
        store.history.correct(
            revision_id=translated.id,
            lang=Lang.EN,
            index=1,
            target_html="Torrential rain since dawn.",
            base_version=1,
            actor=OTHER,
        )

    assert refused.value.context["current_html"] == "Heavy rain since morning."
    assert refused.value.context["current_version"] == 2
    assert refused.value.to_dict()["context"]["current_version"] == 2
    stored = store.get_edition(revision_id=translated.id, lang=Lang.EN)
    assert stored.segments[1].target_html == "Heavy rain since morning."
    assert stored.version == 2
    entries = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert [(e.action, e.actor, e.before, e.after) for e in entries] == [
        (
            "segment.correction_refused",
            OTHER,
            "Heavy rain since morning.",
            "Torrential rain since dawn.",
        ),
        ("segment.corrected", EDITOR, "[en] Hujan deras sejak pagi.", "Heavy rain since morning."),
    ]


def test_a_correction_of_a_revision_that_is_no_longer_current_is_refused(
    store: Store, translated: Revision, site: Site
) -> None:
    store.save_article(make_draft(body_html=BODY.replace("pagi", "subuh")), targets=(Lang.EN,))
    with pytest.raises(ConflictError) as refused:
        store.history.correct(
            revision_id=translated.id,
            lang=Lang.EN,
            index=1,
            target_html="Heavy rain.",
            base_version=1,
            actor=EDITOR,
        )
    assert refused.value.context["current_revision"] == 2
    assert "revision 2 is" in refused.value.message
    assert store.get_edition(revision_id=translated.id, lang=Lang.EN).version == 1


@pytest.mark.parametrize(
    "empty",
    [
        "   ",  # only spaces
        "<b> </b>",  # only markup
        "<script>alert(1)</script>",  # only what the allowlist removes
    ],
)
def test_an_empty_correction_is_refused_and_nothing_changes(
    store: Store, translated: Revision, empty: str
) -> None:
    with pytest.raises(FieldError) as refused:
        store.history.correct(
            revision_id=translated.id,
            lang=Lang.EN,
            index=1,
            target_html=empty,
            base_version=1,
            actor=EDITOR,
        )
    assert refused.value.context["field"] == "target_html"
    assert store.get_edition(revision_id=translated.id, lang=Lang.EN).version == 1


def test_markup_outside_the_allowlist_is_removed_from_a_correction(
    store: Store, translated: Revision
) -> None:
    result = store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=0,
        target_html='Floods <i onclick="x()">hit</i> Jakarta<script>steal()</script>',
        base_version=1,
        actor=EDITOR,
    )
    assert result.edition.segments[0].target_html == "Floods <i>hit</i> Jakarta"


def test_a_correction_dropping_a_link_or_a_number_is_kept_with_a_warning_flag(
    store: Store, translated: Revision
) -> None:
    result = store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=2,
        target_html="Many residents fled to the nearest shelter.",
        base_version=1,
        actor=EDITOR,
    )
    assert result.warnings == (DROPPED_LINK, DROPPED_NUMBER)
    seg = result.edition.segments[2]
    assert (seg.origin, seg.flags) == (SegmentOrigin.HUMAN, (DROPPED_LINK, DROPPED_NUMBER))
    assert result.edition.status is EditionStatus.NEEDS_REVIEW  # segment 1 and 2 flagged

    kept = store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=2,
        target_html='As many as 1,200 residents fled to the nearest <a href="https://kabar.example/'
        'posko">shelter</a>.',
        base_version=2,
        actor=EDITOR,
    )
    assert kept.warnings == ()


def test_an_index_out_of_range_or_an_untranslated_edition_is_refused(
    store: Store, translated: Revision
) -> None:
    with pytest.raises(FieldError, match="out of range"):
        store.history.correct(
            revision_id=translated.id,
            lang=Lang.EN,
            index=9,
            target_html="x",
            base_version=1,
            actor=EDITOR,
        )
    with pytest.raises(NotFoundError):
        store.history.correct(
            revision_id=translated.id,
            lang=Lang.FR,
            index=0,
            target_html="x",
            base_version=1,
            actor=EDITOR,
        )


def test_the_diff_of_a_version_shows_what_changed_word_by_word(
    store: Store, translated: Revision
) -> None:
    store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=1,
        target_html="Heavy rain <b>since</b> morning & night.",
        base_version=1,
        actor=EDITOR,
    )
    (change,) = store.history.changes(revision_id=translated.id, lang=Lang.EN, version=2)
    assert (change.index, change.source_html) == (1, "Hujan deras sejak pagi.")
    assert change.before == "[en] Hujan deras sejak pagi."
    assert change.after == "Heavy rain <b>since</b> morning &amp; night."
    assert "<ins>" in change.diff_html
    assert "<del>" in change.diff_html
    assert "&amp;" in change.diff_html
    assert "<b>" not in change.diff_html
    first = store.history.changes(revision_id=translated.id, lang=Lang.EN, version=1)
    assert [c.index for c in first] == [0, 1, 2]  # everything is new in the first version
    with pytest.raises(NotFoundError):
        store.history.changes(revision_id=translated.id, lang=Lang.EN, version=7)


def test_rollback_restores_an_earlier_versions_text_as_a_new_human_version(
    store: Store, translated: Revision, site: Site, engine: sqlalchemy.Engine, clock: FakeClock
) -> None:
    store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=0,
        target_html="Floods hit Jakarta",
        base_version=1,
        actor=EDITOR,
    )
    store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=0,
        target_html="Jakarta under water",
        base_version=2,
        actor=OTHER,
    )

    rolled = store.history.rollback(
        revision_id=translated.id, lang=Lang.EN, to_version=2, actor=EDITOR
    )

    assert rolled.version == 4
    seg = rolled.segments[0]
    assert (seg.target_html, seg.origin, seg.edited_by, seg.version) == (
        "Floods hit Jakarta",
        SegmentOrigin.HUMAN,
        EDITOR,
        4,
    )
    assert rolled.content is not None
    assert rolled.content.title == "Floods hit Jakarta"
    assert rolled == store.get_edition(revision_id=translated.id, lang=Lang.EN)
    (latest, *_) = store.history.versions(revision_id=translated.id, lang=Lang.EN)
    assert (latest.version, latest.action, latest.actor, latest.note) == (
        4,
        "rollback",
        EDITOR,
        "rolled back to version 2",
    )
    (entry, *_) = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert (entry.action, entry.actor) == ("edition.rolled_back", EDITOR)
    memory = store.lookup_memory(
        site_id=site.id, source=Lang.ID, target=Lang.EN, sources=["Banjir melanda Jakarta"]
    )
    assert memory["Banjir melanda Jakarta"].target_html == "Floods hit Jakarta"
    # back to the engine's first version: the engine's text, now an editor's choice
    first = store.history.rollback(
        revision_id=translated.id, lang=Lang.EN, to_version=1, actor=OTHER
    )
    assert first.segments[0].target_html == "[en] Banjir melanda Jakarta"
    assert first.segments[0].origin is SegmentOrigin.HUMAN
    with pytest.raises(NotFoundError):
        store.history.rollback(revision_id=translated.id, lang=Lang.EN, to_version=9, actor=OTHER)


def test_send_back_queues_a_fresh_job_and_says_who_sent_it(
    store: Store,
    queue: SqlJobQueue,
    translated: Revision,
    site: Site,
    engine: sqlalchemy.Engine,
    clock: FakeClock,
) -> None:
    (first,) = queue.claim(worker="w1", limit=1, lease_seconds=60, lang=Lang.EN)
    running = store.history.send_back(revision_id=translated.id, lang=Lang.EN, actor=EDITOR)
    # being translated: marked, so that recording it queues the fresh job as a follow-up
    assert (running.id, running.status, running.fresh) == (first.id, JobStatus.RUNNING, True)
    queue.fail(first.id, worker="w1", error="stop", kind=JobErrorKind.PERMANENT)

    job = store.history.send_back(
        revision_id=translated.id, lang=Lang.EN, actor=EDITOR, note="terms are wrong"
    )

    assert (job.status, job.fresh, job.lang) == (JobStatus.QUEUED, True, Lang.EN)
    assert queue.get(job.id).fresh
    assert queue.get(job.id).priority is JobPriority.RETRANSLATE  # after news
    edition = store.get_edition(revision_id=translated.id, lang=Lang.EN)
    assert edition.reason == f"sent back for re-translation by {EDITOR}: terms are wrong"
    assert edition.content is not None  # readers keep the current text meanwhile
    (entry, *_) = AuditStore(engine, clock=clock).entries(site_id=site.id)
    assert (entry.action, entry.actor, entry.after) == (
        "edition.sent_back",
        EDITOR,
        "terms are wrong",
    )
    again = store.history.send_back(revision_id=translated.id, lang=Lang.EN, actor=OTHER)
    assert again.id == job.id  # the queued job is the one


def test_enqueue_fresh_marks_a_queued_job_fresh(
    store: Store, queue: SqlJobQueue, revision: Revision
) -> None:
    plain = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    assert not plain.fresh
    fresh = queue.enqueue(revision_id=revision.id, lang=Lang.EN, fresh=True)
    assert (fresh.id, fresh.fresh) == (plain.id, True)


def test_an_edition_stored_before_history_was_kept_gets_its_first_version_when_corrected(
    store: Store, translated: Revision, engine: sqlalchemy.Engine
) -> None:
    with transaction(writer(engine)) as session:  # as a database migrated to 0003 has it
        session.execute(delete(EditionVersionRow))
    assert store.history.versions(revision_id=translated.id, lang=Lang.EN) == []

    store.history.correct(
        revision_id=translated.id,
        lang=Lang.EN,
        index=0,
        target_html="Floods hit Jakarta",
        base_version=1,
        actor=EDITOR,
    )

    assert [
        (v.version, v.action)
        for v in store.history.versions(revision_id=translated.id, lang=Lang.EN)
    ] == [(2, "correct"), (1, "engine")]
    (change,) = store.history.changes(revision_id=translated.id, lang=Lang.EN, version=2)
    assert (change.before, change.after) == ("[en] Banjir melanda Jakarta", "Floods hit Jakarta")
