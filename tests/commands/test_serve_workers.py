"""`warta serve --workers N`: several server processes, each with its own app and page cache."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
from click.testing import CliRunner

from warta.cli import cli

STARTUP_LIMIT_S = 180  # a safety net for a server that never starts, not a measured time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_with_two_workers_starts_two_processes_that_serve_the_site(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = CliRunner().invoke(cli, ["--home", str(home), "sites", "create", "demo"])
    assert created.exit_code == 0, created.output
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "warta", "--home", str(home), "serve", "--no-worker",
         "--workers", "2", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        started: set[str] = set()
        ready = 0
        while len(started) < 2 or ready < 2:
            line = lines.get(timeout=STARTUP_LIMIT_S)
            assert line is not None, "warta serve stopped:\n" + "\n".join(seen)
            seen.append(line)
            if "Started server process" in line:
                started.add(line.rsplit("[", 1)[-1])
            if "Application startup complete" in line:
                ready += 1
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(4):
                response = client.get("/id/")
                assert response.status_code == 200, response.text[:300]
                assert "site-demo-lists" in response.headers["surrogate-key"]
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=60)
        assert process.stderr is not None
        process.stderr.close()
    assert len(started) == 2, "\n".join(seen)
