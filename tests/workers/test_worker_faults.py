"""The worker under faults: leases renewed while a long batch runs, graceful stop, errors
classified, observers told; on real services (SQLite) with engine doubles that block."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event
from tests.dbfixtures import FakeClock

from warta.domain import ArticleDraft, EditionStatus, JobErrorKind, JobStatus, Site
from warta.engines.base import Hypothesis, SegmentGroup
from warta.engines.fake import FakeEngine
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services
from warta.workers.observe import WorkerObserver
from warta.workers.queue import SqlJobQueue
from warta.workers.runner import RunSummary, Worker

BODY = "<p>Hujan deras sejak pagi. Ribuan warga mengungsi.</p>"
WAIT = 30.0  # the longest any test waits for the worker thread to reach a point (never reached)


def draft(external_id: str, *, body: str = BODY) -> ArticleDraft:
    return ArticleDraft(site="demo", external_id=external_id, title="Banjir", body_html=body)


class BlockingEngine(FakeEngine):
    """FakeEngine whose first ``translate`` call waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.go = threading.Event()

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        if not self.started.is_set():
            self.started.set()
            assert self.go.wait(WAIT), "the test never let the engine go"
        return super().translate(
            texts, source=source, target=target, contexts=contexts, groups=groups
        )


@dataclass
class Recorded:
    """A WorkerObserver that keeps what it was told."""

    editions: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[Lang, str]] = field(default_factory=list)

    def edition_recorded(
        self,
        *,
        lang: Lang,
        site_id: int,
        segments_translated: int,
        latency_seconds: float | None,
    ) -> None:
        self.editions.append(
            {
                "lang": lang,
                "site_id": site_id,
                "segments": segments_translated,
                "latency": latency_seconds,
            }
        )

    def batch_failed(self, *, lang: Lang, error_kind: str) -> None:
        self.failures.append((lang, error_kind))


@pytest.fixture
def demo_site(services: Services) -> Site:
    return services.store.create_site(slug="demo", name="Demo")


def until(condition: Callable[[], bool]) -> None:
    """Wait (polling) for the worker thread to get somewhere; fails the test if it never does."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the worker never got there"
        time.sleep(0.01)


def in_thread(work: Callable[[], RunSummary]) -> tuple[threading.Thread, list[RunSummary]]:
    results: list[RunSummary] = []
    thread = threading.Thread(target=lambda: results.append(work()), daemon=True)
    thread.start()
    return thread, results


def test_leases_are_renewed_while_a_long_batch_translates_so_nobody_takes_it_over(
    services: Services, demo_site: Site
) -> None:
    clock = FakeClock(now=datetime.now().astimezone())
    queue = SqlJobQueue(services.db, clock=clock)
    [job] = services.store.save_article(draft("lama"), targets=[Lang.EN]).jobs
    engine = BlockingEngine()
    worker = Worker(
        store=services.store,
        queue=queue,
        engine=lambda: engine,
        targets=TARGET_LANGS,
        name="slow",
        lease_seconds=2,
        heartbeat_interval=0.02,
    )
    thread, results = in_thread(worker.run_until_idle)
    assert engine.started.wait(WAIT)

    # Far past the first lease: only renewals keep the job this worker's.
    clock.advance(60)
    until(lambda: (queue.get(job.id).lease_expires_at or clock.now) > clock.now)
    assert queue.claim(worker="eager", limit=1, lease_seconds=2) == []

    engine.go.set()
    thread.join(WAIT)
    [summary] = results
    done = queue.get(job.id)
    assert (done.status, done.attempts, done.lost_leases, done.leased_by) == (
        JobStatus.DONE,
        0,
        0,
        "slow",
    )
    assert (summary.editions, summary.lost_leases) == (1, 0)


def test_stop_records_the_batch_in_hand_and_gives_back_the_batch_not_started(
    services: Services, demo_site: Site
) -> None:
    jobs = [
        services.store.save_article(draft(f"berita-{n}"), targets=[Lang.EN]).jobs[0]
        for n in range(3)
    ]
    engine = BlockingEngine()
    worker = Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: engine,
        targets=TARGET_LANGS,
        name="stopping",
        jobs_per_batch=1,
    )
    thread, results = in_thread(worker.run_until_idle)
    assert engine.started.wait(WAIT)
    # the next batch is claimed (and waits for the engine) while the first one translates
    until(lambda: services.queue.get(jobs[1].id).status is JobStatus.RUNNING)

    worker.stop()
    engine.go.set()
    thread.join(WAIT)

    assert not thread.is_alive()
    [summary] = results
    first, second, third = (services.queue.get(j.id) for j in jobs)
    assert first.status is JobStatus.DONE
    assert (second.status, second.attempts, second.leased_by) == (JobStatus.QUEUED, 0, None)
    assert (third.status, third.attempts) == (JobStatus.QUEUED, 0)
    assert (summary.editions, summary.released) == (1, 1)
    assert worker.run_until_idle().batches == 0  # a stopped worker stays stopped


def test_a_source_that_cannot_be_read_is_dead_lettered_at_once_with_the_reason(
    services: Services, demo_site: Site
) -> None:
    nested = "<div>" * 5000 + "Teks." + "</div>" * 5000  # deeper than the reader goes
    [job] = services.store.save_article(draft("rusak", body=nested), targets=[Lang.EN]).jobs

    summary = Worker(
        store=services.store,
        queue=services.queue,
        engine=FakeEngine,
        targets=TARGET_LANGS,
        name="w",
    ).run_until_idle()

    failed = services.queue.get(job.id)
    assert (failed.status, failed.attempts, failed.error_kind) == (
        JobStatus.FAILED,
        1,
        JobErrorKind.PERMANENT,
    )
    assert "nested too deeply" in failed.last_error
    assert summary.failed == 1
    edition = services.store.get_edition(revision_id=job.revision_id, lang=Lang.EN)
    assert edition.status is EditionStatus.FAILED
    assert "nested too deeply" in edition.reason


def test_an_engine_failure_is_retried_later_and_the_observer_hears_of_it(
    services: Services, demo_site: Site
) -> None:
    [job] = services.store.save_article(draft("gagal"), targets=[Lang.AR]).jobs
    observer = Recorded()
    worker = Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: FakeEngine(fail_targets={Lang.AR}),
        targets=TARGET_LANGS,
        name="w",
        observer=observer,
    )

    summary = worker.run_until_idle()

    retried = services.queue.get(job.id)
    assert (retried.status, retried.attempts, retried.error_kind) == (
        JobStatus.QUEUED,
        1,
        JobErrorKind.TRANSIENT,
    )
    assert retried.next_attempt_at is not None  # backing off: not claimed again in this run
    assert (summary.retried, summary.failed, summary.batches) == (1, 0, 1)
    assert observer.failures == [(Lang.AR, "transient")]
    assert observer.editions == []


def test_the_observer_gets_each_recorded_edition_with_its_latency(
    services: Services, demo_site: Site
) -> None:
    saved = services.store.save_article(draft("cepat"), targets=[Lang.EN, Lang.FR])
    observer = Recorded()
    later = saved.revision.created_at
    clock = FakeClock(now=later)
    clock.advance(42)

    Worker(
        store=services.store,
        queue=services.queue,
        engine=FakeEngine,
        targets=TARGET_LANGS,
        name="w",
        observer=observer,
        clock=clock,
    ).run_until_idle()

    assert sorted(observer.editions, key=lambda e: e["lang"]) == [
        {"lang": Lang.EN, "site_id": demo_site.id, "segments": 3, "latency": 42.0},
        {"lang": Lang.FR, "site_id": demo_site.id, "segments": 3, "latency": 42.0},
    ]


class Broken:
    def edition_recorded(
        self,
        *,
        lang: Lang,
        site_id: int,
        segments_translated: int,
        latency_seconds: float | None,
    ) -> None:
        raise RuntimeError("metrics are down")

    def batch_failed(self, *, lang: Lang, error_kind: str) -> None:
        raise RuntimeError("metrics are down")


def test_a_failing_observer_never_stops_the_work(services: Services, demo_site: Site) -> None:
    saved = services.store.save_article(draft("a"), targets=[Lang.EN])
    broken: WorkerObserver = Broken()
    summary = Worker(
        store=services.store,
        queue=services.queue,
        engine=FakeEngine,
        targets=TARGET_LANGS,
        name="w",
        observer=broken,
    ).run_until_idle()
    assert summary.editions == 1
    assert services.queue.get(saved.jobs[0].id).status is JobStatus.DONE


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(services.db, "before_cursor_execute", record)
    yield seen
    event.remove(services.db, "before_cursor_execute", record)


def test_editions_waiting_for_a_model_are_told_so_in_one_statement(
    services: Services, demo_site: Site, statements: list[str]
) -> None:
    saved = [services.store.save_article(draft(f"b{n}"), targets=[Lang.JA]) for n in range(12)]
    engine = FakeEngine(pairs={(Lang.ID, Lang.EN)})  # no Japanese model
    statements.clear()

    summary = Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: engine,
        targets=TARGET_LANGS,
        name="w",
    ).run_until_idle()

    assert summary.skipped_no_model == {Lang.JA}
    for result in saved:
        ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
        assert ja.status is EditionStatus.PENDING
        assert "no translation model installed for Indonesian→Japanese" in ja.reason
    writes = [s for s in statements if "editions" in s and not s.startswith("SELECT")]
    assert len(writes) == 1, writes
    assert writes[0].startswith("UPDATE editions")
