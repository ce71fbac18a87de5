"""Editors' decisions on editions: approved or rejected, with a note, as the edition was then.

A decision is keyed by (revision, language): the latest one replaces the one before. It remembers
the hash of the content decided on (:func:`warta.publishing.content_hash`) and counts only while
the edition still has that content (a re-translation or a correction after it needs a new one).
What a decision does to readers is decided by :func:`warta.publishing.publication`.

Every decision is written with its audit entry (:func:`warta.store.audit.record`) in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.domain import Edition
from warta.languages import Lang
from warta.publishing import Decision, EditionDecision, content_hash
from warta.store import _sql, articles, audit, editions
from warta.store.tables import EditionApprovalRow
from warta.store.transactional import Transactional

# The record of a decision; "Approval" is the name the integration code has always used.
Approval = EditionDecision
edition_content_hash = content_hash

__all__ = ["Approval", "ApprovalStore", "decisions_for", "edition_content_hash"]


def _decision(row: EditionApprovalRow) -> EditionDecision:
    return EditionDecision(
        revision_id=row.revision_id,
        lang=Lang(row.lang),
        decision=Decision(row.decision),
        content_hash=row.content_hash,
        editor_id=row.editor_id,
        decided_at=row.approved_at,
        note=row.note,
    )


def decisions_for(
    session: Session, revision_ids: Sequence[int]
) -> dict[tuple[int, Lang], EditionDecision]:
    """The latest decision on each edition of these revisions (one query)."""
    if not revision_ids:
        return {}
    rows = session.scalars(
        select(EditionApprovalRow).where(
            EditionApprovalRow.revision_id.in_(list(dict.fromkeys(revision_ids)))
        )
    )
    return {(row.revision_id, Lang(row.lang)): _decision(row) for row in rows}


class ApprovalStore(Transactional):
    def approve(
        self, edition: Edition, *, editor_id: int | None, actor: str = "cli", note: str = ""
    ) -> EditionDecision:
        """Record (or renew) the approval of ``edition`` as it is now."""
        return self.decide(
            edition, decision=Decision.APPROVED, editor_id=editor_id, actor=actor, note=note
        )

    def reject(
        self, edition: Edition, *, editor_id: int | None, actor: str, note: str
    ) -> EditionDecision:
        """Record the rejection of ``edition`` as it is now (it is held until it changes)."""
        return self.decide(
            edition, decision=Decision.REJECTED, editor_id=editor_id, actor=actor, note=note
        )

    def decide(
        self,
        edition: Edition,
        *,
        decision: Decision,
        editor_id: int | None,
        actor: str,
        note: str = "",
    ) -> EditionDecision:
        """Store ``decision`` as the latest on ``edition``, with its audit entry."""
        now = self._clock()
        values = {
            "editor_id": editor_id,
            "content_hash": content_hash(edition),
            "approved_at": now,
            "decision": decision.value,
            "note": note,
        }
        with self._write() as session:
            revision = editions.require_revision(session, edition.revision_id)
            article = articles.article_row(session, revision.article_id)
            before = session.scalars(
                select(EditionApprovalRow.decision).where(
                    EditionApprovalRow.revision_id == edition.revision_id,
                    EditionApprovalRow.lang == edition.lang.value,
                )
            ).one_or_none()
            session.execute(
                _sql.insert(session, EditionApprovalRow)
                .values(revision_id=edition.revision_id, lang=edition.lang.value, **values)
                .on_conflict_do_update(index_elements=["revision_id", "lang"], set_=values)
            )
            audit.record(
                session,
                site_id=article.site_id,
                actor=actor,
                action=f"edition.{decision.value}",
                subject=(
                    f"article {article.external_id} rev {revision.number} {edition.lang.value}"
                ),
                now=now,
                revision_id=edition.revision_id,
                lang=edition.lang,
                before=before,
                after=f"{decision.value}: {note}" if note else decision.value,
            )
            row = session.scalars(
                select(EditionApprovalRow).where(
                    EditionApprovalRow.revision_id == edition.revision_id,
                    EditionApprovalRow.lang == edition.lang.value,
                )
            ).one()
            return _decision(row)

    def for_revisions(self, revision_ids: Sequence[int]) -> dict[tuple[int, Lang], EditionDecision]:
        """The latest decision (approved or rejected) on each edition of these revisions."""
        with self._read() as session:
            return decisions_for(session, revision_ids)
