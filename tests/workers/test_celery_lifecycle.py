"""A real `warta celery worker --concurrency 2` (against a redis-server of the test's own): each
pool process leases jobs under its own name, and SIGTERM lets every running task record its
batch in hand, give back what it had not started, and return; the worker then exits 0."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.workers.outages import GatedEngine, RedisServer, wait_for
from tests.workers.test_runner import draft

from warta.config import Settings
from warta.domain import Job, JobStatus
from warta.languages import Lang
from warta.services import Services, build_services
from warta.workers.celery_app import SHUTDOWN_NOTICE, dispatch_pending, make_celery

pytestmark = pytest.mark.slow

EXIT_LIMIT_S = 120  # a guard against a hang, not a measured time
OUTAGE_S = 5  # how long Redis stays away (as in the reviewer's measurement)


def test_celery_pool_processes_lease_under_their_own_names_and_stop_after_the_batch_in_hand(
    tmp_path: Path,
) -> None:
    redis_server = RedisServer(tmp_path).start()
    engine = GatedEngine()
    home = tmp_path / "home"
    engines = engine.engines_file(tmp_path / "engines.toml", langs=["en", "fr"])
    settings = Settings(home=home, broker_url=redis_server.url, engines_file=engines)
    services = build_services(settings)
    output: list[str] = []
    try:
        services.store.create_site(slug="demo", name="Demo")
        jobs = [
            job
            for n in range(3)
            for job in services.store.save_article(
                draft(external_id=f"berita-{n}"), targets=[Lang.EN, Lang.FR]
            ).jobs
        ]
        env = {
            **os.environ,
            "WARTA_HOME": str(home),
            "WARTA_BROKER_URL": redis_server.url,
            "WARTA_ENGINES_FILE": str(engines),
            "WARTA_JOBS_PER_BATCH": "1",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "warta", "celery", "worker", "--concurrency", "2",
             "--loglevel", "warning"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        reader = threading.Thread(target=_read, args=(worker, output), daemon=True)
        reader.start()

        def leases() -> set[str]:
            return {
                job.leased_by
                for job in _current(services, jobs)
                if job.status is JobStatus.RUNNING and job.leased_by
            }

        try:
            assert sorted(dispatch_pending(make_celery(settings), services)) == [Lang.EN, Lang.FR]
            # Two batches wait at the engine's gate at once: a process has one engine call at a
            # time, so both pool processes hold a batch in hand (and may have claimed the next).
            wait_for(lambda: engine.waiting == 2, what="a batch of each process at the engine")
            names = leases()
            worker.send_signal(signal.SIGTERM)
            wait_for(lambda: any(SHUTDOWN_NOTICE in line for line in output), what="the notice")
            engine.gate.set()  # the batches in hand come back from the engine now
            code = worker.wait(timeout=EXIT_LIMIT_S)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            reader.join(timeout=EXIT_LIMIT_S)
            if worker.stdout is not None:
                worker.stdout.close()
        after = _current(services, jobs)
    finally:
        engine.close()
        services.close()
        redis_server.stop()
    log = "\n".join(output)
    host = re.escape(socket.gethostname())
    assert all(re.fullmatch(rf"celery@{host}:\d+", name) for name in names), names
    assert len(names) == 2, log  # two processes, two names
    assert code == 0, log
    done = [job for job in after if job.status is JobStatus.DONE]
    assert sorted(job.lang.value for job in done) == ["en", "fr"], log  # one batch in hand each
    assert all(job.status is JobStatus.QUEUED for job in after if job not in done), log
    assert [job.attempts for job in after] == [0] * len(jobs)  # nobody was charged an attempt


def _current(services: Services, jobs: Sequence[Job]) -> list[Job]:
    return [services.queue.get(job.id) for job in jobs]


def _read(process: subprocess.Popen[str], into: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.append(line.rstrip("\n"))


def test_a_celery_worker_rides_out_a_redis_restart_and_runs_the_tasks_published_after(
    tmp_path: Path,
) -> None:
    redis_server = RedisServer(tmp_path).start()
    engine = GatedEngine()
    engine.gate.set()  # no waiting: translations come back at once
    home = tmp_path / "home"
    engines = engine.engines_file(tmp_path / "engines.toml", langs=["en"])
    settings = Settings(home=home, broker_url=redis_server.url, engines_file=engines)
    services = build_services(settings)
    output: list[str] = []
    try:
        services.store.create_site(slug="demo", name="Demo")
        first = services.store.save_article(draft(external_id="sebelum"), targets=[Lang.EN]).jobs
        env = {
            **os.environ,
            "WARTA_HOME": str(home),
            "WARTA_BROKER_URL": redis_server.url,
            "WARTA_ENGINES_FILE": str(engines),
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "warta", "celery", "worker", "--concurrency", "1",
             "--loglevel", "warning"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        reader = threading.Thread(target=_read, args=(worker, output), daemon=True)
        reader.start()
        app = make_celery(settings)

        def all_done(jobs: Sequence[Job]) -> bool:
            return all(job.status is JobStatus.DONE for job in _current(services, jobs))

        try:
            assert dispatch_pending(app, services) == [Lang.EN]
            wait_for(lambda: all_done(first), what="the first job, before the restart")
            redis_server.stop()  # the worker's connections are cut
            time.sleep(OUTAGE_S)  # the length of the outage, not a measurement
            redis_server.start()  # same port, empty
            later = services.store.save_article(draft(external_id="sesudah"), targets=[Lang.EN])
            assert dispatch_pending(app, services) == [Lang.EN]
            wait_for(lambda: all_done(later.jobs), what="the job published after the restart")
            assert worker.poll() is None  # it never exited
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=EXIT_LIMIT_S)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            reader.join(timeout=EXIT_LIMIT_S)
            if worker.stdout is not None:
                worker.stdout.close()
    finally:
        engine.close()
        services.close()
        redis_server.stop()
    assert code == 0, "\n".join(output)
