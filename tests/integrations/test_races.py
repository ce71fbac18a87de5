"""Races between editors, and between an editor and the worker, on SQLite and PostgreSQL.

Real threads against the real store: each thread waits at a barrier, then acts, so the two
actions overlap as much as the database lets them. The assertions hold in every interleaving:
exactly one of two corrections made on the same version wins (the other is refused and both texts
are in the audit log), and a re-translation recorded around a correction never loses it.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from tests.dbfixtures import FakeClock, make_draft

from warta.domain import Edition, Job, Revision, SegmentOrigin, Site
from warta.engines.fake import FakeEngine
from warta.errors import ConflictError
from warta.integrations import Integrations
from warta.languages import SOURCE_LANG, Lang
from warta.pipeline import WorkItem, complete_items, document_for, plan_items, run_engine
from warta.services import Services
from warta.store.audit import AuditStore
from warta.store.editors import Editor
from warta.store.history import CorrectionResult
from warta.store.records import Finished
from warta.store.repository import Store
from warta.workers.runner import Worker

BODY = (
    "<p>Hujan deras mengguyur Jakarta sejak pagi. Ribuan warga mengungsi ke posko terdekat.</p>"
    "<p>Pemerintah menyiapkan bantuan untuk para korban.</p>"
)
TIMEOUT = 60.0  # seconds a thread may take before the test fails instead of hanging


@pytest.fixture
def targets() -> tuple[Lang, ...]:
    return (Lang.EN,)


@pytest.fixture
def editors(integrations: Integrations, site: Site) -> tuple[Editor, Editor]:
    return (
        integrations.accounts.create(site=site.slug, email="ani@kabar.example", password="p" * 12),
        integrations.accounts.create(site=site.slug, email="budi@kabar.example", password="p" * 12),
    )


@pytest.fixture
def revision(services: Services, site: Site) -> Revision:
    saved = services.newsroom.submit(make_draft("banjir", body_html=BODY))
    Worker(
        store=services.store, queue=services.queue, engine=FakeEngine, targets=(Lang.EN,)
    ).run_until_idle()
    return saved.revision


def _at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions on threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(n: int, action: Callable[[], Any]) -> None:
        barrier.wait(TIMEOUT)
        try:
            results[n] = action()
        except Exception as exc:  # noqa: BLE001 -- the test inspects what each thread raised
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a racing thread did not finish"
    return results


def test_two_editors_correcting_one_segment_at_once_one_wins_the_other_gets_409(
    services: Services,
    integrations: Integrations,
    site: Site,
    revision: Revision,
    editors: tuple[Editor, Editor],
) -> None:
    edition = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    base = edition.segments[1].version
    texts = ("Heavy rain has hit Jakarta since morning.", "Torrential rain drenched Jakarta.")

    def correct(editor: Editor, text: str) -> Callable[[], Any]:
        return lambda: integrations.desk.correct(
            site_id=site.id,
            external_id="banjir",
            lang=Lang.EN,
            index=1,
            target_html=text,
            base_version=base,
            editor=editor,
        )

    results = _at_once(*(correct(e, t) for e, t in zip(editors, texts, strict=True)))

    refused = [r for r in results if isinstance(r, ConflictError)]
    won = [n for n, r in enumerate(results) if not isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert len(won) == 1, results
    winner, loser = won[0], 1 - won[0]
    assert refused[0].context["current_html"] == texts[winner]
    assert refused[0].context["current_version"] == base + 1
    stored = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert stored.segments[1].target_html == texts[winner]
    assert stored.segments[1].edited_by == editors[winner].email
    assert stored.segments[1].version == base + 1
    entries = AuditStore(services.db).entries(site_id=site.id, revision_id=revision.id)
    assert sorted((e.action, e.actor, e.after) for e in entries) == [
        ("segment.corrected", editors[winner].email, texts[winner]),
        ("segment.correction_refused", editors[loser].email, texts[loser]),
    ]


class Rendezvous:
    """A clock at which racing threads meet once each: every write transaction of the history
    reads the clock before its first statement, so the racers' transactions then start together
    (PostgreSQL: both ask for the edition's row lock; SQLite: both ask for the writer lock).

    A thread that waits in vain (the other is already done) goes on after ``patience`` seconds;
    nothing is asserted about time.
    """

    def __init__(self, clock: Callable[[], datetime], *, parties: int, patience: float) -> None:
        self._clock = clock
        self._barrier = threading.Barrier(parties)
        self._patience = patience
        self._met = threading.local()

    def __call__(self) -> datetime:
        if threading.current_thread() is not threading.main_thread() and not getattr(
            self._met, "done", False
        ):
            self._met.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                self._barrier.wait(self._patience)
        return self._clock()


def test_corrections_whose_transactions_overlap_still_let_only_one_win(
    services: Services, site: Site, revision: Revision, clock: FakeClock
) -> None:
    store = Store(services.db, clock=Rendezvous(clock, parties=2, patience=5.0))
    base = store.get_edition(revision_id=revision.id, lang=Lang.EN).segments[0].version
    texts = ("Floods hit Jakarta", "Jakarta under water")

    results = _at_once(
        *(
            functools.partial(
                store.history.correct,
                revision_id=revision.id,
                lang=Lang.EN,
                index=0,
                target_html=text,
                base_version=base,
                actor=actor,
            )
            for text, actor in zip(texts, ("ani@kabar.example", "budi@kabar.example"), strict=True)
        )
    )

    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "CorrectionResult"]
    (won,) = (r for r in results if isinstance(r, CorrectionResult))
    (refused,) = (r for r in results if isinstance(r, ConflictError))
    # refused by the version check, having waited for the winner's lock: with the current text
    assert refused.context["current_version"] == base + 1
    assert refused.context["current_html"] == won.edition.segments[0].target_html
    stored = store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert stored.segments[0].target_html == won.edition.segments[0].target_html
    assert [v.action for v in store.history.versions(revision_id=revision.id, lang=Lang.EN)] == [
        "correct",
        "engine",
    ]


def _planned_retranslation(services: Services, site: Site, revision: Revision) -> Finished:
    """Claim the queued job and translate it *now*, to record later (what a worker does)."""
    (job,) = services.queue.claim(worker="slow-worker", limit=1, lease_seconds=600, lang=Lang.EN)
    assert isinstance(job, Job)
    document = document_for(title=revision.title, lead=revision.lead, body_html=revision.body_html)
    item = WorkItem(
        key=job,
        document=document,
        memory={},  # sent back: nothing reused, every sentence goes to the engine again
        glossary=services.store.get_glossary(site.id),
    )
    engine = FakeEngine()
    planned = plan_items([item], engine=engine, target=Lang.EN)
    (outcome,) = complete_items(planned, run_engine(planned, engine=engine))
    return Finished(
        job_id=job.id,
        site_id=site.id,
        edition=Edition(
            revision_id=revision.id,
            lang=Lang.EN,
            status=outcome.status,
            reason=outcome.reason,
            content=outcome.content,
            segments=outcome.segments,
            provenance=outcome.provenance,
            quality=outcome.quality,
        ),
        memory=outcome.new_memory,
    )


def test_a_retranslation_planned_before_a_correction_and_recorded_after_keeps_it(
    services: Services,
    integrations: Integrations,
    site: Site,
    revision: Revision,
    editors: tuple[Editor, Editor],
) -> None:
    integrations.desk.send_back(
        site_id=site.id, external_id="banjir", lang=Lang.EN, editor=editors[0], note="ulang"
    )
    finished = _planned_retranslation(services, site, revision)
    before = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    integrations.desk.correct(
        site_id=site.id,
        external_id="banjir",
        lang=Lang.EN,
        index=2,
        target_html="Thousands fled to the <i>nearest</i> shelter.",
        base_version=before.segments[2].version,
        editor=editors[1],
    )

    (lost,) = services.store.record_translations([finished], worker="slow-worker")

    assert lost is None
    stored = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    kept = stored.segments[2]
    assert (kept.origin, kept.target_html, kept.edited_by) == (
        SegmentOrigin.HUMAN,
        "Thousands fled to the <i>nearest</i> shelter.",
        editors[1].email,
    )
    assert stored.content is not None
    assert "Thousands fled to the <i>nearest</i> shelter." in stored.content.body_html
    assert [
        v.action for v in services.store.history.versions(revision_id=revision.id, lang=Lang.EN)
    ] == ["engine", "correct", "engine"]
    memory = services.store.lookup_memory(
        site_id=site.id,
        source=SOURCE_LANG,
        target=Lang.EN,
        sources=["Ribuan warga mengungsi ke posko terdekat."],
    )
    assert memory["Ribuan warga mengungsi ke posko terdekat."].origin is SegmentOrigin.HUMAN


def test_a_retranslation_recorded_while_an_editor_corrects_keeps_the_correction(
    services: Services,
    integrations: Integrations,
    site: Site,
    revision: Revision,
    editors: tuple[Editor, Editor],
) -> None:
    services.newsroom.retranslate(site_id=site.id, external_id="banjir", langs=[Lang.EN])
    finished = _planned_retranslation(services, site, revision)
    base = services.store.get_edition(revision_id=revision.id, lang=Lang.EN).segments[3].version
    text = "The government is preparing aid for the victims."

    record, correct = _at_once(
        lambda: services.store.record_translations([finished], worker="slow-worker"),
        lambda: integrations.desk.correct(
            site_id=site.id,
            external_id="banjir",
            lang=Lang.EN,
            index=3,
            target_html=text,
            base_version=base,
            editor=editors[0],
        ),
    )

    assert record == [None]
    assert not isinstance(correct, Exception), correct  # same engine text: its version held
    stored = services.store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert (stored.segments[3].origin, stored.segments[3].target_html) == (
        SegmentOrigin.HUMAN,
        text,
    )
    assert stored.content is not None
    assert text in stored.content.body_html
    assert stored.version == 3  # engine, then the correction and the re-translation in any order
