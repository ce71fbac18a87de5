"""Engines, transactions and migrations.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout; every
write transaction starts with ``BEGIN IMMEDIATE``, so two writers queue on SQLite's single writer
lock instead of failing half-way with "database is locked". PostgreSQL is reached through psycopg 3
(``postgresql+psycopg://user:password@host/db``), with a connect timeout
(:data:`PG_CONNECT_TIMEOUT_S` unless the URL sets ``connect_timeout``) and a liveness check of
pooled connections, so a database that goes away fails each attempt in seconds and a pool
recovers by itself once it is back. :func:`check_database` connects once at start: a wrong or
unreachable URL is an :class:`~warta.errors.UnreachableError` naming the URL (password hidden)
and ``WARTA_DATABASE_URL``.

The schema is created and changed only by the Alembic migrations shipped in
``warta/store/migrations``: :func:`upgrade_database` runs them programmatically, so an installed
package can migrate its database without an ``alembic.ini``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from warta.errors import ConfigError, ConflictError, StoreError, UnreachableError

if TYPE_CHECKING:
    from alembic.config import Config

WRITE_OPTION = (
    "warta_write"  # execution option: this transaction writes (BEGIN IMMEDIATE on SQLite)
)
SQLITE_BUSY_TIMEOUT_MS = 30_000
# pg_advisory_xact_lock key that serialises concurrent migrations (any constant; "warta" in ASCII).
_MIGRATION_LOCK = 0x7761727461
# Seconds a new PostgreSQL connection may take (libpq connect_timeout) unless the URL sets one:
# a database that is away fails a start or a retry in seconds instead of hanging.
PG_CONNECT_TIMEOUT_S = 5


def redacted(url: str) -> str:
    """``url`` with its password hidden, for messages and logs."""
    try:
        return sqlalchemy.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


def make_engine(url: str) -> sqlalchemy.Engine:
    """Create the engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout;
    PostgreSQL a connect timeout (:data:`PG_CONNECT_TIMEOUT_S`) and pre-ping on checkout."""
    try:
        parsed = sqlalchemy.make_url(url)
    except ArgumentError as exc:
        raise UnreachableError(
            "cannot read the database URL",
            hint="set WARTA_DATABASE_URL to e.g. sqlite:////path/warta.db "
            "or postgresql+psycopg://user:password@host/db",
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        engine = sqlalchemy.create_engine(parsed)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise UnreachableError(
            f"unsupported database {parsed.get_backend_name()!r} in {redacted(url)}",
            hint="check WARTA_DATABASE_URL: use SQLite (sqlite:///...) or PostgreSQL "
            "(postgresql+psycopg://...)",
        )
    connect_args = (
        {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )
    return sqlalchemy.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def check_database(engine: sqlalchemy.Engine) -> None:
    """Connect once (``SELECT 1``): a database that cannot be reached or opened raises
    :class:`UnreachableError` naming the URL (password hidden) and the setting to check, within
    the connect timeout, instead of failing later in the middle of work."""
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except (OperationalError, InterfaceError) as exc:
        shown = engine.url.render_as_string(hide_password=True)
        reason = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
        raise UnreachableError(
            f"cannot connect to the database {shown}: {reason}",
            hint="check WARTA_DATABASE_URL (host, port, user, password, database name) and that "
            "the database server is running and reachable from this machine",
            url=shown,
            backend=engine.dialect.name,
        ) from exc


def _configure_sqlite(engine: sqlalchemy.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the sqlite3 module's legacy transaction control skips
        # it for SELECT and DDL), so reads are consistent and migrations are transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sqlalchemy.Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


CHANGES_CHANNEL = "warta_changes"
"""PostgreSQL channel notified by every write transaction when it commits."""


def writer(engine: sqlalchemy.Engine) -> sqlalchemy.Engine:
    """The same engine, marked so its transactions take the write lock up front on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


@contextmanager
def transaction(bind: sqlalchemy.Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls everything back on any error.

    A constraint violation (a concurrent writer stored the same thing first) becomes
    :class:`ConflictError`; a database that cannot be reached or is locked, :class:`StoreError`.
    """
    notify = bind.dialect.name == "postgresql" and bool(
        bind.get_execution_options().get(WRITE_OPTION, False)
    )
    try:
        with Session(bind, expire_on_commit=False, autoflush=True) as session, session.begin():
            yield session
            if notify:  # delivered on commit, to every process that listens (warta.web.fast)
                session.execute(sqlalchemy.text(f"NOTIFY {CHANGES_CHANNEL}"))
    except IntegrityError as exc:
        raise ConflictError(
            f"the change conflicts with data stored meanwhile: {exc.orig}",
            hint="try again; the second attempt sees the other change",
            backend=bind.dialect.name,
        ) from exc
    except OperationalError as exc:
        raise StoreError(
            f"the database failed: {exc.orig}",
            hint="check that the database named by WARTA_DATABASE_URL is reachable and writable",
            backend=bind.dialect.name,
        ) from exc


def migrations_location() -> str:
    """Filesystem path of the Alembic scripts shipped inside the package."""
    return str(files("warta.store") / "migrations")


def alembic_config(connection: sqlalchemy.Connection | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", migrations_location())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(engine: sqlalchemy.Engine, *, revision: str = "head") -> None:
    """Run ``alembic upgrade head`` (or to ``revision``) on ``engine``, in one transaction.

    Safe to call from several processes at once: SQLite's write lock or a PostgreSQL advisory lock
    lets one migrate while the others wait, then find nothing left to do.
    """
    from alembic import command
    from alembic.util import CommandError

    try:
        with writer(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sqlalchemy.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            command.upgrade(alembic_config(connection), revision)
    except CommandError as exc:
        raise ConfigError(
            f"cannot migrate the database: {exc}",
            hint="the database was probably migrated by a newer warta; upgrade warta",
            backend=engine.dialect.name,
        ) from exc
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the database to migrate it: {exc.orig}",
            hint="check WARTA_DATABASE_URL, and that the database (or its folder) exists",
            backend=engine.dialect.name,
        ) from exc


def downgrade_database(engine: sqlalchemy.Engine, *, revision: str) -> None:
    """Run ``alembic downgrade REVISION`` on ``engine`` (``"base"`` drops every table)."""
    from alembic import command

    with writer(engine).begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: sqlalchemy.Engine) -> str | None:
    """The Alembic revision the database is at; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration shipped with this version of warta."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
