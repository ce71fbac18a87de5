"""The audit log: who did what, when, with the text before and after.

Rows are only ever inserted. :func:`record` runs inside the caller's transaction, so an action
and its audit entry are stored together or not at all; :class:`AuditStore` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.languages import Lang
from warta.store.tables import AuditRow
from warta.store.transactional import Transactional

MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    site_id: int
    actor: str  # an editor's email, or "cli", "api:<key prefix>", "worker"
    action: str  # e.g. "segment.corrected", "edition.approved", "glossary.term_added"
    subject: str  # what it was done to, in words: "article cms-1 rev 2 ja segment 4"
    revision_id: int | None
    lang: Lang | None
    position: int | None
    before: str | None
    after: str | None
    created_at: datetime


def record(
    session: Session,
    *,
    site_id: int,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    revision_id: int | None = None,
    lang: Lang | None = None,
    position: int | None = None,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Add one entry in the caller's transaction."""
    session.add(
        AuditRow(
            site_id=site_id,
            actor=actor,
            action=action,
            subject=subject,
            revision_id=revision_id,
            lang=lang.value if lang is not None else None,
            position=position,
            before=before,
            after=after,
            created_at=now,
        )
    )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        site_id=row.site_id,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        revision_id=row.revision_id,
        lang=Lang(row.lang) if row.lang else None,
        position=row.position,
        before=row.before,
        after=row.after,
        created_at=row.created_at,
    )


class AuditStore(Transactional):
    def entries(
        self,
        *,
        site_id: int,
        revision_id: int | None = None,
        lang: Lang | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """A site's entries, newest first; of one edition when ``revision_id``/``lang`` given."""
        query = select(AuditRow).where(AuditRow.site_id == site_id)
        if revision_id is not None:
            query = query.where(AuditRow.revision_id == revision_id)
        if lang is not None:
            query = query.where(AuditRow.lang == lang.value)
        query = query.order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
        with self._read() as session:
            rows = session.scalars(query.limit(max(1, min(limit, MAX_LIMIT))))
            return [_entry(row) for row in rows]
