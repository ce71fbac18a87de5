"""Which errors are outages, how long to wait after each, and that an outage is logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import kombu.exceptions
import pytest
import redis.exceptions
import sqlalchemy
import sqlalchemy.exc

from warta.errors import ConflictError, EngineError, StoreError
from warta.workers.resilience import Backoff, OutageTracker, is_outage, retry_on_outage


def _database_refused() -> sqlalchemy.exc.OperationalError:
    """The error SQLAlchemy really raises for a database that refuses connections."""
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://warta:secret@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("port 1 accepted a connection")


def _wrapped_in_store_error() -> StoreError:
    try:
        try:
            raise _database_refused()
        except sqlalchemy.exc.OperationalError as exc:
            raise StoreError("the database failed") from exc
    except StoreError as store_error:
        return store_error


@pytest.mark.parametrize(
    ("make", "outage"),
    [
        (_database_refused, True),  # PostgreSQL refusing connections
        (_wrapped_in_store_error, True),  # what warta.store.session.transaction raises for it
        (lambda: kombu.exceptions.OperationalError("Error 111 connecting"), True),  # broker
        (lambda: redis.exceptions.ConnectionError("Connection refused"), True),  # Redis
        (lambda: ConnectionResetError(104, "reset by peer"), True),  # a dropped socket
        (lambda: TimeoutError("timed out"), True),  # a server that does not answer
        (lambda: FileNotFoundError(2, "no such file"), False),  # waiting would not fix it
        (lambda: ConflictError("stored meanwhile"), False),  # a data conflict, not an outage
        (lambda: EngineError("model failed"), False),  # the engine's own failure
        (lambda: ValueError("bug"), False),
    ],
)
def test_outages_are_told_from_other_errors(
    make: Callable[[], BaseException], outage: bool
) -> None:
    assert is_outage(make()) is outage


def test_backoff_doubles_up_to_its_maximum_and_jitter_only_shortens() -> None:
    backoff = Backoff(initial=0.5, factor=2.0, maximum=4.0, jitter=0.2)
    assert [backoff.delay(n, rng=lambda: 0.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff.delay(3, rng=lambda: 1.0) == pytest.approx(1.6)


def test_an_outage_is_logged_when_it_starts_and_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("tests.outage")
    times = iter([10.0, 13.5])
    tracker = OutageTracker("the database", log=log, clock=lambda: next(times))
    with caplog.at_level(logging.WARNING, logger="tests.outage"):
        tracker.recovered()  # no outage yet: nothing to say
        first = tracker.failed(ConnectionRefusedError(111, "refused"))
        second = tracker.failed(ConnectionRefusedError(111, "refused"))
        tracker.recovered()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert messages[0].startswith("the database is unreachable (ConnectionRefusedError")
    assert "retry 2" in messages[1]
    assert messages[2] == "the database is reachable again after 3.5 s (2 failed attempts)"
    assert 0 < first < second
    assert not tracker.down


def test_retry_on_outage_tries_again_until_the_service_answers() -> None:
    calls: list[int] = []

    def step() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise redis.exceptions.ConnectionError("Connection refused")
        return "published"

    tracker = OutageTracker(
        "redis", log=logging.getLogger("tests.outage"), backoff=Backoff(initial=0.001)
    )
    assert retry_on_outage(step, tracker=tracker, stop=threading.Event()) == "published"
    assert len(calls) == 3


def test_retry_on_outage_lets_other_errors_through_and_stops_when_asked() -> None:
    tracker = OutageTracker("redis", log=logging.getLogger("tests.outage"))

    def broken() -> None:
        raise ValueError("a bug is not an outage")

    with pytest.raises(ValueError, match="not an outage"):
        retry_on_outage(broken, tracker=tracker, stop=threading.Event())
    stopped = threading.Event()
    stopped.set()
    assert retry_on_outage(lambda: "never called", tracker=tracker, stop=stopped) is None
