"""Fixtures of the fault tests: a fresh PostgreSQL database behind a proxy, a Redis of their own,
a webhook receiver, and a :class:`~tests.faults.rig.Rig` that runs warta's processes on them.

Skipped, saying what to install, without ``redis-server`` or ``WARTA_TEST_DATABASE_URL`` (.ci/run
provides both). The shared cluster and the shared Redis on 6379 are never stopped: outages are
made on the test's own Redis and through the test's own proxy.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from tests.faults.rig import Rig
from tests.faults.servers import PostgresProxy, Receiver, RedisServer

PG_ENV = "WARTA_TEST_DATABASE_URL"
SUMMARY = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SUMMARY] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The counts of every scenario run, also without ``-s`` (artifacts/faults.json has more)."""
    lines = terminalreporter.config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.section("fault tests")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def admin_url() -> sqlalchemy.URL:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(
            f"fault tests need PostgreSQL: set {PG_ENV}, e.g. "
            "postgresql+psycopg://warta:warta@127.0.0.1/warta_test (.ci/run does)"
        )
    parsed = sqlalchemy.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        pytest.skip(f"fault tests need PostgreSQL in {PG_ENV}, not {parsed.drivername}")
    return parsed


@pytest.fixture
def database(admin_url: sqlalchemy.URL) -> Iterator[sqlalchemy.URL]:
    """A database of the test's own on the shared cluster (the URL reaches it directly)."""
    name = f"warta_fault_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(
        admin_url, poolclass=sqlalchemy.NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sqlalchemy.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_ENV} cannot create a database: {exc.orig}")
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_proxy(database: sqlalchemy.URL) -> Iterator[PostgresProxy]:
    proxy = PostgresProxy((database.host or "127.0.0.1", database.port or 5432))
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("fault tests need redis-server (apt-get install redis-server; .ci/run does)")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(executable, directory=directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().running() as running:
        yield running


@pytest.fixture
def rig(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    redis_server: RedisServer,
    database: sqlalchemy.URL,
    pg_proxy: PostgresProxy,
    receiver: Receiver,
    shared_tiny_model: Path,
) -> Iterator[Rig]:
    """Site, model and webhook set up with the CLI; the processes are started by the test."""
    through_proxy = database.set(host="127.0.0.1", port=pg_proxy.port)
    built = Rig(
        home=tmp_path / "home",
        database_url=through_proxy.render_as_string(hide_password=False),
        direct_url=database.render_as_string(hide_password=False),
        broker_url=redis_server.url,
        receiver=receiver,
        model=shared_tiny_model,
        summary=request.config.stash.get(SUMMARY, []),
    )
    try:
        built.set_up()
        yield built
    finally:
        built.stop_all()
