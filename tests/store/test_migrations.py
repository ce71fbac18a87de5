from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import warta
from warta.errors import ConfigError, StoreError
from warta.store.session import (
    SQLITE_BUSY_TIMEOUT_MS,
    current_revision,
    downgrade_database,
    head_revision,
    make_engine,
    migrations_location,
    upgrade_database,
)
from warta.store.tables import Base

TABLES = {
    "alembic_version",
    "api_keys",
    "audit_log",
    "articles",
    "edition_approvals",
    "edition_segments",
    "edition_versions",
    "editions",
    "editor_sessions",
    "editors",
    "engine_routes",
    "engine_usage",
    "engines",
    "feed_entries",
    "feeds",
    "glossary_terms",
    "jobs",
    "models",
    "publishing_policies",
    "revisions",
    "sites",
    "translation_memory",
    "webhook_deliveries",
    "webhook_events",
    "webhooks",
}


def test_migrated_schema_matches_the_table_metadata(engine: sqlalchemy.Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_creates_every_table_and_records_the_head(engine: sqlalchemy.Engine) -> None:
    assert set(sqlalchemy.inspect(engine).get_table_names()) == TABLES
    assert current_revision(engine) == head_revision() == "0007"


def test_upgrade_twice_changes_nothing(engine: sqlalchemy.Engine) -> None:
    upgrade_database(engine)
    assert current_revision(engine) == head_revision()


def test_downgrade_to_base_drops_every_table_and_upgrade_restores_them(
    engine: sqlalchemy.Engine,
) -> None:
    downgrade_database(engine, revision="base")
    assert set(sqlalchemy.inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    upgrade_database(engine)
    assert set(sqlalchemy.inspect(engine).get_table_names()) == TABLES


def test_migrations_ship_inside_the_package() -> None:
    location = Path(migrations_location())
    assert location.is_relative_to(Path(warta.__file__).parent)
    assert (location / "env.py").is_file()
    assert list((location / "versions").glob("r0001_*.py"))


def test_sqlite_engine_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@localhost/warta",  # a backend warta does not support
        "not a url",
    ],
)
def test_make_engine_refuses_what_it_cannot_use(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_engine(url)
    assert "sqlite" in err.value.hint


def test_database_from_a_newer_warta_is_refused_with_a_hint(engine: sqlalchemy.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ConfigError) as err:
        upgrade_database(engine)
    assert "newer warta" in err.value.hint


def test_database_that_cannot_be_opened_is_a_store_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-folder' / 'warta.db'}")
    try:
        with pytest.raises(StoreError) as err:
            upgrade_database(engine)
    finally:
        engine.dispose()
    assert "WARTA_DATABASE_URL" in err.value.hint
