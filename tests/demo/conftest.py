"""Fixtures of the demo tests: a migrated database with a site, and the integrations on it."""

from __future__ import annotations

from tests.dbfixtures import backend, clock, db_url, engine, queue, site, store
from tests.integrations.fixtures import integrations, services, shared_validator, targets

__all__ = [
    "backend",
    "clock",
    "db_url",
    "engine",
    "integrations",
    "queue",
    "services",
    "shared_validator",
    "site",
    "store",
    "targets",
]
