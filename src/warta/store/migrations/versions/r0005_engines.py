"""Engines, routes and usage per engine, site and day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

``engines``: one configured translation engine (kind, URL, model, the *name* of the environment
variable that holds its key — never the key —, options, limits, and why it was disabled).
``engine_routes``: which engine (and fallback chain) translates into a language, for one site or
(``site_id`` NULL) for every site. ``engine_usage``: characters, tokens, requests and errors per
engine, site and UTC day (the monthly caps are checked against it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(table: str) -> tuple[sa.Column[object], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def _site_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["site_id"], ["sites.id"], name=op.f(f"fk_{table}_site_id_sites"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "engines",
        *_id("engines"),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("key_env", sa.String(length=128), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("timeout", sa.Double(), nullable=False),
        sa.Column("monthly_cap_chars", sa.BigInteger(), nullable=True),
        _ts("created_at"),
        _ts("disabled_at", nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("name", name=op.f("uq_engines_name")),
    )
    op.create_table(
        "engine_routes",
        *_id("engine_routes"),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("fallback", sa.JSON(), nullable=False),
        _ts("updated_at"),
        _site_fk("engine_routes"),
        sa.UniqueConstraint("site_id", "lang", name=op.f("uq_engine_routes_site_id_lang")),
    )
    op.create_table(
        "engine_usage",
        *_id("engine_usage"),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("characters", sa.BigInteger(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        _site_fk("engine_usage"),
        sa.UniqueConstraint(
            "engine", "site_id", "day", name=op.f("uq_engine_usage_engine_site_id_day")
        ),
    )


def downgrade() -> None:
    op.drop_table("engine_usage")
    op.drop_table("engine_routes")
    op.drop_table("engines")
