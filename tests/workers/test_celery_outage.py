"""Celery and a PostgreSQL outage (through the test's TCP proxy): a task that meets it logs it
and returns, the next one does the work; the dispatcher waits it out and publishes again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.workers.outages import GatedEngine, RedisServer, TcpProxy, wait_for
from tests.workers.test_foreground_outage import proxied_services, proxy
from tests.workers.test_runner import draft

from warta.domain import JobStatus
from warta.languages import Lang
from warta.services import Services
from warta.workers.celery_app import TASK_NAME, InFlight, dispatch_forever, make_celery

__all__ = ["proxied_services", "proxy"]  # fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def test_a_task_that_meets_a_database_outage_logs_it_and_the_next_one_does_the_work(
    proxied_services: Services,
    proxy: TcpProxy,
    redis_server: RedisServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = GatedEngine()
    engine.gate.set()  # translations come back at once
    settings = proxied_services.settings.model_copy(
        update={
            "broker_url": redis_server.url,
            "engines_file": engine.engines_file(tmp_path / "engines.toml", langs=["en"]),
        }
    )
    store = proxied_services.store
    store.create_site(slug="demo", name="Demo")
    first = store.save_article(draft(external_id="pertama"), targets=[Lang.EN]).jobs
    task = make_celery(settings).tasks[TASK_NAME]
    inflight = InFlight.for_broker(redis_server.url, ttl_seconds=30)
    assert inflight is not None
    caplog.set_level(logging.WARNING, logger="warta.workers.celery_app")
    try:
        assert task("en")["batches"] == 1
        second = store.save_article(draft(external_id="kedua"), targets=[Lang.EN]).jobs
        assert inflight.mark(Lang.EN)  # as the dispatcher does when it publishes
        proxy.refuse()

        during = task("en")

        assert during == {"lang": "en", "batches": 0, "outage": True}
        assert not inflight.waiting(Lang.EN)  # the dispatcher may publish again
        proxy.accept()
        after = task("en")
    finally:
        inflight.close()
        engine.close()
    assert after["batches"] == 1
    for job in [*first, *second]:
        assert proxied_services.queue.get(job.id).status is JobStatus.DONE
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("task for en stopped by an outage") for m in messages), messages


def test_the_dispatcher_rides_out_a_database_outage_and_publishes_once_it_is_back(
    proxied_services: Services,
    proxy: TcpProxy,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = proxied_services.settings.model_copy(update={"broker_url": redis_server.url})
    proxied_services.store.create_site(slug="demo", name="Demo")
    app = make_celery(settings)
    inflight = InFlight.for_broker(redis_server.url, ttl_seconds=30)
    stop = threading.Event()
    published: list[list[Lang]] = []
    failures: list[BaseException] = []

    def dispatch() -> None:
        try:
            dispatch_forever(
                app,
                proxied_services,
                poll=0.05,
                stop=stop,
                inflight=inflight,
                on_dispatch=published.append,
            )
        except BaseException as exc:  # noqa: BLE001 -- reported by the test below
            failures.append(exc)

    caplog.set_level(logging.WARNING, logger="warta.workers.celery_app")
    proxy.refuse()
    thread = threading.Thread(target=dispatch, name="test-dispatcher")
    thread.start()
    try:
        wait_for(
            lambda: any("the database" in r.getMessage() for r in caplog.records),
            what="the dispatcher to log the database outage",
        )
        proxy.accept()
        proxied_services.store.save_article(draft(), targets=[Lang.FR])
        wait_for(lambda: published == [[Lang.FR]], what="the task to be published")
    finally:
        stop.set()
        thread.join(timeout=30)
        if inflight is not None:
            inflight.close()
    assert not failures, failures
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("the database (") and "unreachable" in m for m in messages), messages
    assert any(m.startswith("the database (") and "reachable again" in m for m in messages)
    assert all("warta:" not in m or "***" in m for m in messages if "postgresql" in m)
