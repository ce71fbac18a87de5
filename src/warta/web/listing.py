"""Reads for category menus and pages that the :class:`Store` API does not offer (yet).

``Store.list_articles`` lists a site's articles newest first but cannot filter by category or
count them; these two read-only queries do, with the store's own ordering and mapping. They belong
in :mod:`warta.store` once it grows a category filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy
from sqlalchemy import func, select

from warta.domain import Article
from warta.store import mapping
from warta.store.session import transaction
from warta.store.tables import ArticleRow


@dataclass(frozen=True, slots=True)
class CategoryCount:
    name: str
    articles: int


def site_categories(db: sqlalchemy.Engine, site_id: int) -> list[CategoryCount]:
    """The categories in use on a site, the busiest first (then by name)."""
    with transaction(db) as session:
        rows = session.execute(
            select(ArticleRow.category, func.count(ArticleRow.id))
            .where(ArticleRow.site_id == site_id, ArticleRow.category.is_not(None))
            .group_by(ArticleRow.category)
        ).all()
    counts = [CategoryCount(str(name), int(n)) for name, n in rows if name]
    return sorted(counts, key=lambda c: (-c.articles, c.name))


def articles_in_category(
    db: sqlalchemy.Engine, *, site_id: int, category: str, limit: int, offset: int = 0
) -> list[Article]:
    """A category's articles, newest published first (as ``Store.list_articles`` orders)."""
    with transaction(db) as session:
        rows = session.scalars(
            select(ArticleRow)
            .where(ArticleRow.site_id == site_id, ArticleRow.category == category)
            .order_by(
                func.coalesce(ArticleRow.published_at, ArticleRow.created_at).desc(),
                ArticleRow.id.desc(),
            )
            .limit(limit)
            .offset(offset)
        )
        return [mapping.article(row) for row in rows]
