"""Translation jobs, at the row level: functions taking an open :class:`Session`.

Shared by :class:`warta.workers.queue.SqlJobQueue` (enqueue, claim, heartbeat, fail) and by
:class:`warta.store.repository.Store`, which queues jobs in the same transaction as a new revision
(an outbox) and completes them in the same transaction that stores the translation.

A job is *active* while queued or running; at most one active job exists per (revision, language),
enforced by a partial unique index, so enqueueing twice is a no-op even under races.

Claiming never counts an attempt: a lease lost to a crash, a kill or an outage (another claim
takes the job over once it expired) counts in ``lost_leases``. Only an error the job itself
raised uses an attempt (:func:`fail`); a transient one sends the job back with a delay in
``next_attempt_at``, a permanent one (or the last attempt) dead-letters it: status ``failed``,
its edition FAILED with the reason, until :func:`retry` queues it again.

Claims take the most urgent priority first (:class:`~warta.domain.JobPriority`) and, within one
priority, let sites take turns: each site's oldest job, then each site's second oldest, and so
on, so that one site's backlog does not hold every other site's news back.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, text, update
from sqlalchemy.orm import Session

from warta.domain import EditionStatus, JobErrorKind, JobPriority, JobStatus
from warta.errors import ConflictError, LeaseLostError, NotFoundError
from warta.languages import Lang
from warta.store import _sql
from warta.store.tables import ArticleRow, EditionRow, JobRow, RevisionRow

QUEUED = JobStatus.QUEUED.value
RUNNING = JobStatus.RUNNING.value
FAILED = JobStatus.FAILED.value
ACTIVE = (QUEUED, RUNNING)
ACTIVE_PREDICATE = text("status IN ('queued', 'running')")  # the partial unique index's WHERE
QUEUED_REASON = "queued for translation"


def claimable(now: datetime) -> ColumnElement[bool]:
    """Queued jobs whose backoff is over, and running jobs whose worker let the lease expire."""
    return or_(
        and_(
            JobRow.status == QUEUED,
            or_(JobRow.next_attempt_at.is_(None), JobRow.next_attempt_at <= now),
        ),
        and_(JobRow.status == RUNNING, JobRow.lease_expires_at < now),
    )


def lease_lost_message(worker: str | None) -> str:
    return f"worker {worker} stopped renewing its lease"


def site_of(session: Session, revision_id: int) -> int:
    """The site of a revision's article; NotFoundError if there is no such revision."""
    revision = session.get(RevisionRow, revision_id)
    if revision is None:
        raise NotFoundError(
            f"no revision {revision_id}",
            hint="list an article's revisions with `warta articles show`",
            revision_id=revision_id,
        )
    article = session.get(ArticleRow, revision.article_id)
    if article is None:  # pragma: no cover -- revisions.article_id is a foreign key
        raise NotFoundError(f"no article {revision.article_id}", article_id=revision.article_id)
    return article.site_id


def supersede_queued(session: Session, *, article_id: int, by: RevisionRow, now: datetime) -> int:
    """Queued jobs of the article's earlier revisions will not run: ``by`` replaced them.

    Running jobs finish (their worker holds a lease); their editions belong to a revision the
    site no longer shows. Dead-lettered (failed) jobs of those revisions leave the dead letter
    too: nothing is left to retry. Returns how many jobs were superseded.
    """
    older = select(RevisionRow.id).where(
        RevisionRow.article_id == article_id, RevisionRow.id != by.id
    )
    result = session.execute(
        update(JobRow)
        .where(JobRow.status.in_((QUEUED, FAILED)), JobRow.revision_id.in_(older))
        .values(
            status=JobStatus.SUPERSEDED.value,
            last_error=case(
                (JobRow.status == FAILED, JobRow.last_error),  # why it failed stays
                else_=f"superseded by revision {by.number}",
            ),
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
    session: Session,
    *,
    revision_id: int,
    lang: Lang,
    now: datetime,
    fresh: bool = False,
    priority: JobPriority = JobPriority.NEWS,
) -> JobRow:
    """Queue (revision, lang), or return its active job; makes a missing edition PENDING.

    ``fresh`` (an editor sent the edition back): the job ignores ENGINE memory entries. An active
    job that is still queued becomes fresh too; a running one is returned as it is (check its
    ``fresh``): it was planned already. An active job of a less urgent ``priority`` is raised to
    this one (a backfill job that breaking news now needs runs as news).
    """
    site_id = site_of(session, revision_id)
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
            priority=int(priority),
            site_id=site_id,
        )
        .on_conflict_do_nothing(
            index_elements=["revision_id", "lang"], index_where=ACTIVE_PREDICATE
        )
    )
    session.execute(stmt)
    session.execute(  # the edition's dead letter, if any, is replaced by its active job
        update(JobRow)
        .where(
            JobRow.revision_id == revision_id,
            JobRow.lang == lang.value,
            JobRow.status == FAILED,
        )
        .values(status=JobStatus.SUPERSEDED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    row = session.scalars(
        select(JobRow).where(
            JobRow.revision_id == revision_id,
            JobRow.lang == lang.value,
            JobRow.status.in_(ACTIVE),
        )
    ).one()
    changed = False
    if fresh and not row.fresh and row.status == QUEUED:
        row.fresh = True
        changed = True
    if int(priority) < row.priority:
        row.priority = int(priority)
        changed = True
    if changed:
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
    max_lost_leases: int,
    exclude: Collection[int] = (),
) -> list[JobRow]:
    """Lease up to ``limit`` claimable jobs to ``worker``: most urgent first, sites taking turns.

    ``exclude``: ids never claimed (the caller's jobs in hand, whose lease it failed to renew:
    taking them over would translate them twice).

    Candidates come from a window query (each site's jobs numbered oldest first within their
    priority; ordered by priority, that number, age); window functions cannot be combined with
    ``FOR UPDATE``, so the candidates are then locked with ``FOR UPDATE SKIP LOCKED``
    (PostgreSQL) and checked again, and concurrent claimers take different jobs; SQLite's write
    lock (``BEGIN IMMEDIATE``) serialises them. Claiming uses no attempt: a job taken over from
    a worker that stopped renewing its lease counts a lost lease. A job with no attempt left
    (``max_attempts`` lowered since), or that lost ``max_lost_leases`` leases (it may be what
    kills its workers), is dead-lettered instead.
    """
    claimed: list[JobRow] = []
    tried: set[int] = set(exclude)
    expires = now + timedelta(seconds=lease_seconds)
    while len(claimed) < limit:
        wanted = limit - len(claimed)
        ids = _candidates(session, lang=lang, now=now, limit=wanted, exclude=tried)
        if not ids:
            break
        tried.update(ids)
        locked = {
            row.id: row
            for row in session.scalars(
                select(JobRow)
                .where(JobRow.id.in_(ids), claimable(now))
                .with_for_update(skip_locked=True)
            )
        }
        for row in (locked[i] for i in ids if i in locked):
            if row.status == RUNNING:  # claimable while running: its worker vanished
                row.lost_leases += 1
                row.last_error = lease_lost_message(row.leased_by)
            if row.attempts >= max_attempts:
                _dead_letter(session, row, now=now, kind=JobErrorKind(row.error_kind))
                continue
            if row.lost_leases >= max_lost_leases:
                row.last_error = (
                    f"lost its lease {row.lost_leases} times (last: {row.last_error}); the job "
                    "may be what stops its workers"
                )
                _dead_letter(session, row, now=now, kind=JobErrorKind.PERMANENT)
                continue
            row.status = RUNNING
            row.leased_by = worker
            row.lease_expires_at = expires
            row.next_attempt_at = None
            row.updated_at = now
            claimed.append(row)
        session.flush()
    return claimed


def _candidates(
    session: Session, *, lang: Lang | None, now: datetime, limit: int, exclude: set[int]
) -> list[int]:
    """Ids of up to ``limit`` claimable jobs in claim order (priority, the site's turn, age)."""
    turn = (
        func.row_number()
        .over(
            partition_by=(JobRow.priority, JobRow.site_id),
            order_by=(JobRow.created_at, JobRow.id),
        )
        .label("turn")
    )
    ranked = select(JobRow.id, JobRow.priority, JobRow.created_at, turn).where(claimable(now))
    if lang is not None:
        ranked = ranked.where(JobRow.lang == lang.value)
    if exclude:
        ranked = ranked.where(JobRow.id.not_in(exclude))
    sub = ranked.subquery()
    return list(
        session.scalars(
            select(sub.c.id)
            .order_by(sub.c.priority, sub.c.turn, sub.c.created_at, sub.c.id)
            .limit(limit)
        )
    )


def _dead_letter(session: Session, row: JobRow, *, now: datetime, kind: JobErrorKind) -> None:
    """Fail the job for good, and its edition (if still pending) with the reason."""
    if not row.last_error:  # only if max_attempts was lowered since the job last failed
        row.last_error = f"gave up after {row.attempts} attempt(s)"
    row.status = FAILED
    row.error_kind = kind.value
    row.leased_by = None
    row.lease_expires_at = None
    row.next_attempt_at = None
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
        .execution_options(synchronize_session=False)
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


def extend_many(
    session: Session, job_ids: Sequence[int], *, worker: str, lease_seconds: int, now: datetime
) -> set[int]:
    """Renew ``worker``'s leases on ``job_ids`` in one statement; the ids it still holds.

    ``updated_at`` is left alone: a renewal is not a change of the job.
    """
    if not job_ids:
        return set()
    result = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(job_ids), JobRow.status == RUNNING, JobRow.leased_by == worker)
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(JobRow.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


def fail(
    session: Session,
    row: JobRow,
    *,
    error: str,
    kind: JobErrorKind,
    now: datetime,
    max_attempts: int,
    delay_seconds: float,
) -> None:
    """The job's own error uses an attempt: back in ``delay_seconds``, or dead letter.

    A TRANSIENT error with attempts left re-queues the job, claimable again once
    ``next_attempt_at`` (now + ``delay_seconds``) has come; a PERMANENT one, or the last
    attempt, dead-letters it (status failed, its pending edition FAILED with the reason).
    """
    row.attempts += 1
    row.last_error = error
    row.error_kind = kind.value
    if kind is JobErrorKind.PERMANENT or row.attempts >= max_attempts:
        _dead_letter(session, row, now=now, kind=kind)
        return
    row.status = QUEUED
    row.leased_by = None
    row.lease_expires_at = None
    row.next_attempt_at = now + timedelta(seconds=delay_seconds)
    row.updated_at = now
    session.execute(
        update(EditionRow)
        .where(
            EditionRow.revision_id == row.revision_id,
            EditionRow.lang == row.lang,
            EditionRow.status == EditionStatus.PENDING.value,
        )
        .values(
            reason=f"attempt {row.attempts} of {max_attempts} failed, retried from "
            f"{row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC: {error}",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def release(session: Session, job_ids: Sequence[int], *, worker: str, now: datetime) -> int:
    """Give ``worker``'s leased jobs back to the queue, no attempt used; how many it held."""
    if not job_ids:
        return 0
    result = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(job_ids), JobRow.status == RUNNING, JobRow.leased_by == worker)
        .values(
            status=QUEUED,
            leased_by=None,
            lease_expires_at=None,
            next_attempt_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def dead(session: Session, *, site_id: int | None, limit: int) -> list[JobRow]:
    """Dead-lettered (failed) jobs, the most recent first."""
    query = select(JobRow).where(JobRow.status == FAILED)
    if site_id is not None:
        query = query.where(JobRow.site_id == site_id)
    return list(
        session.scalars(query.order_by(JobRow.updated_at.desc(), JobRow.id.desc()).limit(limit))
    )


def listed(
    session: Session, *, statuses: Sequence[JobStatus], site_id: int | None, limit: int
) -> list[JobRow]:
    """Jobs in ``statuses``, the most recently changed first."""
    query = select(JobRow).where(JobRow.status.in_([s.value for s in statuses]))
    if site_id is not None:
        query = query.where(JobRow.site_id == site_id)
    return list(
        session.scalars(query.order_by(JobRow.updated_at.desc(), JobRow.id.desc()).limit(limit))
    )


def retry(
    session: Session, *, job_ids: Sequence[int] | None, site_id: int | None, now: datetime
) -> int:
    """Queue dead-lettered jobs again, attempts reset; how many were queued.

    ``job_ids``: these jobs (NotFoundError for one that does not exist, or is of another site
    than ``site_id``; ConflictError for one that is not failed); otherwise every failed job (of
    ``site_id``). A job whose revision is no longer its article's current one is superseded
    instead (the current revision has jobs of its own), and one whose edition has an active job
    already is left as it is; neither is counted. Its edition shows as queued again.
    """
    query = select(JobRow).where(JobRow.status == FAILED)
    if job_ids is not None:
        rows = {
            row.id: row for row in session.scalars(select(JobRow).where(JobRow.id.in_(job_ids)))
        }
        for job_id in job_ids:
            row = rows.get(job_id)
            if row is None or (site_id is not None and row.site_id != site_id):
                raise NotFoundError(
                    f"no translation job {job_id}"
                    + (f" on site {site_id}" if site_id is not None else ""),
                    hint="list failed jobs with `warta jobs list --state failed`",
                    job_id=job_id,
                )
            if row.status != FAILED:
                raise ConflictError(
                    f"job {job_id} is {row.status}, not failed: only failed jobs are retried",
                    hint="list failed jobs with `warta jobs list --state failed`",
                    job_id=job_id,
                    status=row.status,
                )
        query = query.where(JobRow.id.in_(job_ids))
    if site_id is not None:
        query = query.where(JobRow.site_id == site_id)
    queued = 0
    for row in session.scalars(query.order_by(JobRow.id).with_for_update()).all():
        revision = session.get(RevisionRow, row.revision_id)
        article = session.get(ArticleRow, revision.article_id) if revision else None
        if revision is None or article is None:  # pragma: no cover -- foreign keys cascade
            continue
        if revision.number != article.current_revision:
            row.status = JobStatus.SUPERSEDED.value
            row.last_error = f"superseded by revision {article.current_revision}"
            row.updated_at = now
            continue
        active = session.scalars(
            select(JobRow.id).where(
                JobRow.revision_id == row.revision_id,
                JobRow.lang == row.lang,
                JobRow.status.in_(ACTIVE),
            )
        ).first()
        if active is not None:
            continue
        row.status = QUEUED
        row.attempts = 0
        row.error_kind = JobErrorKind.NONE.value
        row.next_attempt_at = None
        row.leased_by = None
        row.lease_expires_at = None
        row.updated_at = now
        session.flush()
        _edition_queued(session, revision_id=row.revision_id, lang=Lang(row.lang), now=now)
        queued += 1
    session.flush()
    return queued


def complete(row: JobRow, *, provenance_key: str | None, now: datetime) -> None:
    row.status = JobStatus.DONE.value
    row.provenance_key = provenance_key
    row.lease_expires_at = None
    row.next_attempt_at = None
    row.updated_at = now
    row.announced_at = None  # its webhook events are owed (warta.integrations.announce)


def insert_queued(
    session: Session,
    *,
    revision_id: int,
    langs: Sequence[Lang],
    now: datetime,
    priority: JobPriority = JobPriority.NEWS,
) -> list[JobRow]:
    """New queued jobs for a brand-new revision (no active job can exist for it yet)."""
    site_id = site_of(session, revision_id) if langs else None
    rows = [
        JobRow(
            revision_id=revision_id,
            lang=lang.value,
            status=QUEUED,
            attempts=0,
            last_error="",
            created_at=now,
            updated_at=now,
            priority=int(priority),
            site_id=site_id,
        )
        for lang in langs
    ]
    session.add_all(rows)
    session.flush()
    return rows


def note_waiting(session: Session, *, lang: Lang, reason: str, now: datetime) -> int:
    """Set ``reason`` on the pending editions that have an active job of ``lang``: one UPDATE.

    Editions that say so already are left alone. Returns how many editions changed.
    """
    waiting = select(JobRow.revision_id).where(JobRow.lang == lang.value, JobRow.status.in_(ACTIVE))
    result = session.execute(
        update(EditionRow)
        .where(
            EditionRow.lang == lang.value,
            EditionRow.status == EditionStatus.PENDING.value,
            EditionRow.reason != reason,
            EditionRow.revision_id.in_(waiting),
        )
        .values(reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(session: Session, *, site_id: int | None = None) -> dict[JobStatus, int]:
    query = select(JobRow.status, func.count()).group_by(JobRow.status)
    if site_id is not None:
        query = query.where(JobRow.site_id == site_id)
    found = dict(session.execute(query).all())
    return {status: int(found.get(status.value, 0)) for status in JobStatus}


def pending_langs(session: Session, *, now: datetime) -> list[Lang]:
    """Languages with claimable jobs: the most urgent priority first, then the longest waiting."""
    rows = session.execute(
        select(
            JobRow.lang,
            func.min(JobRow.priority).label("urgent"),
            func.min(JobRow.created_at).label("oldest"),
        )
        .where(claimable(now))
        .group_by(JobRow.lang)
        .order_by("urgent", "oldest", JobRow.lang)
    )
    return [Lang(lang) for lang, _, _ in rows]
