"""Each edition stores the hash of its content, so lists decide "published" without its body.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

An editor's decision (approve, reject) covers an edition while its content is still the content the
decision was made on (:func:`warta.publishing.content_hash`). Lists, sitemaps and feeds used to
read every edition's whole body to compute that hash; ``editions.content_hash`` now keeps it,
written with the content. Upgrade fills it for every edition with content (computed here the same
way, so that this migration does not change when the application does); NULL means no content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500

_editions = sa.table(
    "editions",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.Text()),
    sa.column("lead", sa.Text()),
    sa.column("body_html", sa.Text()),
    sa.column("content_hash", sa.String()),
)


def digest(title: str | None, lead: str | None, body_html: str) -> str:
    """sha256 of ``[title, lead, body]`` as :func:`warta.publishing.content_hash` computes it."""
    payload = json.dumps(
        [title or "", lead or "", body_html], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_editions.c.id, _editions.c.title, _editions.c.lead, _editions.c.body_html)
            .where(_editions.c.id > last, _editions.c.body_html.is_not(None))
            .order_by(_editions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        for row_id, title, lead, body in rows:
            conn.execute(
                sa.update(_editions)
                .where(_editions.c.id == row_id)
                .values(content_hash=digest(title, lead, body))
            )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("content_hash")
