"""Migration 0002 adds the integration tables and nothing else, and can be undone."""

from __future__ import annotations

import sqlalchemy

from warta.store.session import current_revision, downgrade_database, upgrade_database

INTEGRATION_TABLES = {
    "editors",
    "editor_sessions",
    "edition_approvals",
    "webhooks",
    "webhook_events",
    "webhook_deliveries",
    "feeds",
    "feed_entries",
}
NEWSROOM_TABLES = {"edition_versions", "audit_log", "publishing_policies"}  # migration 0003


def test_0002_adds_the_integration_tables_and_downgrades_cleanly(
    engine: sqlalchemy.Engine,
) -> None:
    with_integrations = set(sqlalchemy.inspect(engine).get_table_names())
    assert with_integrations >= INTEGRATION_TABLES
    downgrade_database(engine, revision="0001")
    assert current_revision(engine) == "0001"
    left = set(sqlalchemy.inspect(engine).get_table_names())
    assert left < with_integrations
    assert not left & (INTEGRATION_TABLES | NEWSROOM_TABLES)  # and later migrations' tables
    upgrade_database(engine)
    assert set(sqlalchemy.inspect(engine).get_table_names()) == with_integrations
