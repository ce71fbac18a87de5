"""Integrations: editors and their sessions, edition approvals, webhooks (outbox and delivery
log), feeds and the entries already imported from them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

No existing table or column changes: approval ("published") is a table of its own,
``edition_approvals``, valid while the edition's content is the content that was approved.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(table: str) -> tuple[sa.Column[object], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def _fk(
    table: str, column: str, parent: str, *, ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "editors",
        *_id("editors"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
        _fk("editors", "site_id", "sites"),
        sa.UniqueConstraint("site_id", "email", name=op.f("uq_editors_site_id_email")),
    )
    op.create_table(
        "editor_sessions",
        *_id("editor_sessions"),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("ended_at", nullable=True),
        _fk("editor_sessions", "editor_id", "editors"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_editor_sessions_token_hash")),
    )
    op.create_index(op.f("ix_editor_sessions_editor_id"), "editor_sessions", ["editor_id"])
    op.create_table(
        "edition_approvals",
        *_id("edition_approvals"),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _ts("approved_at"),
        _fk("edition_approvals", "revision_id", "revisions"),
        _fk("edition_approvals", "editor_id", "editors", ondelete="SET NULL"),
        sa.UniqueConstraint(
            "revision_id", "lang", name=op.f("uq_edition_approvals_revision_id_lang")
        ),
    )
    op.create_table(
        "webhooks",
        *_id("webhooks"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
        _fk("webhooks", "site_id", "sites"),
    )
    op.create_index(op.f("ix_webhooks_site_id"), "webhooks", ["site_id"])
    op.create_table(
        "webhook_events",
        *_id("webhook_events"),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        _ts("created_at"),
        _ts("delivered_at", nullable=True),
        _fk("webhook_events", "webhook_id", "webhooks"),
    )
    op.create_index(op.f("ix_webhook_events_webhook_id"), "webhook_events", ["webhook_id"])
    op.create_index(
        "ix_webhook_events_status_next_attempt_at",
        "webhook_events",
        ["status", "next_attempt_at"],
    )
    op.create_table(
        "webhook_deliveries",
        *_id("webhook_deliveries"),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        _ts("attempted_at"),
        _fk("webhook_deliveries", "outbox_id", "webhook_events"),
        _fk("webhook_deliveries", "webhook_id", "webhooks"),
    )
    op.create_index(op.f("ix_webhook_deliveries_outbox_id"), "webhook_deliveries", ["outbox_id"])
    op.create_index(op.f("ix_webhook_deliveries_webhook_id"), "webhook_deliveries", ["webhook_id"])
    op.create_table(
        "feeds",
        *_id("feeds"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        _ts("last_polled_at", nullable=True),
        sa.Column("last_status", sa.Text(), nullable=False),
        _ts("created_at"),
        _fk("feeds", "site_id", "sites"),
        sa.UniqueConstraint("site_id", "url", name=op.f("uq_feeds_site_id_url")),
    )
    op.create_table(
        "feed_entries",
        *_id("feed_entries"),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("seen_at"),
        _fk("feed_entries", "feed_id", "feeds"),
        _fk("feed_entries", "site_id", "sites"),
        sa.UniqueConstraint("feed_id", "guid", name=op.f("uq_feed_entries_feed_id_guid")),
    )
    op.create_index(
        "ix_feed_entries_site_id_content_hash", "feed_entries", ["site_id", "content_hash"]
    )


def downgrade() -> None:
    for table in (
        "feed_entries",
        "feeds",
        "webhook_deliveries",
        "webhook_events",
        "webhooks",
        "edition_approvals",
        "editor_sessions",
        "editors",
    ):
        op.drop_table(table)  # drops the table's indexes with it
