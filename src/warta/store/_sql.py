"""Dialect-specific SQL that both supported backends have in the same shape (upserts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert(session: Session, entity: Any) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` with ``ON CONFLICT`` support for the session's backend (SQLite or PostgreSQL).

    Both dialects' ``Insert`` offer ``on_conflict_do_update``/``on_conflict_do_nothing`` with the
    same arguments (and ``excluded``), so callers use them the same way.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)
