"""Newsroom: segment versions and who corrected them, edition history, an audit log, editor roles,
publishing policies per site and language, decisions on editions, and a translation memory keyed
by what made each entry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Every new column of an existing table has a server default, so existing rows stay valid:
segments and editions start at version 1, editors are ``editor``, approvals are ``approved``, and
memory entries have empty keys (an empty key matches no engine in force, so such an entry is
translated again once and then stored with its keys).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
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
    with op.batch_alter_table("edition_segments") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("edited_by", sa.String(length=254), nullable=True))
        batch.add_column(_ts("edited_at", nullable=True))
        batch.add_column(sa.Column("suggestion_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("provenance_key", sa.String(length=16), nullable=True))
    with op.batch_alter_table("editions") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("editors") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), server_default="editor", nullable=False)
        )
    with op.batch_alter_table("edition_approvals") as batch:
        batch.add_column(
            sa.Column("decision", sa.String(length=16), server_default="approved", nullable=False)
        )
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("translation_memory") as batch:
        batch.add_column(
            sa.Column("engine_key", sa.String(length=16), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("glossary_key", sa.String(length=16), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("flags", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("score", sa.Double(), nullable=True))
        batch.add_column(sa.Column("quality", sa.Double(), nullable=True))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("fresh", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "edition_versions",
        *_id("edition_versions"),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _ts("created_at"),
        _fk("edition_versions", "revision_id", "revisions"),
        sa.UniqueConstraint(
            "revision_id",
            "lang",
            "version",
            name=op.f("uq_edition_versions_revision_id_lang_version"),
        ),
    )
    op.create_table(
        "audit_log",
        *_id("audit_log"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        _ts("created_at"),
        _fk("audit_log", "site_id", "sites"),
    )
    op.create_index(op.f("ix_audit_log_site_id_created_at"), "audit_log", ["site_id", "created_at"])
    op.create_index(op.f("ix_audit_log_revision_id_lang"), "audit_log", ["revision_id", "lang"])
    op.create_table(
        "publishing_policies",
        *_id("publishing_policies"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        _ts("updated_at"),
        _fk("publishing_policies", "site_id", "sites"),
        sa.UniqueConstraint("site_id", "lang", name=op.f("uq_publishing_policies_site_id_lang")),
    )


def downgrade() -> None:
    op.drop_table("publishing_policies")
    op.drop_index(op.f("ix_audit_log_revision_id_lang"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_site_id_created_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("edition_versions")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("fresh")
    with op.batch_alter_table("translation_memory") as batch:
        for column in ("quality", "score", "flags", "glossary_key", "engine_key"):
            batch.drop_column(column)
    with op.batch_alter_table("edition_approvals") as batch:
        batch.drop_column("note")
        batch.drop_column("decision")
    with op.batch_alter_table("editors") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("editions") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("edition_segments") as batch:
        for column in ("provenance_key", "suggestion_html", "edited_at", "edited_by", "version"):
            batch.drop_column(column)
