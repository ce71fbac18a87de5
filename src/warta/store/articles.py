"""Articles and their Indonesian revisions (functions taking an open :class:`Session`).

Indonesian is canonical, and every change of its translatable content (title, lead, body) is a
new revision; a new revision queues its translations in the same transaction (an outbox), so an
article is never stored without the jobs that translate it, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.domain import Article, ArticleDraft, Revision
from warta.errors import FieldError, NotFoundError
from warta.languages import SOURCE_LANG, Lang
from warta.store import catalog, editions, jobs, mapping
from warta.store.records import SaveResult
from warta.store.tables import ArticleRow, RevisionRow

_IN_CHUNK = 500  # ids per IN (...) query: below SQLite's bound-parameter limit


def check_targets(targets: Sequence[Lang]) -> tuple[Lang, ...]:
    unique = tuple(dict.fromkeys(targets))
    if SOURCE_LANG in unique:
        raise FieldError(
            "Indonesian is the source language, not a translation target",
            hint="leave `id` out of the target languages",
            field="targets",
        )
    return unique


def save(
    session: Session, draft: ArticleDraft, *, targets: Sequence[Lang], now: datetime
) -> SaveResult:
    langs = check_targets(targets)
    if not draft.external_id.strip():
        raise FieldError(
            "an article needs an external id", hint="give the CMS id or URL", field="external_id"
        )
    site = catalog.site_row(session, draft.site)
    row = session.scalars(
        select(ArticleRow)
        .where(ArticleRow.site_id == site.id, ArticleRow.external_id == draft.external_id)
        .with_for_update()
    ).one_or_none()
    content_hash = draft.content_hash()
    if row is None:
        row = ArticleRow(
            site_id=site.id, external_id=draft.external_id, current_revision=0, created_at=now
        )
        _set_metadata(row, draft, now=now)
        session.add(row)
        session.flush()
    else:
        current = _current_revision_row(session, row)
        _set_metadata(row, draft, now=now)
        if current.content_hash == content_hash:
            session.flush()
            return SaveResult(
                article=mapping.article(row),
                revision=mapping.revision(current),
                new_revision=False,
                jobs=(),
            )
    revision = RevisionRow(
        article_id=row.id,
        number=row.current_revision + 1,
        title=draft.title,
        lead=draft.lead,
        body_html=draft.body_html,
        content_hash=content_hash,
        created_at=now,
    )
    session.add(revision)
    row.current_revision = revision.number
    session.flush()
    if revision.number > 1:
        jobs.supersede_queued(session, article_id=row.id, by=revision, now=now)
    job_rows = jobs.insert_queued(session, revision_id=revision.id, langs=langs, now=now)
    editions.insert_pending(
        session, revision_id=revision.id, langs=langs, reason=jobs.QUEUED_REASON, now=now
    )
    return SaveResult(
        article=mapping.article(row),
        revision=mapping.revision(revision),
        new_revision=True,
        jobs=tuple(mapping.job(j) for j in job_rows),
    )


def _set_metadata(row: ArticleRow, draft: ArticleDraft, *, now: datetime) -> None:
    row.category = draft.category
    row.tags = list(draft.tags)
    row.author = draft.author
    row.published_at = draft.published_at
    row.source_url = draft.source_url
    row.updated_at = now


def _current_revision_row(session: Session, article: ArticleRow) -> RevisionRow:
    row = session.scalars(
        select(RevisionRow).where(
            RevisionRow.article_id == article.id, RevisionRow.number == article.current_revision
        )
    ).one_or_none()
    if row is None:  # only a database edited by hand gets here
        raise NotFoundError(
            f"article {article.id} has no revision {article.current_revision}",
            hint="store the article again to make a new revision",
            article_id=article.id,
        )
    return row


def get(session: Session, *, site_id: int, external_id: str) -> Article:
    row = session.scalars(
        select(ArticleRow).where(
            ArticleRow.site_id == site_id, ArticleRow.external_id == external_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(
            f"no article {external_id!r} in site {site_id}",
            hint="list articles with `warta articles list`",
            site_id=site_id,
            external_id=external_id,
        )
    return mapping.article(row)


def article_row(session: Session, article_id: int) -> ArticleRow:
    row = session.get(ArticleRow, article_id)
    if row is None:
        raise NotFoundError(
            f"no article with id {article_id}",
            hint="list articles with `warta articles list`",
            article_id=article_id,
        )
    return row


def list_articles(
    session: Session, *, site_id: int | None, limit: int, offset: int
) -> list[Article]:
    if limit < 1 or offset < 0:
        raise FieldError(
            f"cannot list {limit} articles from offset {offset}",
            hint="give a limit of at least 1 and an offset of at least 0",
            field="limit" if limit < 1 else "offset",
        )
    query = select(ArticleRow)
    if site_id is not None:
        query = query.where(ArticleRow.site_id == site_id)
    query = (
        query.order_by(
            func.coalesce(ArticleRow.published_at, ArticleRow.created_at).desc(),
            ArticleRow.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    return [mapping.article(row) for row in session.scalars(query)]


def revision(session: Session, revision_id: int) -> Revision:
    return mapping.revision(editions.require_revision(session, revision_id))


def revisions_with_sites(
    session: Session, revision_ids: Sequence[int]
) -> dict[int, tuple[Revision, int]]:
    """Revision id -> (revision, site id of its article); missing revisions are left out."""
    found: dict[int, tuple[Revision, int]] = {}
    ids = list(dict.fromkeys(revision_ids))
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(RevisionRow, ArticleRow.site_id)
            .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
            .where(RevisionRow.id.in_(ids[start : start + _IN_CHUNK]))
        )
        for row, site_id in rows:
            found[row.id] = (mapping.revision(row), site_id)
    return found


def current_revision(session: Session, article_id: int) -> Revision:
    return mapping.revision(_current_revision_row(session, article_row(session, article_id)))


def list_revisions(session: Session, article_id: int) -> list[Revision]:
    article_row(session, article_id)
    rows = session.scalars(
        select(RevisionRow).where(RevisionRow.article_id == article_id).order_by(RevisionRow.number)
    )
    return [mapping.revision(row) for row in rows]
