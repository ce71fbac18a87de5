"""The translation job queue: a :class:`JobQueue` Protocol and its SQL implementation.

The job row is the truth. A worker *claims* jobs, which leases them to it for ``lease_seconds``;
it renews the leases of every job it holds with :meth:`JobQueue.heartbeat_many` while it works
(every third of the lease, from its own thread) and finishes a job either with
:meth:`warta.store.repository.Store.record_translation` (the result and the job's completion in
one transaction) or with :meth:`JobQueue.fail`. A worker that vanishes simply stops renewing:
once its lease expires, the next claim takes the job over (a *lost lease*, which is not the
job's failure and uses no attempt), and the old worker's late result is refused with
:class:`~warta.errors.LeaseLostError`. A worker that stops on purpose gives back what it has not
started with :meth:`JobQueue.release`.

Only an error the job itself raised uses an attempt (:meth:`JobQueue.fail`): a transient one
(:mod:`warta.workers.classify`) sends it back after an exponential backoff with *equal jitter*
(:func:`backoff_seconds`: half the exponential delay, plus a random share of the other half, so
retries of many jobs after one outage spread out but none comes back at once); a permanent one,
or the last of ``max_attempts``, dead-letters it (status failed, edition FAILED with the
reason), visible in :meth:`JobQueue.dead` until :meth:`JobQueue.retry` queues it again.

Because all state lives in the row, another transport can drive the same jobs (Celery tasks over
Redis carry only a language, and claim, record or fail jobs through this queue).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import Protocol

import sqlalchemy

from warta.domain import Job, JobErrorKind, JobPriority, JobStatus
from warta.errors import FieldError
from warta.languages import Lang
from warta.store import jobs, mapping
from warta.store.clock import Clock, utcnow
from warta.store.session import transaction, writer

DEFAULT_RETRY_BASE_SECONDS = 5.0
DEFAULT_RETRY_MAX_SECONDS = 600.0
DEFAULT_MAX_LOST_LEASES = 10


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Delay before retry ``attempt`` (1 = after the first failure): equal jitter.

    The exponential delay ``min(cap, base * 2 ** (attempt - 1))``: half of it for sure, the
    other half at random; so within [delay / 2, delay].
    """
    delay = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return delay / 2 + rng.uniform(0, delay / 2)


class JobQueue(Protocol):
    def enqueue(
        self,
        *,
        revision_id: int,
        lang: Lang,
        fresh: bool = False,
        priority: JobPriority = JobPriority.NEWS,
    ) -> Job:
        """Queue a translation; returns the active (queued or running) job if there is one.

        ``fresh``: sent back by an editor, the job reuses no ENGINE memory (HUMAN still).
        An active job of a less urgent priority is raised to ``priority``.
        """
        ...

    def claim(
        self,
        *,
        worker: str,
        limit: int,
        lease_seconds: int,
        lang: Lang | None = None,
        exclude: Collection[int] = (),
    ) -> list[Job]:
        """Lease up to ``limit`` jobs (queued and due, or running with an expired lease): the
        most urgent priority first, sites taking turns within it, oldest first within a site.

        ``exclude``: jobs the caller still has in hand (e.g. in an engine call while its lease
        renewal failed): never taken over by their own worker.
        """
        ...

    def heartbeat(self, job_id: int, *, worker: str, lease_seconds: int) -> None:
        """Renew the lease; LeaseLostError if ``worker`` no longer holds the job."""
        ...

    def heartbeat_many(
        self, job_ids: Sequence[int], *, worker: str, lease_seconds: int
    ) -> set[int]:
        """Renew ``worker``'s leases on ``job_ids`` (one transaction); the ids it still holds."""
        ...

    def fail(self, job_id: int, *, worker: str, error: str, kind: JobErrorKind) -> Job:
        """The job's own error: an attempt used; retried later (transient) or dead letter."""
        ...

    def release(self, job_ids: Sequence[int], *, worker: str) -> int:
        """Give leased jobs back, no attempt used (a graceful stop); how many were held."""
        ...

    def dead(self, *, site_id: int | None = None, limit: int = 100) -> list[Job]:
        """Dead-lettered jobs (status failed), the most recent first."""
        ...

    def listed(
        self, *, statuses: Sequence[JobStatus], site_id: int | None = None, limit: int = 100
    ) -> list[Job]:
        """Jobs in ``statuses`` (of ``site_id``), the most recently changed first."""
        ...

    def retry(self, *, job_ids: Sequence[int] | None = None, site_id: int | None = None) -> int:
        """Queue failed jobs again with their attempts reset; how many were queued."""
        ...

    def note_waiting(self, lang: Lang, *, reason: str) -> int:
        """Give the pending editions of ``lang``'s active jobs ``reason`` (e.g. no model)."""
        ...

    def get(self, job_id: int) -> Job: ...

    def counts(self, *, site_id: int | None = None) -> dict[JobStatus, int]:
        """Jobs per status (of ``site_id``)."""
        ...

    def pending_langs(self) -> list[Lang]:
        """Languages with claimable jobs, the most urgent (then the longest waiting) first."""
        ...


class SqlJobQueue:
    """:class:`JobQueue` on the warta database (SQLite or PostgreSQL).

    ``clock`` and ``rng`` are injectable so that tests of leases and backoff are deterministic.
    """

    def __init__(
        self,
        engine: sqlalchemy.Engine,
        *,
        clock: Clock = utcnow,
        max_attempts: int = 3,
        retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
        retry_max_seconds: float = DEFAULT_RETRY_MAX_SECONDS,
        max_lost_leases: int = DEFAULT_MAX_LOST_LEASES,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1:
            raise FieldError(
                f"max_attempts must be at least 1, not {max_attempts}",
                hint="set WARTA_JOB_MAX_ATTEMPTS to 1 or more",
                field="max_attempts",
            )
        if retry_base_seconds < 0 or retry_max_seconds < retry_base_seconds:
            raise FieldError(
                f"retry backoff from {retry_base_seconds} s up to {retry_max_seconds} s "
                "is not a range",
                hint="set WARTA_JOB_RETRY_BASE_SECONDS >= 0 and WARTA_JOB_RETRY_MAX_SECONDS >= it",
                field="retry_base_seconds",
            )
        if max_lost_leases < 1:
            raise FieldError(
                f"max_lost_leases must be at least 1, not {max_lost_leases}",
                hint="pass 1 or more",
                field="max_lost_leases",
            )
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not cryptography
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.max_lost_leases = max_lost_leases

    def enqueue(
        self,
        *,
        revision_id: int,
        lang: Lang,
        fresh: bool = False,
        priority: JobPriority = JobPriority.NEWS,
    ) -> Job:
        with transaction(self._writer) as session:
            row = jobs.enqueue(
                session,
                revision_id=revision_id,
                lang=lang,
                now=self._clock(),
                fresh=fresh,
                priority=priority,
            )
            return mapping.job(row)

    def claim(
        self,
        *,
        worker: str,
        limit: int,
        lease_seconds: int,
        lang: Lang | None = None,
        exclude: Collection[int] = (),
    ) -> list[Job]:
        if limit < 1 or lease_seconds < 1:
            raise FieldError(
                f"cannot claim {limit} job(s) for {lease_seconds} s",
                hint="claim at least one job with a lease of at least one second",
                field="limit" if limit < 1 else "lease_seconds",
            )
        with transaction(self._writer) as session:
            rows = jobs.claim(
                session,
                worker=worker,
                limit=limit,
                lease_seconds=lease_seconds,
                lang=lang,
                now=self._clock(),
                max_attempts=self.max_attempts,
                max_lost_leases=self.max_lost_leases,
                exclude=exclude,
            )
            return [mapping.job(row) for row in rows]

    def heartbeat(self, job_id: int, *, worker: str, lease_seconds: int) -> None:
        with transaction(self._writer) as session:
            row = jobs.held(session, job_id, worker=worker)
            jobs.extend(row, lease_seconds=lease_seconds, now=self._clock())

    def heartbeat_many(
        self, job_ids: Sequence[int], *, worker: str, lease_seconds: int
    ) -> set[int]:
        if not job_ids:
            return set()
        with transaction(self._writer) as session:
            return jobs.extend_many(
                session,
                sorted(set(job_ids)),
                worker=worker,
                lease_seconds=lease_seconds,
                now=self._clock(),
            )

    def fail(self, job_id: int, *, worker: str, error: str, kind: JobErrorKind) -> Job:
        if kind is JobErrorKind.NONE:
            raise FieldError(
                "a job fails with a transient or a permanent error, not none",
                hint="classify the error with warta.workers.classify.classify",
                field="kind",
            )
        with transaction(self._writer) as session:
            row = jobs.held(session, job_id, worker=worker)
            delay = backoff_seconds(
                row.attempts + 1,
                base=self.retry_base_seconds,
                cap=self.retry_max_seconds,
                rng=self._rng,
            )
            jobs.fail(
                session,
                row,
                error=error,
                kind=kind,
                now=self._clock(),
                max_attempts=self.max_attempts,
                delay_seconds=delay,
            )
            session.flush()
            return mapping.job(row)

    def release(self, job_ids: Sequence[int], *, worker: str) -> int:
        if not job_ids:
            return 0
        with transaction(self._writer) as session:
            return jobs.release(session, sorted(set(job_ids)), worker=worker, now=self._clock())

    def dead(self, *, site_id: int | None = None, limit: int = 100) -> list[Job]:
        with transaction(self._engine) as session:
            return [mapping.job(r) for r in jobs.dead(session, site_id=site_id, limit=limit)]

    def listed(
        self,
        *,
        statuses: Sequence[JobStatus],
        site_id: int | None = None,
        limit: int = 100,
    ) -> list[Job]:
        """Jobs in ``statuses`` (of ``site_id``), the most recently changed first."""
        with transaction(self._engine) as session:
            rows = jobs.listed(session, statuses=statuses, site_id=site_id, limit=limit)
            return [mapping.job(r) for r in rows]

    def retry(self, *, job_ids: Sequence[int] | None = None, site_id: int | None = None) -> int:
        with transaction(self._writer) as session:
            return jobs.retry(session, job_ids=job_ids, site_id=site_id, now=self._clock())

    def note_waiting(self, lang: Lang, *, reason: str) -> int:
        with transaction(self._writer) as session:
            return jobs.note_waiting(session, lang=lang, reason=reason, now=self._clock())

    def get(self, job_id: int) -> Job:
        with transaction(self._engine) as session:
            return mapping.job(jobs.get(session, job_id))

    def counts(self, *, site_id: int | None = None) -> dict[JobStatus, int]:
        with transaction(self._engine) as session:
            return jobs.counts(session, site_id=site_id)

    def pending_langs(self) -> list[Lang]:
        with transaction(self._engine) as session:
            return jobs.pending_langs(session, now=self._clock())
