"""Fixtures of the API tests: the real app on a migrated database (SQLite, and PostgreSQL when
WARTA_TEST_DATABASE_URL is set), a site with a real API key, a moved-by-hand clock."""

from __future__ import annotations

from tests.dbfixtures import backend, clock, db_url, engine, queue, site, store
from tests.integrations.fixtures import (
    app,
    auth,
    client,
    integrations,
    key,
    other_key,
    other_site,
    services,
    shared_validator,
    targets,
)

__all__ = [
    "app",
    "auth",
    "backend",
    "client",
    "clock",
    "db_url",
    "engine",
    "integrations",
    "key",
    "other_key",
    "other_site",
    "queue",
    "services",
    "shared_validator",
    "site",
    "store",
    "targets",
]
