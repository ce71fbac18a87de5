"""Database fixtures (SQLite and PostgreSQL), from tests/dbfixtures.py."""

from __future__ import annotations

from tests.dbfixtures import backend, clock, db_url, engine, queue, site, store

__all__ = ["backend", "clock", "db_url", "engine", "queue", "site", "store"]
