"""Feed-imported articles get ids every route accepts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Before, an article imported from a feed had the entry's GUID as its external id (often the entry's
URL, whose ``/`` no API path accepts, even percent-encoded), or ``feed-`` and 40 hex digits of the
GUID's SHA-256 when the GUID was too long. Now it is ``feed-`` and 16 hex digits of that hash
(:func:`warta.integrations.feeds.feed_external_id`, computed again here so that this migration does
not change when the application does).

Upgrade: for every feed entry that stored an article, the article whose external id is the one the
importer made from the entry's GUID gets the new id (unless the site already has an article with
the new id), every feed entry naming the old id names the new one, and an article without a
``source_url`` whose GUID is an http(s) URL keeps that URL as its ``source_url``. Articles sent
through the API are not touched (their ids are not made from a GUID). Downgrade gives the renamed
articles their old ids back (the ``source_url`` stays).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAX_EXTERNAL_ID = 200

_entries = sa.table(
    "feed_entries",
    sa.column("site_id", sa.Integer()),
    sa.column("guid", sa.Text()),
    sa.column("external_id", sa.String()),
    sa.column("outcome", sa.String()),
)
_articles = sa.table(
    "articles",
    sa.column("id", sa.Integer()),
    sa.column("site_id", sa.Integer()),
    sa.column("external_id", sa.String()),
    sa.column("source_url", sa.Text()),
)


def _digest(guid: str) -> str:
    return hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()


def new_id(guid: str) -> str:
    """The id 0004 gives an entry's article (as ``feed_external_id`` does)."""
    return "feed-" + _digest(guid)[:16]


def old_id(guid: str) -> str:
    """The id the importer gave an entry's article before 0004."""
    value = unicodedata.normalize("NFC", guid.strip())
    usable = 0 < len(value) <= _MAX_EXTERNAL_ID and not any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in value
    )
    return value if usable else "feed-" + _digest(guid)[:40]


def _is_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and len(value) <= 2048


def _rename(
    conn: sa.Connection, *, before: Callable[[str], str], after: Callable[[str], str]
) -> None:
    stored = conn.execute(
        sa.select(_entries.c.site_id, _entries.c.guid)
        .where(_entries.c.outcome == "stored", _entries.c.external_id.is_not(None))
        .distinct()
    ).all()
    for site_id, guid in stored:
        old, new = before(guid), after(guid)
        if old == new:
            continue
        on_site = _articles.c.site_id == site_id
        if conn.execute(
            sa.select(_articles.c.id).where(on_site, _articles.c.external_id == new)
        ).first():
            continue  # the site already has an article with that id: leave both alone
        moved = conn.execute(
            sa.update(_articles)
            .where(on_site, _articles.c.external_id == old)
            .values(external_id=new)
        ).rowcount
        if not moved:
            continue
        conn.execute(
            sa.update(_entries)
            .where(_entries.c.site_id == site_id, _entries.c.external_id == old)
            .values(external_id=new)
        )
        if after is new_id and _is_url(guid):
            conn.execute(
                sa.update(_articles)
                .where(on_site, _articles.c.external_id == new, _articles.c.source_url.is_(None))
                .values(source_url=guid.strip())
            )


def upgrade() -> None:
    _rename(op.get_bind(), before=old_id, after=new_id)


def downgrade() -> None:
    _rename(op.get_bind(), before=new_id, after=old_id)
