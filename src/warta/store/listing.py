"""Category reads: the categories in use on a site, and one category's articles.

Row-level functions taking a Session; ``Store.categories`` and ``Store.articles_in_category``
draw the transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.domain import Article
from warta.store import mapping
from warta.store.tables import ArticleRow


@dataclass(frozen=True, slots=True)
class CategoryCount:
    name: str
    articles: int


def site_categories(session: Session, site_id: int) -> list[CategoryCount]:
    """The categories in use on a site, the busiest first (then by name)."""
    rows = session.execute(
        select(ArticleRow.category, func.count(ArticleRow.id))
        .where(ArticleRow.site_id == site_id, ArticleRow.category.is_not(None))
        .group_by(ArticleRow.category)
    ).all()
    counts = [CategoryCount(str(name), int(n)) for name, n in rows if name]
    return sorted(counts, key=lambda c: (-c.articles, c.name))


def articles_in_category(
    session: Session, *, site_id: int, category: str, limit: int, offset: int = 0
) -> list[Article]:
    """A category's articles, newest published first (as ``Store.list_articles`` orders)."""
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
