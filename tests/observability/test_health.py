"""Readiness checks on real databases and brokers (warta.observability.health)."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.workers.outages import RedisServer

from warta.observability.health import ReadinessChecks, check_broker_url
from warta.services import Services
from warta.store.session import make_engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_database_fails_and_the_checks_needing_it_are_skipped(
    tmp_path: Path,
) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'warta.db'}")

    readiness = ReadinessChecks(db=db).run()

    assert not readiness.ok
    assert readiness.failing == ["database"]
    status = {c.name: c.status for c in readiness.checks}
    assert status == {"database": "fail", "migrations": "skip", "broker": "skip", "models": "skip"}
    assert "cannot connect" in readiness.checks[0].detail


def test_a_database_never_migrated_fails_migrations_and_models(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        readiness = ReadinessChecks(db=db).run()
    finally:
        db.dispose()

    assert readiness.failing == ["migrations", "models"]
    body = readiness.as_json()
    assert body["status"] == "fail"
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert "not migrated" in checks["migrations"]["detail"]
    assert "warta db upgrade" in checks["migrations"]["detail"]


def test_the_newest_migration_is_read_once_per_process(services: Services) -> None:
    reads: list[int] = []

    def head() -> str | None:
        reads.append(1)
        return "0000-not-this-one"

    checks = ReadinessChecks(db=services.db, head=head)
    first, second = checks.run(), checks.run()

    assert len(reads) == 1
    assert first.failing == second.failing == ["migrations"]


def test_a_broker_that_does_not_answer_is_named_without_its_password() -> None:
    problem = check_broker_url(f"redis://:hunter2@127.0.0.1:{free_port()}/0", timeout_s=1.0)

    assert problem is not None
    assert problem.startswith("cannot connect to redis://:**@127.0.0.1:")
    assert "hunter2" not in problem


def test_a_live_broker_passes(services: Services, tmp_path: Path) -> None:
    server = RedisServer(tmp_path).start()  # a real redis-server of this test's own
    try:
        assert check_broker_url(server.url, timeout_s=1.0) is None
        readiness = ReadinessChecks(db=services.db, broker_url=server.url).run()
    finally:
        server.stop()

    assert readiness.ok
    assert {c.name: c.status for c in readiness.checks}["broker"] == "ok"
