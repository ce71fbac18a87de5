"""Translation jobs, at the row level: functions taking an open :class:`Session`.

Shared by :class:`warta.workers.queue.SqlJobQueue` (enqueue, claim, heartbeat, fail) and by
:class:`warta.store.repository.Store`, which queues jobs in the same transaction as a new revision
(an outbox) and completes them in the same transaction that stores the translation.

A job is *active* while queued or running; at most one active job exists per (revision, language),
enforced by a partial unique index, so enqueueing twice is a no-op even under races.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from warta.domain import EditionStatus, JobStatus
from warta.errors import LeaseLostError, NotFoundError
from warta.languages import Lang
from warta.store import _sql
from warta.store.tables import EditionRow, JobRow, RevisionRow

QUEUED = JobStatus.QUEUED.value
RUNNING = JobStatus.RUNNING.value
ACTIVE = (QUEUED, RUNNING)
ACTIVE_PREDICATE = text("status IN ('queued', 'running')")  # the partial unique index's WHERE
QUEUED_REASON = "queued for translation"


def claimable(now: datetime) -> ColumnElement[bool]:
    """Queued jobs, and running jobs whose worker let the lease expire (it vanished)."""
    return or_(
        JobRow.status == QUEUED,
        and_(JobRow.status == RUNNING, JobRow.lease_expires_at < now),
    )


def supersede_queued(session: Session, *, article_id: int, by: RevisionRow, now: datetime) -> int:
    """Queued jobs of the article's earlier revisions will not run: ``by`` replaced them.

    Running jobs finish (their worker holds a lease); their editions belong to a revision the
    site no longer shows. Returns how many jobs were superseded.
    """
    older = select(RevisionRow.id).where(
        RevisionRow.article_id == article_id, RevisionRow.id != by.id
    )
    result = session.execute(
        update(JobRow)
        .where(JobRow.status == QUEUED, JobRow.revision_id.in_(older))
        .values(
            status=JobStatus.SUPERSEDED.value,
            last_error=f"superseded by revision {by.number}",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def get(session: Session, job_id: int, *, lock: bool = False) -> JobRow:
    query = select(JobRow).where(JobRow.id == job_id)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(
            f"no translation job {job_id}",
            hint="list jobs with `warta status`",
            job_id=job_id,
        )
    return row


def enqueue(
    session: Session, *, revision_id: int, lang: Lang, now: datetime, fresh: bool = False
) -> JobRow:
    """Queue (revision, lang), or return its active job; makes a missing edition PENDING.

    ``fresh`` (an editor sent the edition back): the job ignores ENGINE memory entries. An active
    job that is still queued becomes fresh too; a running one is returned as it is (check its
    ``fresh``): it was planned already.
    """
    if session.get(RevisionRow, revision_id) is None:
        raise NotFoundError(
            f"no revision {revision_id}",
            hint="list an article's revisions with `warta articles show`",
            revision_id=revision_id,
        )
    stmt = (
        _sql.insert(session, JobRow)
        .values(
            revision_id=revision_id,
            lang=lang.value,
            status=QUEUED,
            attempts=0,
            last_error="",
            created_at=now,
            updated_at=now,
            fresh=fresh,
        )
        .on_conflict_do_nothing(
            index_elements=["revision_id", "lang"], index_where=ACTIVE_PREDICATE
        )
    )
    session.execute(stmt)
    row = session.scalars(
        select(JobRow).where(
            JobRow.revision_id == revision_id,
            JobRow.lang == lang.value,
            JobRow.status.in_(ACTIVE),
        )
    ).one()
    if fresh and not row.fresh and row.status == QUEUED:
        row.fresh = True
        row.updated_at = now
        session.flush()
    _edition_queued(session, revision_id=revision_id, lang=lang, now=now)
    return row


def _edition_queued(session: Session, *, revision_id: int, lang: Lang, now: datetime) -> None:
    """Show the edition as queued, unless a translation is already published for it."""
    waiting = (EditionStatus.PENDING.value, EditionStatus.FAILED.value)
    stmt = (
        _sql.insert(session, EditionRow)
        .values(
            revision_id=revision_id,
            lang=lang.value,
            status=EditionStatus.PENDING.value,
            reason=QUEUED_REASON,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["revision_id", "lang"],
            set_={
                "status": EditionStatus.PENDING.value,
                "reason": QUEUED_REASON,
                "updated_at": now,
            },
            where=EditionRow.status.in_(waiting),
        )
    )
    session.execute(stmt)


def claim(
    session: Session,
    *,
    worker: str,
    limit: int,
    lease_seconds: int,
    lang: Lang | None,
    now: datetime,
    max_attempts: int,
) -> list[JobRow]:
    """Lease up to ``limit`` claimable jobs to ``worker``, oldest first.

    Rows are locked with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so concurrent claimers take
    different jobs; SQLite's write lock (``BEGIN IMMEDIATE``) serialises them. A job already
    claimed ``max_attempts`` times is failed instead, keeping its last error.
    """
    claimed: list[JobRow] = []
    expires = now + timedelta(seconds=lease_seconds)
    while len(claimed) < limit:
        query = select(JobRow).where(claimable(now))
        if lang is not None:
            query = query.where(JobRow.lang == lang.value)
        query = (
            query.order_by(JobRow.created_at, JobRow.id)
            .limit(limit - len(claimed))
            .with_for_update(skip_locked=True)
        )
        rows = list(session.scalars(query))
        if not rows:
            break
        for row in rows:
            if row.status == RUNNING:  # claimable while running: its worker vanished
                row.last_error = f"worker {row.leased_by} stopped renewing its lease"
            if row.attempts >= max_attempts:
                _give_up(session, row, now=now)
                continue
            row.status = RUNNING
            row.attempts += 1
            row.leased_by = worker
            row.lease_expires_at = expires
            row.updated_at = now
            claimed.append(row)
        session.flush()
    return claimed


def _give_up(session: Session, row: JobRow, *, now: datetime) -> None:
    if not row.last_error:  # only if max_attempts was lowered since the job was last claimed
        row.last_error = f"gave up after {row.attempts} attempt(s)"
    row.status = JobStatus.FAILED.value
    row.leased_by = None
    row.lease_expires_at = None
    row.updated_at = now
    session.execute(
        update(EditionRow)
        .where(
            EditionRow.revision_id == row.revision_id,
            EditionRow.lang == row.lang,
            EditionRow.status == EditionStatus.PENDING.value,
        )
        .values(
            status=EditionStatus.FAILED.value,
            reason=f"translation failed after {row.attempts} attempt(s): {row.last_error}",
            updated_at=now,
        )
    )


def held(session: Session, job_id: int, *, worker: str) -> JobRow:
    """The job, locked, if ``worker`` still holds its lease; LeaseLostError otherwise.

    A lease that expired but was not yet taken over still counts as held: nobody else can take
    it while this transaction holds the row.
    """
    row = get(session, job_id, lock=True)
    if row.status != RUNNING or row.leased_by != worker:
        raise LeaseLostError(
            f"worker {worker} no longer holds job {job_id} "
            f"(status {row.status}, leased by {row.leased_by or 'nobody'})",
            job_id=job_id,
            worker=worker,
            leased_by=row.leased_by,
            status=row.status,
        )
    return row


def extend(row: JobRow, *, lease_seconds: int, now: datetime) -> None:
    row.lease_expires_at = now + timedelta(seconds=lease_seconds)
    row.updated_at = now


def fail(row: JobRow, *, error: str, retry: bool, now: datetime) -> None:
    row.status = QUEUED if retry else JobStatus.FAILED.value
    row.last_error = error
    row.leased_by = None
    row.lease_expires_at = None
    row.updated_at = now


def complete(row: JobRow, *, provenance_key: str | None, now: datetime) -> None:
    row.status = JobStatus.DONE.value
    row.provenance_key = provenance_key
    row.lease_expires_at = None
    row.updated_at = now


def insert_queued(
    session: Session, *, revision_id: int, langs: Sequence[Lang], now: datetime
) -> list[JobRow]:
    """New queued jobs for a brand-new revision (no active job can exist for it yet)."""
    rows = [
        JobRow(
            revision_id=revision_id,
            lang=lang.value,
            status=QUEUED,
            attempts=0,
            last_error="",
            created_at=now,
            updated_at=now,
        )
        for lang in langs
    ]
    session.add_all(rows)
    session.flush()
    return rows


def counts(session: Session) -> dict[JobStatus, int]:
    found = dict(session.execute(select(JobRow.status, func.count()).group_by(JobRow.status)).all())
    return {status: int(found.get(status.value, 0)) for status in JobStatus}


def pending_langs(session: Session, *, now: datetime) -> list[Lang]:
    """Languages with claimable jobs, the one waiting longest first."""
    rows = session.execute(
        select(JobRow.lang, func.min(JobRow.created_at).label("oldest"))
        .where(claimable(now))
        .group_by(JobRow.lang)
        .order_by("oldest", JobRow.lang)
    )
    return [Lang(lang) for lang, _ in rows]
