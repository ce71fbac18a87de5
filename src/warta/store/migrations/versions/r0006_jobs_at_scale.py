"""Jobs that survive faults, with priorities, fairness between sites, backoff and an outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

``jobs`` gains:

- ``priority``: 0 new articles and edits, 1 re-translations, 2 archive backfill (lower runs first);
- ``site_id``: the article's site, so that claims can let sites take turns within a priority
  (filled from ``revisions`` and ``articles`` for existing rows);
- ``next_attempt_at``: a retried job waits until then (exponential backoff with jitter); NULL is
  "now";
- ``error_kind``: ``transient`` (retried) or ``permanent`` (dead letter at once), empty while none;
- ``lost_leases``: how many times a worker lost the job's lease (crash, kill, outage), which is
  *not* an attempt: only an error the job itself raised uses one up;
- ``announced_at``: when the webhook events of a done job were written; a job completes with it
  NULL in the same transaction as its edition, and its events are written (and it is marked) in
  one later transaction: the job row is the outbox, so no event is lost or written twice.
  Existing done jobs count as announced.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_jobs = sa.table(
    "jobs",
    sa.column("id", sa.Integer()),
    sa.column("revision_id", sa.Integer()),
    sa.column("site_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("announced_at", sa.DateTime(timezone=True)),
)
_revisions = sa.table("revisions", sa.column("id", sa.Integer()), sa.column("article_id"))
_articles = sa.table("articles", sa.column("id", sa.Integer()), sa.column("site_id"))


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("error_kind", sa.String(length=16), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("lost_leases", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_jobs_site_id_sites"), "sites", ["site_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_jobs_claim", ["status", "lang", "priority", "site_id", "created_at"])
    conn = op.get_bind()
    site_of = (
        sa.select(_articles.c.site_id)
        .select_from(_revisions.join(_articles, _articles.c.id == _revisions.c.article_id))
        .where(_revisions.c.id == _jobs.c.revision_id)
        .scalar_subquery()
    )
    conn.execute(sa.update(_jobs).values(site_id=site_of))
    conn.execute(
        sa.update(_jobs)
        .where(_jobs.c.status == "done", _jobs.c.announced_at.is_(None))
        .values(announced_at=_jobs.c.updated_at)
    )
    op.create_index(
        "ix_jobs_unannounced",
        "jobs",
        ["id"],
        sqlite_where=sa.text("status = 'done' AND announced_at IS NULL"),
        postgresql_where=sa.text("status = 'done' AND announced_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_unannounced", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_claim")
        batch.drop_constraint(op.f("fk_jobs_site_id_sites"), type_="foreignkey")
        for column in (
            "announced_at",
            "lost_leases",
            "error_kind",
            "next_attempt_at",
            "site_id",
            "priority",
        ):
            batch.drop_column(column)
