"""The translation job queue: a :class:`JobQueue` Protocol and its SQL implementation.

The job row is the truth. A worker *claims* jobs, which leases them to it for ``lease_seconds``;
it renews the lease with :meth:`JobQueue.heartbeat` while it works and finishes a job either with
:meth:`warta.store.repository.Store.record_translation` (the result and the job's completion in one
transaction) or with :meth:`JobQueue.fail`. A worker that vanishes simply stops renewing: once its
lease expires, the next claim takes the job over, and the old worker's late result is refused
with :class:`~warta.errors.LeaseLostError`. A job claimed ``max_attempts`` times fails for good.

Because all state lives in the row, another transport can drive the same jobs later (e.g. Celery
tasks over Redis that carry only job ids, and claim, record or fail them through this queue).
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy

from warta.domain import Job, JobStatus
from warta.errors import FieldError
from warta.languages import Lang
from warta.store import jobs, mapping
from warta.store.clock import Clock, utcnow
from warta.store.session import transaction, writer


class JobQueue(Protocol):
    def enqueue(self, *, revision_id: int, lang: Lang, fresh: bool = False) -> Job:
        """Queue a translation; returns the active (queued or running) job if there is one.

        ``fresh``: sent back by an editor, the job reuses no ENGINE memory (HUMAN still).
        """
        ...

    def claim(
        self, *, worker: str, limit: int, lease_seconds: int, lang: Lang | None = None
    ) -> list[Job]:
        """Lease up to ``limit`` jobs (queued, or running with an expired lease), oldest first."""
        ...

    def heartbeat(self, job_id: int, *, worker: str, lease_seconds: int) -> None:
        """Renew the lease; LeaseLostError if ``worker`` no longer holds the job."""
        ...

    def fail(self, job_id: int, *, worker: str, error: str, retry: bool) -> Job:
        """Give the job up: back to the queue (``retry``) or failed for good."""
        ...

    def get(self, job_id: int) -> Job: ...

    def counts(self) -> dict[JobStatus, int]: ...

    def pending_langs(self) -> list[Lang]:
        """Languages with claimable jobs, the one waiting longest first (to batch by language)."""
        ...


class SqlJobQueue:
    """:class:`JobQueue` on the warta database (SQLite or PostgreSQL)."""

    def __init__(
        self, engine: sqlalchemy.Engine, *, clock: Clock = utcnow, max_attempts: int = 3
    ) -> None:
        if max_attempts < 1:
            raise FieldError(
                f"max_attempts must be at least 1, not {max_attempts}",
                hint="set WARTA_JOB_MAX_ATTEMPTS to 1 or more",
                field="max_attempts",
            )
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock
        self.max_attempts = max_attempts

    def enqueue(self, *, revision_id: int, lang: Lang, fresh: bool = False) -> Job:
        with transaction(self._writer) as session:
            row = jobs.enqueue(
                session, revision_id=revision_id, lang=lang, now=self._clock(), fresh=fresh
            )
            return mapping.job(row)

    def claim(
        self, *, worker: str, limit: int, lease_seconds: int, lang: Lang | None = None
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
            )
            return [mapping.job(row) for row in rows]

    def heartbeat(self, job_id: int, *, worker: str, lease_seconds: int) -> None:
        with transaction(self._writer) as session:
            row = jobs.held(session, job_id, worker=worker)
            jobs.extend(row, lease_seconds=lease_seconds, now=self._clock())

    def fail(self, job_id: int, *, worker: str, error: str, retry: bool) -> Job:
        with transaction(self._writer) as session:
            row = jobs.held(session, job_id, worker=worker)
            jobs.fail(row, error=error, retry=retry, now=self._clock())
            session.flush()
            return mapping.job(row)

    def get(self, job_id: int) -> Job:
        with transaction(self._engine) as session:
            return mapping.job(jobs.get(session, job_id))

    def counts(self) -> dict[JobStatus, int]:
        with transaction(self._engine) as session:
            return jobs.counts(session)

    def pending_langs(self) -> list[Lang]:
        with transaction(self._engine) as session:
            return jobs.pending_langs(session, now=self._clock())
