"""Initial schema: sites, api keys, articles, revisions, editions, memory, glossary, models, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Migrations use plain SQLAlchemy types (never warta's own), so they keep working when the
application code changes: ``DateTime(timezone=True)`` is what ``warta.store.types.UtcDateTime``
stores.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_JOB = sa.text("status IN ('queued', 'running')")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(table: str) -> tuple[sa.Column[object], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def _fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "sites",
        *_id("sites"),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("glossary_version", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("slug", name=op.f("uq_sites_slug")),
    )
    op.create_table(
        "models",
        *_id("models"),
        sa.Column("source_lang", sa.String(length=8), nullable=False),
        sa.Column("target_lang", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("checksum", sa.String(length=80), nullable=False),
        _ts("added_at"),
        sa.UniqueConstraint(
            "source_lang", "target_lang", name=op.f("uq_models_source_lang_target_lang")
        ),
    )
    op.create_table(
        "api_keys",
        *_id("api_keys"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("hash", sa.String(length=128), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        _fk("api_keys", "site_id", "sites"),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index(op.f("ix_api_keys_site_id"), "api_keys", ["site_id"])
    op.create_table(
        "articles",
        *_id("articles"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        _ts("published_at", nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("current_revision", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _fk("articles", "site_id", "sites"),
        sa.UniqueConstraint("site_id", "external_id", name=op.f("uq_articles_site_id_external_id")),
    )
    op.create_index(op.f("ix_articles_published_at"), "articles", ["published_at"])
    op.create_table(
        "revisions",
        *_id("revisions"),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _fk("revisions", "article_id", "articles"),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_revisions_article_id_number")),
    )
    op.create_table(
        "editions",
        *_id("editions"),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=True),
        sa.Column("provenance_key", sa.String(length=16), nullable=True),
        sa.Column("quality", sa.Double(), nullable=True),
        _ts("updated_at"),
        _fk("editions", "revision_id", "revisions"),
        sa.UniqueConstraint("revision_id", "lang", name=op.f("uq_editions_revision_id_lang")),
    )
    op.create_table(
        "edition_segments",
        *_id("edition_segments"),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("source_html", sa.Text(), nullable=False),
        sa.Column("target_html", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("quality", sa.Double(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        _fk("edition_segments", "edition_id", "editions"),
        sa.UniqueConstraint(
            "edition_id", "position", name=op.f("uq_edition_segments_edition_id_position")
        ),
    )
    op.create_table(
        "translation_memory",
        *_id("translation_memory"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source_lang", sa.String(length=8), nullable=False),
        sa.Column("target_lang", sa.String(length=8), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("source_html", sa.Text(), nullable=False),
        sa.Column("target_html", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("provenance_key", sa.String(length=16), nullable=False),
        _ts("updated_at"),
        _fk("translation_memory", "site_id", "sites"),
        sa.UniqueConstraint(
            "site_id",
            "source_lang",
            "target_lang",
            "source_hash",
            "origin",
            name="uq_translation_memory_entry",
        ),
    )
    op.create_table(
        "glossary_terms",
        *_id("glossary_terms"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("do_not_translate", sa.Boolean(), nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), nullable=False),
        _ts("updated_at"),
        _fk("glossary_terms", "site_id", "sites"),
        sa.UniqueConstraint("site_id", "source", name=op.f("uq_glossary_terms_site_id_source")),
    )
    op.create_table(
        "jobs",
        *_id("jobs"),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("leased_by", sa.String(), nullable=True),
        _ts("lease_expires_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provenance_key", sa.String(length=16), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _fk("jobs", "revision_id", "revisions"),
    )
    op.create_index(op.f("ix_jobs_revision_id"), "jobs", ["revision_id"])
    op.create_index("ix_jobs_status_lang_created_at", "jobs", ["status", "lang", "created_at"])
    op.create_index(
        "uq_jobs_active_revision_id_lang",
        "jobs",
        ["revision_id", "lang"],
        unique=True,
        sqlite_where=ACTIVE_JOB,
        postgresql_where=ACTIVE_JOB,
    )


def downgrade() -> None:
    for table in (
        "jobs",
        "glossary_terms",
        "translation_memory",
        "edition_segments",
        "editions",
        "revisions",
        "articles",
        "api_keys",
        "models",
        "sites",
    ):
        op.drop_table(table)  # drops the table's indexes with it
