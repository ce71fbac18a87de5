"""Fixtures of the integration tests (see tests/integrations/fixtures.py)."""

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
