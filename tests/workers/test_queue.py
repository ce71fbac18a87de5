from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import event
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import EditionStatus, Job, JobErrorKind, JobStatus, Revision, Site
from warta.errors import FieldError, LeaseLostError, NotFoundError
from warta.languages import Lang
from warta.store.repository import Store
from warta.workers.queue import JobQueue, SqlJobQueue

LEASE = 60


@pytest.fixture
def revision(store: Store, site: Site) -> Revision:
    """A stored revision with no job queued yet."""
    return store.save_article(make_draft(), targets=()).revision


def test_sql_queue_implements_the_protocol(queue: SqlJobQueue) -> None:
    def takes(q: JobQueue) -> JobQueue:
        return q

    assert takes(queue) is queue


def test_enqueue_is_a_no_op_while_a_job_is_active(
    queue: SqlJobQueue, store: Store, revision: Revision
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    assert (job.status, job.attempts, job.lang) == (JobStatus.QUEUED, 0, Lang.EN)
    assert queue.enqueue(revision_id=revision.id, lang=Lang.EN) == job

    [running] = queue.claim(worker="w1", limit=5, lease_seconds=LEASE)
    assert queue.enqueue(revision_id=revision.id, lang=Lang.EN) == running
    assert queue.counts() == {
        JobStatus.QUEUED: 0,
        JobStatus.RUNNING: 1,
        JobStatus.DONE: 0,
        JobStatus.FAILED: 0,
        JobStatus.SUPERSEDED: 0,
    }
    edition = store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert (edition.status, edition.reason) == (EditionStatus.PENDING, "queued for translation")


def test_enqueue_after_the_job_finished_queues_a_new_one(
    queue: SqlJobQueue, store: Store, site: Site, revision: Revision
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    store.record_translation(
        job_id=job.id,
        worker="w1",
        site_id=site.id,
        edition=make_edition(revision.id, Lang.EN),
        memory=[],
    )
    again = queue.enqueue(revision_id=revision.id, lang=Lang.EN)

    assert again.id != job.id
    assert again.status is JobStatus.QUEUED
    # the published translation stays published while the new job waits
    assert (
        store.get_edition(revision_id=revision.id, lang=Lang.EN).status is EditionStatus.TRANSLATED
    )


def test_enqueue_of_an_unknown_revision_is_not_found(queue: SqlJobQueue, site: Site) -> None:
    with pytest.raises(NotFoundError):
        queue.enqueue(revision_id=404, lang=Lang.EN)


def test_claim_takes_oldest_jobs_first_and_leases_them(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    ids = []
    for n in range(4):
        ids.append(store.save_article(make_draft(f"b{n}"), targets=(Lang.EN,)).jobs[0].id)
        clock.advance(1)

    claimed = queue.claim(worker="w1", limit=3, lease_seconds=LEASE)

    assert [j.id for j in claimed] == ids[:3]
    # claiming uses no attempt: only the job's own errors do
    assert {(j.status, j.attempts, j.leased_by) for j in claimed} == {(JobStatus.RUNNING, 0, "w1")}
    assert {j.lease_expires_at for j in claimed} == {clock.now + timedelta(seconds=LEASE)}
    assert [j.id for j in queue.claim(worker="w2", limit=3, lease_seconds=LEASE)] == ids[3:]
    assert queue.claim(worker="w3", limit=3, lease_seconds=LEASE) == []


def test_claim_can_be_limited_to_one_language(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    store.save_article(make_draft("a"), targets=(Lang.ZH,))
    clock.advance(1)
    store.save_article(make_draft("b"), targets=(Lang.AR, Lang.ZH))

    assert queue.pending_langs() == [Lang.ZH, Lang.AR]
    assert [
        j.lang for j in queue.claim(worker="w1", limit=10, lease_seconds=LEASE, lang=Lang.ZH)
    ] == [
        Lang.ZH,
        Lang.ZH,
    ]
    assert queue.pending_langs() == [Lang.AR]


def test_job_of_a_vanished_worker_is_reclaimed_after_its_lease_expires(
    queue: SqlJobQueue, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.JA)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)

    clock.advance(LEASE - 1)
    assert queue.claim(worker="w2", limit=1, lease_seconds=LEASE) == []
    assert queue.pending_langs() == []
    clock.advance(2)
    assert queue.pending_langs() == [Lang.JA]
    [taken] = queue.claim(worker="w2", limit=1, lease_seconds=LEASE)

    assert taken.id == job.id
    assert (taken.leased_by, taken.attempts, taken.lost_leases) == ("w2", 0, 1)
    assert taken.last_error == "worker w1 stopped renewing its lease"


def test_old_worker_cannot_record_a_job_that_was_taken_over(
    queue: SqlJobQueue, store: Store, site: Site, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    clock.advance(LEASE + 1)
    queue.claim(worker="w2", limit=1, lease_seconds=LEASE)

    with pytest.raises(LeaseLostError):
        store.record_translation(
            job_id=job.id,
            worker="w1",
            site_id=site.id,
            edition=make_edition(revision.id, Lang.EN),
            memory=[],
        )
    with pytest.raises(LeaseLostError):
        queue.heartbeat(job.id, worker="w1", lease_seconds=LEASE)
    with pytest.raises(LeaseLostError):
        queue.fail(job.id, worker="w1", error="late", kind=JobErrorKind.TRANSIENT)
    assert store.get_edition(revision_id=revision.id, lang=Lang.EN).status is EditionStatus.PENDING

    edition = make_edition(revision.id, Lang.EN)
    store.record_translation(
        job_id=job.id, worker="w2", site_id=site.id, edition=edition, memory=[]
    )
    done = queue.get(job.id)
    assert done.status is JobStatus.DONE
    assert (
        store.get_edition(revision_id=revision.id, lang=Lang.EN).status is EditionStatus.TRANSLATED
    )


def test_expired_lease_not_yet_taken_over_can_still_be_recorded(
    queue: SqlJobQueue, store: Store, site: Site, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    clock.advance(LEASE * 2)
    store.record_translation(
        job_id=job.id,
        worker="w1",
        site_id=site.id,
        edition=make_edition(revision.id, Lang.EN),
        memory=[],
    )
    assert queue.get(job.id).status is JobStatus.DONE
    assert queue.claim(worker="w2", limit=1, lease_seconds=LEASE) == []


def test_heartbeat_keeps_the_lease(
    queue: SqlJobQueue, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    for _ in range(3):
        clock.advance(LEASE - 10)
        queue.heartbeat(job.id, worker="w1", lease_seconds=LEASE)
    assert queue.claim(worker="w2", limit=1, lease_seconds=LEASE) == []
    assert queue.get(job.id).leased_by == "w1"


def test_transient_failure_requeues_after_a_backoff_and_permanent_fails_for_good(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    result = store.save_article(make_draft(), targets=(Lang.EN, Lang.FR))
    en, fr = queue.claim(worker="w1", limit=2, lease_seconds=LEASE)

    retried = queue.fail(
        en.id, worker="w1", error="CUDA out of memory", kind=JobErrorKind.TRANSIENT
    )
    failed = queue.fail(fr.id, worker="w1", error="model file corrupt", kind=JobErrorKind.PERMANENT)

    assert (retried.status, retried.leased_by, retried.last_error, retried.error_kind) == (
        JobStatus.QUEUED,
        None,
        "CUDA out of memory",
        JobErrorKind.TRANSIENT,
    )
    assert (failed.status, failed.last_error, failed.error_kind) == (
        JobStatus.FAILED,
        "model file corrupt",
        JobErrorKind.PERMANENT,
    )
    assert retried.next_attempt_at is not None
    assert queue.claim(worker="w2", limit=5, lease_seconds=LEASE) == []  # backing off
    clock.now = retried.next_attempt_at
    [again] = queue.claim(worker="w2", limit=5, lease_seconds=LEASE)
    assert (again.id, again.attempts, again.next_attempt_at) == (en.id, 1, None)
    assert result.revision.id == again.revision_id


def test_job_that_fails_max_attempts_times_is_dead_lettered_keeping_its_last_error(
    queue: SqlJobQueue, store: Store, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.AR)
    for attempt in range(1, queue.max_attempts + 1):
        [claimed] = queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
        assert claimed.attempts == attempt - 1
        queue.fail(
            job.id, worker="w1", error=f"engine crashed ({attempt})", kind=JobErrorKind.TRANSIENT
        )
        clock.advance(queue.retry_max_seconds)  # past any backoff

    assert queue.claim(worker="w1", limit=1, lease_seconds=LEASE) == []
    gone = queue.get(job.id)
    assert (gone.status, gone.attempts, gone.last_error) == (
        JobStatus.FAILED,
        3,
        "engine crashed (3)",
    )
    edition = store.get_edition(revision_id=revision.id, lang=Lang.AR)
    assert edition.status is EditionStatus.FAILED
    assert "engine crashed (3)" in edition.reason


def test_job_whose_workers_keep_vanishing_uses_no_attempt_and_still_completes(
    queue: SqlJobQueue, store: Store, site: Site, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    for n in range(5):  # more crashes than max_attempts: a crash is not the job's failure
        assert [j.id for j in queue.claim(worker=f"w{n}", limit=1, lease_seconds=LEASE)] == [job.id]
        clock.advance(LEASE + 1)

    [taken] = queue.claim(worker="w9", limit=1, lease_seconds=LEASE)
    assert (taken.id, taken.status, taken.attempts, taken.lost_leases) == (
        job.id,
        JobStatus.RUNNING,
        0,
        5,
    )
    assert taken.last_error == "worker w4 stopped renewing its lease"
    store.record_translation(
        job_id=job.id,
        worker="w9",
        site_id=site.id,
        edition=make_edition(revision.id, Lang.EN),
        memory=[],
    )
    assert queue.get(job.id).status is JobStatus.DONE


def test_claim_skips_exhausted_jobs_and_still_fills_the_batch(
    engine: sqlalchemy.Engine, queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    first = store.save_article(make_draft("a"), targets=(Lang.EN,)).jobs[0]
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    queue.fail(first.id, worker="w1", error="boom", kind=JobErrorKind.TRANSIENT)
    clock.advance(queue.retry_max_seconds)
    once = SqlJobQueue(engine, clock=clock, max_attempts=1)  # max_attempts lowered since
    second = store.save_article(make_draft("b"), targets=(Lang.EN,)).jobs[0]

    assert [j.id for j in once.claim(worker="w1", limit=1, lease_seconds=LEASE)] == [second.id]
    assert once.get(first.id).status is JobStatus.FAILED


def test_unknown_job_is_not_found(queue: SqlJobQueue, site: Site) -> None:
    with pytest.raises(NotFoundError):
        queue.get(404)
    with pytest.raises(NotFoundError):
        queue.heartbeat(404, worker="w1", lease_seconds=LEASE)


def test_nonsense_arguments_are_refused(engine: sqlalchemy.Engine, queue: SqlJobQueue) -> None:
    with pytest.raises(FieldError):
        queue.claim(worker="w1", limit=0, lease_seconds=LEASE)
    with pytest.raises(FieldError):
        SqlJobQueue(engine, max_attempts=0)


def _claim_in_threads(
    queues: list[SqlJobQueue], *, limit: int, rounds: int, before: Callable[[], None] | None = None
) -> tuple[list[list[Job]], list[BaseException]]:
    results: list[list[Job]] = [[] for _ in queues]
    errors: list[BaseException] = []
    start = threading.Barrier(len(queues), timeout=30)

    def run(n: int) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                results[n].extend(queues[n].claim(worker=f"w{n}", limit=limit, lease_seconds=LEASE))
        except BaseException as exc:  # noqa: BLE001 -- reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(queues))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_claimers_never_take_the_same_job(
    engine: sqlalchemy.Engine, store: Store, site: Site, clock: FakeClock
) -> None:
    jobs = [
        j.id
        for n in range(10)
        for j in store.save_article(make_draft(f"c{n}"), targets=(Lang.EN, Lang.FR)).jobs
    ]
    queues = [SqlJobQueue(engine, clock=clock) for _ in range(4)]

    results, errors = _claim_in_threads(queues, limit=2, rounds=5)

    assert errors == []
    claimed = [j.id for r in results for j in r]
    assert sorted(claimed) == sorted(jobs)  # every job once, none twice


def test_postgres_claimers_skip_rows_locked_by_an_open_claim(
    engine: sqlalchemy.Engine, store: Store, site: Site, clock: FakeClock, backend: str
) -> None:
    """Both claims hold their transaction open until the other has taken its rows too.

    With FOR UPDATE SKIP LOCKED the second claim skips the first one's locked rows and both
    commit disjoint jobs; with a plain FOR UPDATE it would wait for the first (which waits for
    it: the barrier breaks), and without locking both would take the same jobs.
    """
    if backend != "postgres":
        pytest.skip("SQLite serialises writers; there are no row locks to skip")
    jobs = [
        j.id
        for n in range(3)
        for j in store.save_article(make_draft(f"p{n}"), targets=(Lang.EN, Lang.ZH)).jobs
    ]
    both_claimed = threading.Barrier(2, timeout=10)

    def hold_commit(_conn: Any) -> None:
        both_claimed.wait()

    event.listen(engine, "commit", hold_commit)
    try:
        results, errors = _claim_in_threads(
            [SqlJobQueue(engine, clock=clock) for _ in range(2)], limit=3, rounds=1
        )
    finally:
        event.remove(engine, "commit", hold_commit)

    assert errors == []
    assert [len(r) for r in results] == [3, 3]
    assert sorted(j.id for r in results for j in r) == sorted(jobs)


def test_counts_cover_every_status(queue: SqlJobQueue, store: Store, site: Site) -> None:
    store.save_article(make_draft(), targets=(Lang.EN, Lang.ZH, Lang.JA))
    a, _ = queue.claim(worker="w1", limit=2, lease_seconds=LEASE)
    queue.fail(a.id, worker="w1", error="x", kind=JobErrorKind.PERMANENT)
    assert queue.counts() == {
        JobStatus.QUEUED: 1,
        JobStatus.RUNNING: 1,
        JobStatus.DONE: 0,
        JobStatus.FAILED: 1,
        JobStatus.SUPERSEDED: 0,
    }
