"""Reading articles as the integration API shows them: one article with its editions, and the
articles of a site changed since a time, in pages.

An article *changes* when its metadata or Indonesian text is stored again, or when an edition of
its current revision is written (translated, corrected, marked); ``changed_at`` is the latest of
those times. Pages are ordered by (changed_at, id) and continue after the last row of the previous
page (keyset pagination), so a portal that syncs with ``since`` never misses nor repeats a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from warta.domain import Article, Edition, EditionStatus, Revision, Site
from warta.errors import FieldError
from warta.languages import Lang
from warta.store import articles, catalog, editions, mapping
from warta.store.approvals import Approval
from warta.store.tables import ArticleRow, EditionApprovalRow, EditionRow, RevisionRow
from warta.store.transactional import Transactional
from warta.store.types import UtcDateTime

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class ArticleView:
    article: Article
    revision: Revision  # the current revision
    editions: tuple[Edition, ...]  # of the current revision; segments only from ``view``
    approvals: Mapping[Lang, Approval]  # approvals that still cover their edition
    changed_at: datetime

    def published(self, lang: Lang) -> bool:
        return lang in self.approvals

    def edition(self, lang: Lang) -> Edition | None:
        return next((e for e in self.editions if e.lang is lang), None)


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    site_id: int
    since: datetime | None = None
    category: str | None = None
    status: EditionStatus | None = None  # articles with at least one edition in this status
    lang: Lang | None = None  # ... in this language (with ``status``), or having this edition
    after: tuple[datetime, int] | None = None  # (changed_at, article id) of the previous page


def _latest_edition() -> ColumnElement[datetime]:
    return (
        select(func.max(EditionRow.updated_at))
        .join(RevisionRow, RevisionRow.id == EditionRow.revision_id)
        .where(
            RevisionRow.article_id == ArticleRow.id,
            RevisionRow.number == ArticleRow.current_revision,
        )
        .correlate(ArticleRow)
        .scalar_subquery()
    )


def _changed_at() -> ColumnElement[datetime]:
    latest = _latest_edition()
    return type_coerce(
        case((latest > ArticleRow.updated_at, latest), else_=ArticleRow.updated_at), UtcDateTime()
    )


def _approvals(
    session: Session, revisions: Sequence[int], found: Sequence[Edition]
) -> dict[int, dict[Lang, Approval]]:
    out: dict[int, dict[Lang, Approval]] = {r: {} for r in revisions}
    if not revisions:
        return out
    by_key = {(e.revision_id, e.lang): e for e in found}
    rows = session.scalars(
        select(EditionApprovalRow).where(EditionApprovalRow.revision_id.in_(list(revisions)))
    )
    for row in rows:
        approval = Approval(
            revision_id=row.revision_id,
            lang=Lang(row.lang),
            editor_id=row.editor_id,
            content_hash=row.content_hash,
            approved_at=row.approved_at,
        )
        edition = by_key.get((row.revision_id, approval.lang))
        if edition is not None and approval.covers(edition):
            out[row.revision_id][approval.lang] = approval
    return out


class ArticleQueries(Transactional):
    def site(self, site_id: int) -> Site:
        with self._read() as session:
            return mapping.site(catalog.site_row_by_id(session, site_id))

    def view(self, *, site_id: int, external_id: str) -> ArticleView:
        """One article of the site with its current revision and every edition (with segments).

        NotFoundError when the site has no such article, also when another site has one.
        """
        with self._read() as session:
            article = articles.get(session, site_id=site_id, external_id=external_id)
            revision = articles.current_revision(session, article.id)
            found = editions.list_for(session, revision.id)
            changed = session.scalars(
                select(_changed_at()).where(ArticleRow.id == article.id)
            ).one()
            approvals = _approvals(session, [revision.id], found)[revision.id]
            return ArticleView(
                article=article,
                revision=revision,
                editions=tuple(found),
                approvals=approvals,
                changed_at=changed,
            )

    def changed(self, where: ChangeFilter, *, limit: int) -> list[ArticleView]:
        """Articles of a site by (changed_at, id), oldest change first (editions: no segments)."""
        if not 1 <= limit <= MAX_PAGE:
            raise FieldError(
                f"cannot list {limit} articles at once",
                hint=f"ask for 1 to {MAX_PAGE} per page",
                field="limit",
            )
        changed = _changed_at()
        query = select(ArticleRow, RevisionRow, changed).join(
            RevisionRow,
            (RevisionRow.article_id == ArticleRow.id)
            & (RevisionRow.number == ArticleRow.current_revision),
        )
        query = query.where(ArticleRow.site_id == where.site_id)
        if where.since is not None:
            query = query.where(changed >= where.since)
        if where.category is not None:
            query = query.where(ArticleRow.category == where.category)
        if where.status is not None or where.lang is not None:
            conditions = [EditionRow.revision_id == RevisionRow.id]
            if where.status is not None:
                conditions.append(EditionRow.status == where.status.value)
            if where.lang is not None:
                conditions.append(EditionRow.lang == where.lang.value)
            query = query.where(exists().where(*conditions))
        if where.after is not None:
            at, last_id = where.after
            query = query.where(or_(changed > at, and_(changed == at, ArticleRow.id > last_id)))
        query = query.order_by(changed, ArticleRow.id).limit(limit)
        with self._read() as session:
            rows = list(session.execute(query))
            revision_ids = [revision.id for _, revision, _ in rows]
            by_revision: dict[int, list[Edition]] = {r: [] for r in revision_ids}
            if revision_ids:
                for row in session.scalars(
                    select(EditionRow).where(EditionRow.revision_id.in_(revision_ids))
                ):
                    by_revision[row.revision_id].append(mapping.edition(row, []))
            every = [e for found in by_revision.values() for e in found]
            approvals = _approvals(session, revision_ids, every)
            return [
                ArticleView(
                    article=mapping.article(article),
                    revision=mapping.revision(revision),
                    editions=tuple(
                        sorted(
                            by_revision[revision.id],
                            key=lambda e: editions.LANG_ORDER.get(e.lang.value, 99),
                        )
                    ),
                    approvals=approvals[revision.id],
                    changed_at=at,
                )
                for article, revision, at in rows
            ]
