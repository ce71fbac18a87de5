"""Jobs that survive faults: lost leases are free, errors back off, dead letters and retries.

Every test runs on SQLite and on PostgreSQL (``engine`` fixture); time is a FakeClock and jitter
a seeded random.Random, so nothing here waits.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy
from tests.dbfixtures import FakeClock, make_draft, make_edition

from warta.domain import EditionStatus, JobErrorKind, JobStatus, Revision, Site
from warta.errors import ConflictError, FieldError, NotFoundError
from warta.languages import Lang
from warta.store.repository import Store
from warta.workers.queue import SqlJobQueue, backoff_seconds

LEASE = 30


@pytest.fixture
def revision(store: Store, site: Site) -> Revision:
    return store.save_article(make_draft(), targets=()).revision


def seeded(
    engine: sqlalchemy.Engine,
    clock: FakeClock,
    *,
    max_attempts: int = 3,
    retry_base_seconds: float = 5,
    retry_max_seconds: float = 600,
    max_lost_leases: int = 10,
) -> SqlJobQueue:
    """A queue whose jitter is a seeded random.Random: the same delays on every run."""
    return SqlJobQueue(
        engine,
        clock=clock,
        rng=random.Random(16),  # noqa: S311 -- jitter, not cryptography
        max_attempts=max_attempts,
        retry_base_seconds=retry_base_seconds,
        retry_max_seconds=retry_max_seconds,
        max_lost_leases=max_lost_leases,
    )


def test_a_lost_lease_five_times_over_uses_no_attempt_and_the_job_completes(
    queue: SqlJobQueue, store: Store, site: Site, revision: Revision, clock: FakeClock
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    for n in range(5):
        [held] = queue.claim(worker=f"crashing-{n}", limit=1, lease_seconds=LEASE)
        assert held.id == job.id
        clock.advance(LEASE + 1)  # the worker was killed: its lease runs out

    [taken] = queue.claim(worker="healthy", limit=1, lease_seconds=LEASE)
    assert (taken.status, taken.attempts, taken.lost_leases, taken.error_kind) == (
        JobStatus.RUNNING,
        0,
        5,
        JobErrorKind.NONE,
    )
    assert taken.last_error == "worker crashing-4 stopped renewing its lease"
    store.record_translation(
        job_id=job.id,
        worker="healthy",
        site_id=site.id,
        edition=make_edition(revision.id, Lang.EN),
        memory=[],
    )
    done = queue.get(job.id)
    assert (done.status, done.attempts, done.lost_leases) == (JobStatus.DONE, 0, 5)
    assert queue.dead() == []


def test_a_job_that_keeps_losing_its_lease_is_dead_lettered_past_max_lost_leases(
    engine: sqlalchemy.Engine, store: Store, revision: Revision, clock: FakeClock
) -> None:
    # A job that kills every worker that takes it (a poison pill) must not loop forever.
    queue = seeded(engine, clock, max_lost_leases=3)
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    for n in range(3):
        assert [j.id for j in queue.claim(worker=f"w{n}", limit=1, lease_seconds=LEASE)] == [job.id]
        clock.advance(LEASE + 1)

    assert queue.claim(worker="w9", limit=1, lease_seconds=LEASE) == []
    [dead] = queue.dead()
    assert (dead.id, dead.status, dead.attempts, dead.lost_leases, dead.error_kind) == (
        job.id,
        JobStatus.FAILED,
        0,
        3,
        JobErrorKind.PERMANENT,
    )
    assert "lost its lease 3 times" in dead.last_error
    edition = store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert edition.status is EditionStatus.FAILED
    assert "lost its lease 3 times" in edition.reason


@pytest.mark.parametrize("attempt", [1, 2, 3, 5, 8, 12])
def test_backoff_grows_exponentially_with_equal_jitter_up_to_the_cap(attempt: int) -> None:
    rng = random.Random(attempt)  # noqa: S311 -- jitter, not cryptography
    delays = [backoff_seconds(attempt, base=5, cap=600, rng=rng) for _ in range(200)]
    full = min(600.0, 5 * 2 ** (attempt - 1))
    assert all(full / 2 <= d <= full for d in delays)
    assert len(set(delays)) > 100  # jittered: retries after one outage spread out


def test_transient_failures_back_off_longer_each_time_with_jitter_within_bounds(
    engine: sqlalchemy.Engine, store: Store, revision: Revision, clock: FakeClock
) -> None:
    queue = seeded(engine, clock, max_attempts=6, retry_base_seconds=10, retry_max_seconds=60)
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    waits = []
    for attempt in range(1, 6):
        queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
        failed = queue.fail(
            job.id, worker="w1", error="database restarting", kind=JobErrorKind.TRANSIENT
        )
        assert (failed.status, failed.attempts) == (JobStatus.QUEUED, attempt)
        assert failed.next_attempt_at is not None
        wait = (failed.next_attempt_at - clock.now).total_seconds()
        full = min(60, 10 * 2 ** (attempt - 1))
        assert full / 2 <= wait <= full
        waits.append(wait)
        # not claimable a moment before its time, claimable at it
        clock.now = failed.next_attempt_at - timedelta(seconds=1)
        assert queue.pending_langs() == []
        assert queue.claim(worker="w1", limit=1, lease_seconds=LEASE) == []
        clock.advance(1)
        assert queue.pending_langs() == [Lang.EN]
    assert waits[0] < waits[2] < waits[4]  # 5-10 s, 20-40 s, 30-60 s (capped)
    edition = store.get_edition(revision_id=revision.id, lang=Lang.EN)
    assert edition.status is EditionStatus.PENDING
    assert "attempt 5 of 6 failed" in edition.reason
    assert "database restarting" in edition.reason


def test_a_permanent_failure_is_dead_lettered_at_once_with_the_reason(
    queue: SqlJobQueue, store: Store, revision: Revision
) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.FR)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)

    failed = queue.fail(
        job.id, worker="w1", error="MarkupError: unclosed <table>", kind=JobErrorKind.PERMANENT
    )

    assert (failed.status, failed.attempts, failed.error_kind, failed.next_attempt_at) == (
        JobStatus.FAILED,
        1,
        JobErrorKind.PERMANENT,
        None,
    )
    assert [(j.id, j.last_error) for j in queue.dead()] == [
        (job.id, "MarkupError: unclosed <table>")
    ]
    edition = store.get_edition(revision_id=revision.id, lang=Lang.FR)
    assert edition.status is EditionStatus.FAILED
    assert edition.reason == "translation failed after 1 attempt(s): MarkupError: unclosed <table>"


def test_a_job_with_no_attempt_left_is_dead_lettered(
    engine: sqlalchemy.Engine, store: Store, revision: Revision, clock: FakeClock
) -> None:
    queue = seeded(engine, clock, max_attempts=2)
    job = queue.enqueue(revision_id=revision.id, lang=Lang.JA)
    for _ in range(2):
        queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
        last = queue.fail(job.id, worker="w1", error="engine timeout", kind=JobErrorKind.TRANSIENT)
        clock.advance(queue.retry_max_seconds)

    assert (last.status, last.attempts, last.error_kind) == (
        JobStatus.FAILED,
        2,
        JobErrorKind.TRANSIENT,
    )
    assert queue.claim(worker="w1", limit=1, lease_seconds=LEASE) == []
    edition = store.get_edition(revision_id=revision.id, lang=Lang.JA)
    assert (edition.status, edition.reason) == (
        EditionStatus.FAILED,
        "translation failed after 2 attempt(s): engine timeout",
    )


def test_fail_needs_a_kind(queue: SqlJobQueue, revision: Revision) -> None:
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    with pytest.raises(FieldError):
        queue.fail(job.id, worker="w1", error="?", kind=JobErrorKind.NONE)


def test_release_gives_jobs_back_charging_nothing(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    store.save_article(make_draft(), targets=(Lang.EN, Lang.FR, Lang.ZH))
    held = queue.claim(worker="w1", limit=3, lease_seconds=LEASE)
    other = queue.enqueue(revision_id=held[0].revision_id, lang=Lang.AR)

    # another worker's job and a job not held are not released
    assert queue.release([j.id for j in held[:2]] + [other.id], worker="w1") == 2
    assert queue.release([held[2].id], worker="w2") == 0

    back = [queue.get(j.id) for j in held[:2]]
    assert {(j.status, j.attempts, j.leased_by, j.lease_expires_at) for j in back} == {
        (JobStatus.QUEUED, 0, None, None)
    }
    again = queue.claim(worker="w2", limit=5, lease_seconds=LEASE)
    assert {j.id for j in again} == {held[0].id, held[1].id, other.id}
    assert {j.attempts for j in again} == {0}


def test_heartbeat_many_renews_held_leases_in_one_call_and_names_the_ones_still_held(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    store.save_article(make_draft(), targets=(Lang.EN, Lang.FR, Lang.ZH))
    en, fr, zh = queue.claim(worker="w1", limit=3, lease_seconds=LEASE)
    clock.advance(LEASE + 1)
    [taken] = queue.claim(worker="w2", limit=1, lease_seconds=LEASE, lang=Lang.ZH)  # zh lost
    assert taken.id == zh.id

    still = queue.heartbeat_many([en.id, fr.id, zh.id, 404], worker="w1", lease_seconds=LEASE)

    assert still == {en.id, fr.id}
    assert queue.get(en.id).lease_expires_at == clock.now + timedelta(seconds=LEASE)
    assert queue.get(zh.id).leased_by == "w2"
    clock.advance(LEASE - 1)
    assert queue.claim(worker="w3", limit=5, lease_seconds=LEASE) == []
    assert queue.heartbeat_many([], worker="w1", lease_seconds=LEASE) == set()


def test_retry_queues_dead_letters_again_with_attempts_reset(
    engine: sqlalchemy.Engine, store: Store, site: Site, clock: FakeClock
) -> None:
    queue = seeded(engine, clock, max_attempts=1)
    other = store.create_site(slug="lain", name="Situs Lain")
    mine = store.save_article(make_draft("a"), targets=(Lang.EN, Lang.FR)).jobs
    theirs = store.save_article(make_draft("b", site="lain"), targets=(Lang.EN,)).jobs
    for job in queue.claim(worker="w1", limit=5, lease_seconds=LEASE):
        queue.fail(job.id, worker="w1", error="boom", kind=JobErrorKind.TRANSIENT)
    assert len(queue.dead()) == 3
    assert [j.id for j in queue.dead(site_id=other.id)] == [theirs[0].id]

    assert queue.retry(job_ids=[mine[0].id]) == 1
    assert queue.retry(site_id=other.id) == 1
    assert [j.id for j in queue.dead()] == [mine[1].id]

    again = queue.get(mine[0].id)
    assert (again.status, again.attempts, again.error_kind, again.next_attempt_at) == (
        JobStatus.QUEUED,
        0,
        JobErrorKind.NONE,
        None,
    )
    edition = store.get_edition(revision_id=again.revision_id, lang=Lang.EN)
    assert (edition.status, edition.reason) == (EditionStatus.PENDING, "queued for translation")
    assert {j.id for j in queue.claim(worker="w2", limit=5, lease_seconds=LEASE)} == {
        mine[0].id,
        theirs[0].id,
    }
    assert queue.retry() == 1  # all the rest
    assert queue.dead() == []


def test_retry_of_an_unknown_another_sites_or_unfailed_job_is_refused(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    other = store.create_site(slug="lain", name="Situs Lain")
    [job] = store.save_article(make_draft(), targets=(Lang.EN,)).jobs
    with pytest.raises(NotFoundError):
        queue.retry(job_ids=[404])
    with pytest.raises(NotFoundError):
        queue.retry(job_ids=[job.id], site_id=other.id)
    with pytest.raises(ConflictError):
        queue.retry(job_ids=[job.id])  # queued, not failed


def test_retry_of_a_job_whose_revision_is_no_longer_current_supersedes_it(
    queue: SqlJobQueue, store: Store, site: Site, engine: sqlalchemy.Engine
) -> None:
    [job] = store.save_article(make_draft(), targets=(Lang.EN,)).jobs
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    queue.fail(job.id, worker="w1", error="bad", kind=JobErrorKind.PERMANENT)
    store.save_article(make_draft(body_html="<p>Teks baru.</p>"), targets=())  # no new job
    with engine.begin() as conn:  # as before migration 0006: the old revision's job still failed
        conn.execute(
            sqlalchemy.text("UPDATE jobs SET status = 'failed' WHERE id = :id"), {"id": job.id}
        )

    assert queue.retry(job_ids=[job.id]) == 0
    gone = queue.get(job.id)
    assert (gone.status, gone.last_error) == (JobStatus.SUPERSEDED, "superseded by revision 2")


def test_queueing_an_edition_again_takes_its_dead_letter_off_the_list(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    [job] = store.save_article(make_draft(), targets=(Lang.EN,)).jobs
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    queue.fail(job.id, worker="w1", error="bad", kind=JobErrorKind.PERMANENT)
    active = queue.enqueue(revision_id=job.revision_id, lang=Lang.EN)  # e.g. `warta retranslate`

    assert queue.dead() == []
    assert queue.retry() == 0
    old = queue.get(job.id)
    assert (old.status, old.last_error) == (JobStatus.SUPERSEDED, "bad")  # why it failed stays
    assert queue.get(active.id).status is JobStatus.QUEUED


def test_a_new_revision_takes_the_old_revisions_dead_letters_off_the_list(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    [job] = store.save_article(make_draft(), targets=(Lang.EN,)).jobs
    queue.claim(worker="w1", limit=1, lease_seconds=LEASE)
    queue.fail(job.id, worker="w1", error="bad", kind=JobErrorKind.PERMANENT)

    store.save_article(make_draft(body_html="<p>Teks baru.</p>"), targets=(Lang.EN,))

    assert queue.dead() == []
    old = queue.get(job.id)
    assert (old.status, old.last_error) == (JobStatus.SUPERSEDED, "bad")


def test_note_waiting_updates_only_the_editions_of_active_jobs_of_that_language(
    queue: SqlJobQueue, store: Store, site: Site
) -> None:
    a = store.save_article(make_draft("a"), targets=(Lang.EN, Lang.FR))
    done = store.save_article(make_draft("b"), targets=(Lang.FR,))
    [fr_b] = queue.claim(worker="w1", limit=1, lease_seconds=LEASE, lang=Lang.FR)
    # whichever fr job was claimed first: complete it; the other stays queued
    store.record_translation(
        job_id=fr_b.id,
        worker="w1",
        site_id=site.id,
        edition=make_edition(fr_b.revision_id, Lang.FR),
        memory=[],
    )

    assert queue.note_waiting(Lang.FR, reason="no model for fr") == 1
    assert queue.note_waiting(Lang.FR, reason="no model for fr") == 0  # says so already
    waiting = {a.revision.id, done.revision.id} - {fr_b.revision_id}
    [rev] = waiting
    assert store.get_edition(revision_id=rev, lang=Lang.FR).reason == "no model for fr"
    assert store.get_edition(revision_id=fr_b.revision_id, lang=Lang.FR).status is (
        EditionStatus.TRANSLATED
    )
    assert (
        store.get_edition(revision_id=a.revision.id, lang=Lang.EN).reason
        == "queued for translation"
    )


def test_a_worker_never_takes_over_a_job_it_still_has_in_hand(
    queue: SqlJobQueue, revision: Revision, clock: FakeClock
) -> None:
    # Its renewals failed for a whole lease (say the database was away) while the engine had the
    # job: claiming it again would put it in a second batch of the same worker.
    job = queue.enqueue(revision_id=revision.id, lang=Lang.EN)
    [held] = queue.claim(worker="w", limit=1, lease_seconds=LEASE)
    clock.advance(LEASE + 1)
    assert queue.claim(worker="w", limit=1, lease_seconds=LEASE, exclude={held.id}) == []
    assert queue.get(job.id).lost_leases == 0
    [taken] = queue.claim(worker="other", limit=1, lease_seconds=LEASE)  # anyone else may
    assert (taken.id, taken.lost_leases) == (job.id, 1)
