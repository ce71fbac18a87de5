"""Edition approvals: an editor published an edition as it was at that moment.

An approval is keyed by (revision, language) and remembers the hash of the content approved; it
counts only while the edition still has that content (a re-translation or a correction after the
approval needs a new one). The hash is :func:`edition_content_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from warta.domain import Edition
from warta.languages import Lang
from warta.store import _sql, editions
from warta.store.tables import EditionApprovalRow
from warta.store.transactional import Transactional


@dataclass(frozen=True, slots=True)
class Approval:
    revision_id: int
    lang: Lang
    editor_id: int | None
    content_hash: str
    approved_at: datetime

    def covers(self, edition: Edition) -> bool:
        """True if ``edition`` still has the content that was approved."""
        return (
            edition.revision_id == self.revision_id
            and edition.lang is self.lang
            and edition_content_hash(edition) == self.content_hash
        )


def edition_content_hash(edition: Edition) -> str:
    content = edition.content
    parts = [content.title, content.lead, content.body_html] if content else []
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _approval(row: EditionApprovalRow) -> Approval:
    return Approval(
        revision_id=row.revision_id,
        lang=Lang(row.lang),
        editor_id=row.editor_id,
        content_hash=row.content_hash,
        approved_at=row.approved_at,
    )


class ApprovalStore(Transactional):
    def approve(self, edition: Edition, *, editor_id: int | None) -> Approval:
        """Record (or renew) the approval of ``edition`` as it is now."""
        values = {
            "editor_id": editor_id,
            "content_hash": edition_content_hash(edition),
            "approved_at": self._clock(),
        }
        with self._write() as session:
            editions.require_revision(session, edition.revision_id)
            session.execute(
                _sql.insert(session, EditionApprovalRow)
                .values(revision_id=edition.revision_id, lang=edition.lang.value, **values)
                .on_conflict_do_update(index_elements=["revision_id", "lang"], set_=values)
            )
            row = session.scalars(
                select(EditionApprovalRow).where(
                    EditionApprovalRow.revision_id == edition.revision_id,
                    EditionApprovalRow.lang == edition.lang.value,
                )
            ).one()
            return _approval(row)

    def for_revisions(self, revision_ids: Sequence[int]) -> dict[tuple[int, Lang], Approval]:
        if not revision_ids:
            return {}
        with self._read() as session:
            rows = session.scalars(
                select(EditionApprovalRow).where(
                    EditionApprovalRow.revision_id.in_(list(revision_ids))
                )
            )
            return {(row.revision_id, Lang(row.lang)): _approval(row) for row in rows}
