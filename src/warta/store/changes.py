"""Reading articles as the integration API shows them: one article with its editions, and the
articles of a site changed since a time, in pages.

An article *changes* when its metadata or Indonesian text is stored again, or when an edition of
its current revision is written (translated, corrected, marked); ``changed_at`` is the latest of
those times. Pages are ordered by (changed_at, id) and continue after the last row of the previous
page (keyset pagination), so a portal that syncs with ``since`` never misses nor repeats a row.

Each view says which editions are *published* (:mod:`warta.publishing`, the rule the site and
the webhooks follow too), read in a fixed number of queries per page. :func:`queue_items` is the
review desk's queue: the editions of current revisions with their flagged-segment counts in one
query, and ``held`` for editions translated but not published under the site's policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

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
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from warta.domain import Article, Edition, EditionStatus, PublishingPolicy, Revision, Site
from warta.errors import FieldError
from warta.languages import Lang
from warta.publishing import DEFAULT_POLICY, EditionDecision, Hold, Publication, publication
from warta.store import articles, catalog, editions, mapping
from warta.store.approvals import decisions_for
from warta.store.policies import policies_for, publications_for
from warta.store.tables import ArticleRow, EditionRow, EditionSegmentRow, RevisionRow
from warta.store.transactional import Transactional
from warta.store.types import UtcDateTime

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class ArticleView:
    article: Article
    revision: Revision  # the current revision
    editions: tuple[Edition, ...]  # of the current revision; segments only from ``view``
    decisions: Mapping[Lang, EditionDecision]  # the latest decision on each edition (any)
    publications: Mapping[Lang, Publication]  # of each edition (warta.publishing)
    changed_at: datetime

    def published(self, lang: Lang) -> bool:
        """The edition is published (the same rule as the site's and the webhooks')."""
        found = self.publications.get(lang)
        return found is not None and found.published

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
    published: bool | None = None  # articles with (True) / without (False) a published edition
    # (in ``lang`` if given, else in any language)


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


def _judged(
    session: Session,
    *,
    site_id: int,
    revisions: Sequence[int],
    found: Sequence[Edition],
    with_segments: bool,
) -> tuple[dict[int, dict[Lang, EditionDecision]], dict[int, dict[Lang, Publication]]]:
    """Decisions and publications of the editions ``found``, by revision (batched reads)."""
    decisions: dict[int, dict[Lang, EditionDecision]] = {r: {} for r in revisions}
    judged: dict[int, dict[Lang, Publication]] = {r: {} for r in revisions}
    every = decisions_for(session, revisions)
    for (revision_id, lang), decision in every.items():
        decisions.setdefault(revision_id, {})[lang] = decision
    published = publications_for(
        session, site_id=site_id, editions=found, with_segments=with_segments, decisions=every
    )
    for (revision_id, lang), outcome in published.items():
        judged.setdefault(revision_id, {})[lang] = outcome
    return decisions, judged


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
            decisions, judged = _judged(
                session,
                site_id=site_id,
                revisions=[revision.id],
                found=found,
                with_segments=True,
            )
            return ArticleView(
                article=article,
                revision=revision,
                editions=tuple(found),
                decisions=decisions[revision.id],
                publications=judged[revision.id],
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
        after = where.after
        found: list[ArticleView] = []
        with self._read() as session:
            while len(found) < limit:
                page = query
                if after is not None:
                    at, last_id = after
                    page = page.where(
                        or_(changed > at, and_(changed == at, ArticleRow.id > last_id))
                    )
                rows = list(session.execute(page.order_by(changed, ArticleRow.id).limit(limit)))
                views = self._views(session, where.site_id, rows)
                found += [v for v in views if _wanted(v, where)][: limit - len(found)]
                if len(rows) < limit or where.published is None:
                    break
                after = (views[-1].changed_at, views[-1].article.id)
        return found

    def publication(self, *, site_id: int, edition: Edition) -> Publication:
        """Whether ``edition`` (of the site) is published now, and why not (a few reads)."""
        with self._read() as session:
            found = publications_for(
                session,
                site_id=site_id,
                editions=[edition],
                with_segments=bool(edition.segments) or edition.content is None,
            )
            return found[(edition.revision_id, edition.lang)]

    def queue(self, where: QueueFilter, *, limit: int = 50, offset: int = 0) -> list[QueueItem]:
        """The desk's review queue (see :func:`queue_items`)."""
        if not 1 <= limit <= MAX_QUEUE or offset < 0:
            raise FieldError(
                f"cannot list {limit} editions from offset {offset}",
                hint=f"ask for 1 to {MAX_QUEUE} per page, from an offset of 0 or more",
                field="limit" if offset >= 0 else "offset",
            )
        with self._read() as session:
            catalog.site_row_by_id(session, where.site_id)
            return queue_items(session, where, limit=limit, offset=offset)

    def _views(
        self,
        session: Session,
        site_id: int,
        rows: Sequence[Row[ArticleRow, RevisionRow, datetime]],
    ) -> list[ArticleView]:
        revision_ids = [revision.id for _, revision, _ in rows]
        by_revision: dict[int, list[Edition]] = {r: [] for r in revision_ids}
        if revision_ids:
            for row in session.scalars(
                select(EditionRow).where(EditionRow.revision_id.in_(revision_ids))
            ):
                by_revision[row.revision_id].append(mapping.edition(row, []))
        every = [e for found in by_revision.values() for e in found]
        decisions, judged = _judged(
            session, site_id=site_id, revisions=revision_ids, found=every, with_segments=False
        )
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
                decisions=decisions[revision.id],
                publications=judged[revision.id],
                changed_at=at,
            )
            for article, revision, at in rows
        ]


def _wanted(view: ArticleView, where: ChangeFilter) -> bool:
    if where.published is None:
        return True
    langs = [where.lang] if where.lang is not None else [e.lang for e in view.editions]
    return any(view.published(lang) for lang in langs) is where.published


# --- the desk's review queue --------------------------------------------------------------------


class QueueStatus(StrEnum):
    """An edition's status as the desk shows it: ``held`` is translated but not published."""

    PENDING = "pending"
    TRANSLATED = "translated"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    HELD = "held"  # translated, but held by the site's policy or an editor's rejection


class QueueOrder(StrEnum):
    NEWEST = "newest"  # the most recently changed edition first
    FLAGGED = "flagged"  # the most flagged segments first, then the newest


@dataclass(frozen=True, slots=True)
class QueueItem:
    external_id: str
    article_id: int
    revision: int  # the current revision's number
    title: str  # the Indonesian title
    lang: Lang
    status: QueueStatus
    reason: str  # the edition's reason, or why it is held
    flagged: int  # segments with a quality flag
    segments: int
    published: bool
    updated_at: datetime
    policy: PublishingPolicy = PublishingPolicy.AUTO
    version: int = 1  # the edition's version
    hold: Hold | None = None


@dataclass(frozen=True, slots=True)
class QueueFilter:
    site_id: int
    lang: Lang | None = None
    status: QueueStatus | None = None
    flagged: bool | None = None  # with (True) / without (False) a flagged segment
    order: QueueOrder = QueueOrder.NEWEST


MAX_QUEUE = 500
_AFTER_POLICY = frozenset({QueueStatus.TRANSLATED, QueueStatus.NEEDS_REVIEW, QueueStatus.HELD})


def _queue_status(status: EditionStatus, outcome: Publication) -> QueueStatus:
    if outcome.held:
        return QueueStatus.HELD
    return QueueStatus(status.value)


def queue_items(
    session: Session, where: QueueFilter, *, limit: int, offset: int
) -> list[QueueItem]:
    """The editions of the site's current revisions as the desk lists them: one query for the
    editions with their segment counts, plus the policies and the decisions (one each)."""
    counts = (
        select(
            EditionSegmentRow.edition_id.label("edition_id"),
            func.count(EditionSegmentRow.id).label("segments"),
            func.sum(case((func.json_array_length(EditionSegmentRow.flags) > 0, 1), else_=0)).label(
                "flagged"
            ),
        )
        .group_by(EditionSegmentRow.edition_id)
        .subquery()
    )
    flagged = func.coalesce(counts.c.flagged, 0)
    query = (
        select(
            EditionRow,
            ArticleRow.external_id,
            ArticleRow.id,
            RevisionRow.number,
            RevisionRow.title,
            func.coalesce(counts.c.segments, 0),
            flagged,
        )
        .join(RevisionRow, RevisionRow.id == EditionRow.revision_id)
        .join(
            ArticleRow,
            (ArticleRow.id == RevisionRow.article_id)
            & (RevisionRow.number == ArticleRow.current_revision),
        )
        .outerjoin(counts, counts.c.edition_id == EditionRow.id)
        .where(ArticleRow.site_id == where.site_id)
    )
    if where.lang is not None:
        query = query.where(EditionRow.lang == where.lang.value)
    if where.flagged is not None:
        query = query.where(flagged > 0 if where.flagged else flagged == 0)
    if where.status is not None:
        if where.status in _AFTER_POLICY:
            kept = (EditionStatus.TRANSLATED.value, EditionStatus.NEEDS_REVIEW.value)
            query = query.where(EditionRow.status.in_(kept))
        else:
            query = query.where(EditionRow.status == where.status.value)
    order: list[ColumnElement[Any]] = [
        EditionRow.updated_at.desc(),
        ArticleRow.id.desc(),
        EditionRow.lang.asc(),
    ]
    if where.order is QueueOrder.FLAGGED:
        order.insert(0, flagged.desc())
    query = query.order_by(*order)
    # A status decided by the policy is filtered after the rule: the page is cut here, not in SQL.
    by_policy = where.status in _AFTER_POLICY
    if not by_policy:
        query = query.limit(limit).offset(offset)
    rows = list(session.execute(query))
    found = [mapping.edition(row[0], []) for row in rows]
    policies = policies_for(session, where.site_id)
    decisions = decisions_for(session, [e.revision_id for e in found])
    items: list[QueueItem] = []
    for edition, (_, external_id, article_id, number, title, segments, flags) in zip(
        found, rows, strict=True
    ):
        policy = policies.get(edition.lang, DEFAULT_POLICY)
        outcome = publication(
            edition,
            policy=policy,
            decision=decisions.get((edition.revision_id, edition.lang)),
            flagged=int(flags),
        )
        status = _queue_status(edition.status, outcome)
        if by_policy and status is not where.status:
            continue
        items.append(
            QueueItem(
                external_id=external_id,
                article_id=article_id,
                revision=number,
                title=title,
                lang=edition.lang,
                status=status,
                reason=outcome.reason if outcome.held else edition.reason,
                flagged=int(flags),
                segments=int(segments),
                published=outcome.published,
                updated_at=edition.updated_at or datetime.min.replace(tzinfo=UTC),
                policy=policy,
                version=edition.version,
                hold=outcome.hold if outcome.held else None,
            )
        )
    return items[offset : offset + limit] if by_policy else items
