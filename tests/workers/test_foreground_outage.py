"""`warta work`'s loop rides out PostgreSQL refusing connections (through a TCP proxy the test
owns in front of the shared server) and finishes every job once the database is back."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from tests.dbfixtures import postgres_admin_url
from tests.workers.outages import TcpProxy
from tests.workers.test_runner import draft, worker_with

from warta.config import Settings
from warta.domain import JobStatus
from warta.engines.fake import FakeEngine
from warta.languages import Lang
from warta.services import Services, build_services
from warta.workers.foreground import work_in_foreground
from warta.workers.resilience import Backoff, OutageTracker

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    admin = sqlalchemy.make_url(postgres_admin_url())
    proxy = TcpProxy((admin.host or "127.0.0.1", admin.port or 5432)).accept()
    yield proxy
    proxy.refuse()


@pytest.fixture
def proxied_services(tmp_path: Path, proxy: TcpProxy) -> Iterator[Services]:
    """Services on a fresh PostgreSQL schema, reached only through ``proxy``."""
    admin_url = sqlalchemy.make_url(postgres_admin_url())
    schema = f"warta_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(admin_url, poolclass=sqlalchemy.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = admin_url.set(host="127.0.0.1", port=proxy.port).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    services = build_services(
        Settings(home=tmp_path / "home", database_url=url.render_as_string(hide_password=False))
    )
    try:
        yield services
    finally:
        services.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_the_work_loop_rides_out_postgres_refusing_connections_and_finishes_the_jobs(
    proxied_services: Services, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    services = proxied_services
    services.store.create_site(slug="demo", name="Demo")
    jobs = [
        job
        for n in range(4)
        for job in services.store.save_article(
            draft(external_id=f"berita-{n}"), targets=[Lang.EN]
        ).jobs
    ]
    refused: list[bool] = []

    def cut_after_the_first_edition(edition: object, site_id: int) -> None:
        if not refused:  # the database goes away while the next batch is in the engine
            refused.append(True)
            proxy.refuse()

    worker = worker_with(
        services,
        FakeEngine(),
        jobs_per_batch=1,
        lease_seconds=1,  # the batch cut by the outage is taken over soon after
        on_recorded=cut_after_the_first_edition,
    )
    outage = OutageTracker(
        "the database", log=logging.getLogger("tests.outage"), backoff=Backoff(initial=0.05)
    )
    failures_seen: list[int] = []

    def sleep(seconds: float) -> None:
        if outage.down:
            failures_seen.append(outage.failures)
            if outage.failures >= 3:  # refused three times in a row: let it back in
                proxy.accept()
        elif services.queue.counts().get(JobStatus.DONE, 0) == len(jobs):
            worker.stop()  # everything done: end the loop as SIGTERM would
            return
        time.sleep(min(seconds, 0.1))

    caplog.set_level(logging.WARNING, logger="tests.outage")
    summary = work_in_foreground(worker, until_idle=False, poll=0.1, sleep=sleep, outage=outage)

    assert refused == [True]
    assert failures_seen[:3] == [1, 2, 3]  # three failed runs, each waited out, no crash
    after = [services.queue.get(job.id) for job in jobs]
    assert [job.status for job in after] == [JobStatus.DONE] * len(jobs)
    assert [job.attempts for job in after] == [0] * len(jobs)  # the outage cost no attempt
    assert summary.editions == len(jobs)  # the batch cut off was taken over and recorded
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("the database is unreachable") for m in messages), messages
    assert any(m.startswith("the database is reachable again") for m in messages), messages
