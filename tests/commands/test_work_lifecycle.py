"""`warta work` as operators run it: SIGTERM finishes the batch in hand and exits 0; a wrong
database or broker URL ends `serve`, `work` and `celery worker|dispatch` at start with exit 2."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tests.workers.outages import GatedEngine, free_port, wait_for
from tests.workers.test_runner import draft

from warta.config import Settings
from warta.domain import JobStatus
from warta.languages import Lang
from warta.services import build_services

EXIT_LIMIT_S = 120  # a guard against a hang, not a measured time


class _Lines:
    """The stderr lines of a subprocess, read on a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, text: str) -> None:
        while True:
            line = self._lines.get(timeout=EXIT_LIMIT_S)
            assert line is not None, f"exited before {text!r}:\n" + "\n".join(self.seen)
            self.seen.append(line)
            if text in line:
                return

    def rest(self) -> str:
        self._thread.join(timeout=EXIT_LIMIT_S)
        if self._process.stderr is not None:
            self._process.stderr.close()
        while not self._lines.empty():
            line = self._lines.get()
            if line is not None:
                self.seen.append(line)
        return "\n".join(self.seen)


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_sigterm_stops_warta_work_after_the_batch_in_hand_and_charges_no_job(
    tmp_path: Path, processes: int
) -> None:
    engine = GatedEngine()
    home = tmp_path / "home"
    engines = engine.engines_file(tmp_path / "engines.toml", langs=["en"])
    services = build_services(Settings(home=home, engines_file=engines))
    try:
        services.store.create_site(slug="demo", name="Demo")
        jobs = [
            job
            for n in range(4)
            for job in services.store.save_article(
                draft(external_id=f"berita-{n}"), targets=[Lang.EN]
            ).jobs
        ]
        env = {
            **os.environ,
            "WARTA_HOME": str(home),
            "WARTA_ENGINES_FILE": str(engines),
            "WARTA_JOBS_PER_BATCH": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "warta", "work", "--poll", "0.2",
             "--processes", str(processes)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines = _Lines(process)
        try:
            # Every process has a batch at the engine's gate (one engine call at a time each).
            wait_for(lambda: engine.waiting == processes, what="a batch per process in hand")
            process.send_signal(signal.SIGTERM)  # the parent forwards it to its children
            for _ in range(processes):
                lines.wait_for("SIGTERM: stopping after the batch in hand")
            engine.gate.set()  # the batches in hand come back from the engine now
            code = process.wait(timeout=EXIT_LIMIT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            engine.close()
        output = lines.rest()
        after = [services.queue.get(job.id) for job in jobs]
    finally:
        services.close()
    assert code == 0, output
    assert output.count("stopped by SIGTERM: the batch in hand was finished") == processes, output
    statuses = sorted(job.status.value for job in after)
    # One batch recorded per process, none taken on after the signal.
    assert statuses == ["done"] * processes + ["queued"] * (len(jobs) - processes), output
    assert [job.attempts for job in after] == [0] * len(jobs)  # nobody was charged an attempt
    assert all(job.leased_by is None for job in after if job.status is JobStatus.QUEUED)


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warta", *args],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=EXIT_LIMIT_S,
    )  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ("serve", "--no-worker", "--port", "0"),
        ("work",),
        ("work", "--processes", "2"),
    ],
)
def test_an_unreachable_database_ends_the_command_at_start_with_exit_2(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    port = free_port()  # nobody listens there
    url = f"postgresql+psycopg://warta:sekret@127.0.0.1:{port}/warta"
    result = _run(*command, env={"WARTA_HOME": str(tmp_path), "WARTA_DATABASE_URL": url})
    assert result.returncode == 2, result.stderr
    assert (
        f"cannot connect to the database postgresql+psycopg://warta:***@127.0.0.1:{port}/warta"
        in (result.stderr)
    )
    assert "check WARTA_DATABASE_URL" in result.stderr
    assert "sekret" not in result.stderr


@pytest.mark.parametrize("command", [("celery", "worker"), ("celery", "dispatch")])
@pytest.mark.parametrize("broken", ["broker", "database"])
def test_celery_commands_with_a_wrong_broker_or_database_end_at_start_with_exit_2(
    tmp_path: Path, command: tuple[str, ...], broken: str
) -> None:
    from tests.workers.outages import RedisServer

    port = free_port()
    env = {"WARTA_HOME": str(tmp_path / "home")}
    redis_server = None
    if broken == "broker":
        env["WARTA_BROKER_URL"] = f"redis://:sekret@127.0.0.1:{port}/0"
        expected = f"cannot connect to the Celery broker redis://:**@127.0.0.1:{port}/0"
        fix = "check WARTA_BROKER_URL"
    else:
        redis_server = RedisServer(tmp_path).start()
        env["WARTA_BROKER_URL"] = redis_server.url
        env["WARTA_DATABASE_URL"] = f"postgresql+psycopg://warta:sekret@127.0.0.1:{port}/warta"
        expected = f"cannot connect to the database postgresql+psycopg://warta:***@127.0.0.1:{port}"
        fix = "check WARTA_DATABASE_URL"
    try:
        result = _run(*command, env=env)
    finally:
        if redis_server is not None:
            redis_server.stop()
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert fix in result.stderr
    assert "sekret" not in result.stderr


@pytest.mark.slow
def test_sigterm_stops_warta_serve_and_its_worker_after_the_batch_in_hand(tmp_path: Path) -> None:
    engine = GatedEngine()
    home = tmp_path / "home"
    engines = engine.engines_file(tmp_path / "engines.toml", langs=["en"])
    services = build_services(Settings(home=home, engines_file=engines))
    try:
        services.store.create_site(slug="demo", name="Demo")
        jobs = [
            job
            for n in range(2)
            for job in services.store.save_article(
                draft(external_id=f"berita-{n}"), targets=[Lang.EN]
            ).jobs
        ]
        env = {
            **os.environ,
            "WARTA_HOME": str(home),
            "WARTA_ENGINES_FILE": str(engines),
            "WARTA_JOBS_PER_BATCH": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "warta", "serve", "--port", str(free_port())],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines = _Lines(process)
        try:
            wait_for(engine.arrived.is_set, what="the first batch to reach the engine")
            process.send_signal(signal.SIGTERM)
            lines.wait_for("Finished server process")  # uvicorn is down; the worker waits
            assert process.poll() is None  # the worker thread keeps the process until it is done
            engine.gate.set()
            code = process.wait(timeout=EXIT_LIMIT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            engine.close()
        output = lines.rest()
        after = [services.queue.get(job.id) for job in jobs]
    finally:
        services.close()
    assert code == 0, output
    assert sorted(job.status.value for job in after) == ["done", "queued"], output
    assert [job.attempts for job in after] == [0, 0]


@pytest.mark.slow
def test_sigterm_stops_warta_celery_dispatch_with_exit_0(tmp_path: Path) -> None:
    from tests.workers.outages import RedisServer

    redis_server = RedisServer(tmp_path).start()
    home = tmp_path / "home"
    services = build_services(Settings(home=home))
    try:
        services.store.create_site(slug="demo", name="Demo")
        services.store.save_article(draft(), targets=[Lang.EN])
    finally:
        services.close()
    env = {**os.environ, "WARTA_HOME": str(home), "WARTA_BROKER_URL": redis_server.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "warta", "celery", "dispatch", "--poll", "0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = _Lines(process)
    try:
        lines.wait_for("dispatched: en")
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=EXIT_LIMIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        redis_server.stop()
    output = lines.rest()
    assert code == 0, output
    assert "dispatcher stopped" in output
    assert output.count("dispatched: en") == 1, output  # the task still waits: published once
