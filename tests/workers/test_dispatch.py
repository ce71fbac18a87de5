"""`warta celery dispatch`: one waiting task per language at most, and a Redis restart ridden
out (against a redis-server of the test's own, restarted on the same port)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from tests.workers.outages import RedisServer, wait_for
from tests.workers.test_runner import draft

from warta.config import Settings
from warta.languages import Lang
from warta.services import Services, build_services
from warta.workers.celery_app import (
    InFlight,
    dispatch_forever,
    dispatch_pending,
    make_celery,
)

pytestmark = pytest.mark.slow

QUEUE = "celery"  # the Redis list Celery's default queue lives in


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def broker_services(tmp_path: Path, redis_server: RedisServer) -> Iterator[Services]:
    services = build_services(Settings(home=tmp_path / "home", broker_url=redis_server.url))
    services.store.create_site(slug="demo", name="Demo")
    yield services
    services.close()


def _waiting(server: RedisServer) -> int:
    """Task messages waiting in the broker (0 while it is down)."""
    client = redis.Redis.from_url(server.url, socket_connect_timeout=1)
    try:
        return int(client.llen(QUEUE))
    except redis.exceptions.ConnectionError:
        return 0
    finally:
        client.close()


def test_a_language_with_a_task_waiting_gets_no_second_one_until_a_task_starts(
    broker_services: Services, redis_server: RedisServer
) -> None:
    broker_services.store.save_article(draft(), targets=[Lang.EN, Lang.FR])
    app = make_celery(broker_services.settings)
    inflight = InFlight.for_broker(redis_server.url, ttl_seconds=30)
    assert inflight is not None

    first = dispatch_pending(app, broker_services, inflight=inflight)
    again = dispatch_pending(app, broker_services, inflight=inflight)

    assert sorted(first) == [Lang.EN, Lang.FR]
    assert again == []  # both still waiting: nothing published
    assert _waiting(redis_server) == 2
    inflight.clear(Lang.FR)  # what a task of FR does when it starts
    assert dispatch_pending(app, broker_services, inflight=inflight) == [Lang.FR]
    assert _waiting(redis_server) == 3
    inflight.close()


def test_the_dispatcher_rides_out_a_redis_restart_and_publishes_again(
    broker_services: Services, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    broker_services.store.save_article(draft(), targets=[Lang.EN])
    app = make_celery(broker_services.settings)
    inflight = InFlight.for_broker(redis_server.url, ttl_seconds=30)
    stop = threading.Event()
    published: list[list[Lang]] = []
    failures: list[BaseException] = []

    def dispatch() -> None:
        try:
            dispatch_forever(
                app,
                broker_services,
                poll=0.05,
                stop=stop,
                inflight=inflight,
                on_dispatch=published.append,
            )
        except BaseException as exc:  # noqa: BLE001 -- reported by the test below
            failures.append(exc)

    caplog.set_level(logging.WARNING, logger="warta.workers.celery_app")
    thread = threading.Thread(target=dispatch, name="test-dispatcher")
    thread.start()
    try:
        wait_for(lambda: _waiting(redis_server) == 1, what="the first task to be published")
        redis_server.stop()
        wait_for(
            lambda: any("unreachable" in r.getMessage() for r in caplog.records),
            what="the dispatcher to log the outage",
        )
        redis_server.start()  # same port, empty: the waiting task and the marker are gone
        wait_for(lambda: _waiting(redis_server) == 1, what="the task to be published again")
    finally:
        stop.set()
        thread.join(timeout=30)
        if inflight is not None:
            inflight.close()
    assert not failures, failures
    assert published == [[Lang.EN], [Lang.EN]]
    messages = [r.getMessage() for r in caplog.records]
    assert any("Celery broker" in m and "unreachable" in m for m in messages), messages
    assert any("reachable again" in m for m in messages), messages
