"""Announcing recorded editions: the job row is the webhook events' transactional outbox.

The worker completes a job (status ``done``) in the transaction that stores its edition
(:meth:`warta.store.repository.Store.record_translations`), with ``announced_at`` NULL: the job
owes its webhook events. :meth:`Announcer.announce_pending` writes them: in one write transaction
it takes done, unannounced jobs (the partial index ``ix_jobs_unannounced``; on PostgreSQL
``FOR UPDATE SKIP LOCKED``, on SQLite the single writer lock), re-checked under that lock, inserts
their events into the outbox (:func:`warta.store.webhooks.enqueue`) and sets ``announced_at``.
So a process that dies after the edition's commit leaves the job unannounced and the next
announcer writes its events; two announcers never write one job's events twice; and no event
is lost. Jobs of sites with no active webhook are marked announced with nothing written.

Who calls it: the worker after each recorded edition (:meth:`warta.services.Services.worker`;
one indexed read when nothing is pending), and :class:`~warta.integrations.webhooks
.WebhookDispatcher` before each round (``warta webhooks deliver --watch``, ``warta serve``), which
sweeps what a crashed worker left.

The events are those :meth:`~warta.integrations.webhooks.EditionEvents.recorded` makes:
``edition.translated``, ``edition.updated`` or ``edition.flagged`` by the edition's status and
revision, then ``edition.published`` where the site's policy publishes it without an editor. They
describe the edition *as stored when the events are written*: if it was corrected, approved or
translated again between the job's commit and its announcement (a crashed worker's job announced
by a later sweep), the event carries that newer state; a job whose edition is no longer
translated (failed, pending) writes no event.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session

from warta.domain import Edition, JobStatus, Revision
from warta.errors import WartaError
from warta.integrations.webhooks import (
    WebhookEvent,
    announces_published,
    classify,
    edition_data,
    event_body,
)
from warta.languages import Lang
from warta.store import catalog, editions, mapping
from warta.store.policies import publications_for
from warta.store.tables import ArticleRow, JobRow, RevisionRow
from warta.store.transactional import Transactional
from warta.store.webhooks import Webhook, active_hooks, enqueue

__all__ = ["Announcer"]

log = logging.getLogger(__name__)


# SQLite would rather range-scan ix_jobs_claim over every done job (it keeps no statistics
# unless ANALYZEd): name the partial index, whose WHERE this query's literally implies.
_SQLITE_UNANNOUNCED = text(
    "SELECT id FROM jobs INDEXED BY ix_jobs_unannounced"
    " WHERE status = 'done' AND announced_at IS NULL ORDER BY id LIMIT :limit"
)


def _unannounced_ids(session: Session, *, limit: int, lock: bool) -> list[int]:
    """Ids of done jobs not announced yet, oldest first, from the partial index
    ``ix_jobs_unannounced``; ``lock``: on PostgreSQL, locked (skipping those another holds)."""
    if session.get_bind().dialect.name == "sqlite":
        return [int(i) for i in session.scalars(_SQLITE_UNANNOUNCED, {"limit": limit})]
    query = (
        select(JobRow.id)
        .where(
            JobRow.status == literal_column(f"'{JobStatus.DONE.value}'"),
            JobRow.announced_at.is_(None),
        )
        .order_by(JobRow.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class _Owed:
    """A done job owing its events, with what they are built from (read under the lock)."""

    job: JobRow
    site_id: int
    external_id: str
    edition: Edition
    revision: Revision
    event: WebhookEvent | None


class Announcer(Transactional):
    """Writes the webhook events of done jobs that have not announced them yet."""

    def pending(self) -> bool:
        """Whether any done job owes its events (one read of the partial index, no lock)."""
        with self._read() as session:
            return bool(_unannounced_ids(session, limit=1, lock=False))

    def announce_pending(self, *, limit: int = 100) -> int:
        """Write the events of up to ``limit`` unannounced done jobs, oldest first, and mark them
        announced, in one transaction; returns how many jobs were marked.

        Jobs another announcer holds (PostgreSQL) are skipped, and it writes their events. A job
        whose events cannot be built (a WartaError, logged) stays unannounced for the next run.
        """
        if not self.pending():
            return 0
        with self._write() as session:
            return self._announce(session, limit=limit)

    def _announce(self, session: Session, *, limit: int) -> int:
        # Under the lock (SQLite: this transaction's; PostgreSQL: the rows'), so a job another
        # announcer marked meanwhile is not read as unannounced.
        ids = _unannounced_ids(session, limit=limit, lock=True)
        if not ids:
            return 0
        found = session.execute(
            select(JobRow, RevisionRow, ArticleRow.site_id, ArticleRow.external_id)
            .join(RevisionRow, RevisionRow.id == JobRow.revision_id)
            .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
            .where(JobRow.id.in_(ids))
            .order_by(JobRow.id)
        ).all()
        hooks = active_hooks(session, {site_id for _, _, site_id, _ in found})
        now = self._clock()
        owed: list[_Owed] = []
        marked = 0
        for job, revision_row, site_id, external_id in found:
            if not hooks.get(site_id):
                job.announced_at = now  # nobody listens: nothing to write
                marked += 1
                continue
            try:
                edition = editions.get(session, revision_id=job.revision_id, lang=Lang(job.lang))
            except WartaError:
                log.exception("cannot build the webhook events of job %s", job.id)
                continue
            revision = mapping.revision(revision_row)
            owed.append(
                _Owed(
                    job=job,
                    site_id=site_id,
                    external_id=external_id,
                    edition=edition,
                    revision=revision,
                    event=classify(edition, revision),
                )
            )
        for site_id in dict.fromkeys(o.site_id for o in owed):
            of_site = [o for o in owed if o.site_id == site_id]
            self._write_events(session, of_site, hooks=hooks[site_id])
        for item in owed:
            item.job.announced_at = now
        session.flush()
        return marked + len(owed)

    def _write_events(self, session: Session, owed: list[_Owed], *, hooks: list[Webhook]) -> None:
        """The events of one site's jobs, in job order."""
        site_id = owed[0].site_id
        slug = catalog.site_row_by_id(session, site_id).slug
        judged = [o.edition for o in owed if o.event is not None]
        outcomes = publications_for(session, site_id=site_id, editions=judged, with_segments=True)
        now = self._clock()
        for item in owed:
            if item.event is None:
                continue
            outcome = outcomes[(item.edition.revision_id, item.edition.lang)]
            data = edition_data(
                item.edition,
                revision=item.revision,
                external_id=item.external_id,
                published=outcome.published,
            )
            events = [item.event]
            if announces_published(outcome):
                events.append(WebhookEvent.PUBLISHED)
            for event in events:
                event_id = str(uuid.uuid4())
                body = event_body(
                    event_id=event_id, event=event, created_at=now, site=slug, data=data
                )
                enqueue(
                    session,
                    hooks=hooks,
                    event_id=event_id,
                    event=event.value,
                    body=body,
                    now=now,
                )
