"""Data versions for caches: version tokens of a site's articles and of one article's editions.

A page is cached under its URL together with the versions it was rendered from
(:mod:`warta.web.cache` is the user); each request computes the current versions, and a
different token is a cache miss. Two cheap aggregate reads make them:

- :func:`site_version`: the newest ``updated_at`` and count of the site's articles and of the
  editions of their revisions. Any stored article, new revision, metadata change, translated,
  corrected, failed or re-queued edition changes it. Lists, feeds and the sitemap use it.
- :func:`article_version`: one article's row and the status and ``updated_at`` of every edition
  of its current revision. Article pages use it together with :func:`catalogue_version`
  (the site's article count, newest article change and categories, for the menu in the header),
  so a worker finishing one edition invalidates that article's pages and the lists, not every
  article page of the site.

Both also cover what decides whether an edition is *published* (:mod:`warta.publishing`): the
site's publishing policies (:func:`policy_version`) and editors' decisions on the editions
(approved or rejected, the content they cover), so approving an edition or changing a policy
re-renders the pages at once.

Row-level functions taking a Session; :class:`~warta.store.repository.Store` draws the
transactions (``Store.site_version`` and friends).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.store.tables import (
    ArticleRow,
    EditionApprovalRow,
    EditionRow,
    PublishingPolicyRow,
    RevisionRow,
)


@dataclass(frozen=True, slots=True)
class Version:
    token: str  # opaque; equal tokens mean the same underlying data
    last_modified: datetime | None

    def __add__(self, other: Version) -> Version:
        stamps = [s for s in (self.last_modified, other.last_modified) if s is not None]
        return Version(_digest(self.token, other.token), max(stamps) if stamps else None)


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:24]


def catalogue_version(session: Session, site_id: int) -> Version:
    """The site's articles: count, newest change, and the categories in use."""
    count, newest = session.execute(
        select(func.count(ArticleRow.id), func.max(ArticleRow.updated_at)).where(
            ArticleRow.site_id == site_id
        )
    ).one()
    categories = sorted(
        c
        for c in session.scalars(
            select(ArticleRow.category).where(ArticleRow.site_id == site_id).distinct()
        )
        if c is not None
    )
    return Version(_digest("catalogue", site_id, count, newest, categories), newest)


def policy_version(session: Session, site_id: int) -> Version:
    """The site's publishing policies, as stored (few rows: one per target language at most)."""
    rows = session.execute(
        select(PublishingPolicyRow.lang, PublishingPolicyRow.policy, PublishingPolicyRow.updated_at)
        .where(PublishingPolicyRow.site_id == site_id)
        .order_by(PublishingPolicyRow.lang)
    ).all()
    newest = max((row[2] for row in rows), default=None)
    return Version(_digest("policies", site_id, [tuple(r) for r in rows]), newest)


def _decisions_of_site(session: Session, site_id: int) -> list[tuple[Any, ...]]:
    """Editors' decisions on the site's editions: count and newest per decision."""
    return [
        tuple(row)
        for row in session.execute(
            select(
                EditionApprovalRow.decision,
                func.count(EditionApprovalRow.id),
                func.max(EditionApprovalRow.approved_at),
                func.max(EditionApprovalRow.id),
            )
            .join(RevisionRow, RevisionRow.id == EditionApprovalRow.revision_id)
            .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
            .where(ArticleRow.site_id == site_id)
            .group_by(EditionApprovalRow.decision)
            .order_by(EditionApprovalRow.decision)
        )
    ]


def site_version(session: Session, site_id: int) -> Version:
    """Everything a list of the site's articles shows: articles and all their editions."""
    editions = session.execute(
        select(
            func.count(EditionRow.id),
            func.max(EditionRow.updated_at),
            func.count(func.distinct(EditionRow.status)),
        )
        .join(RevisionRow, RevisionRow.id == EditionRow.revision_id)
        .join(ArticleRow, ArticleRow.id == RevisionRow.article_id)
        .where(ArticleRow.site_id == site_id)
    ).one()
    catalogue = catalogue_version(session, site_id)
    stamps = [s for s in (catalogue.last_modified, editions[1]) if s is not None]
    decided = _decisions_of_site(session, site_id)
    policies = policy_version(session, site_id)
    stamps += [s for row in decided for s in (row[2],) if isinstance(s, datetime)]
    stamps += [policies.last_modified] if policies.last_modified is not None else []
    return Version(
        _digest("site", catalogue.token, tuple(editions), decided, policies.token),
        max(stamps) if stamps else None,
    )


def article_version(session: Session, article_id: int) -> Version | None:
    """One article and the editions of its current revision; None if there is no such article."""
    rows = session.execute(
        select(
            ArticleRow.site_id,
            ArticleRow.updated_at,
            ArticleRow.current_revision,
            RevisionRow.id,
            EditionRow.lang,
            EditionRow.status,
            EditionRow.updated_at,
        )
        .join(
            RevisionRow,
            (RevisionRow.article_id == ArticleRow.id)
            & (RevisionRow.number == ArticleRow.current_revision),
        )
        .outerjoin(EditionRow, EditionRow.revision_id == RevisionRow.id)
        .where(ArticleRow.id == article_id)
        .order_by(EditionRow.lang)
    ).all()
    if not rows:
        return None
    decisions = session.execute(
        select(
            EditionApprovalRow.lang,
            EditionApprovalRow.decision,
            EditionApprovalRow.content_hash,
            EditionApprovalRow.approved_at,
        )
        .where(EditionApprovalRow.revision_id == rows[0][3])
        .order_by(EditionApprovalRow.lang)
    ).all()
    policies = policy_version(session, rows[0][0])
    stamps = [s for row in rows for s in (row[1], row[6]) if s is not None]
    stamps += [row[3] for row in decisions]
    stamps += [policies.last_modified] if policies.last_modified is not None else []
    return Version(
        _digest(
            "article",
            article_id,
            [tuple(r) for r in rows],
            [tuple(d) for d in decisions],
            policies.token,
        ),
        max(stamps),
    )
