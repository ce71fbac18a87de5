"""`warta serve --demo`, as a user starts it: the desk is usable at once (a demo admin whose
password is printed once), and a second start says how to set a new password."""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

GREETING = re.compile(r"^Review desk: (http://127\.0\.0\.1:\d+/desk/) — log in as (\S+)(.*)$")
STARTUP_LIMIT_S = 180  # a safety net for a server that never starts, not a measured time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _serving(home: Path) -> Iterator[re.Match[str]]:
    """Run `warta serve --demo` until it has greeted and answers; yields the greeting."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "warta", "--home", str(home), "serve", "--demo", "--no-worker",
         "--port", str(port)],
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
    try:
        seen: list[str] = []
        while True:
            line = lines.get(timeout=STARTUP_LIMIT_S)
            assert line is not None, "warta serve stopped:\n" + "\n".join(seen)
            seen.append(line)
            if "Uvicorn running on" in line:
                break
        greeting = next((m for m in map(GREETING.match, seen) if m), None)
        assert greeting is not None, "\n".join(seen)
        yield greeting
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=60)
        assert process.stderr is not None
        process.stderr.close()


def test_serve_demo_prints_a_desk_login_that_works_and_later_how_to_reset_it(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    with _serving(home) as greeting:
        desk, email, rest = greeting.groups()
        assert email == "redaksi@demo.example"
        password = rest.removeprefix(" / ")
        assert len(password) >= 16
        with httpx.Client(base_url=desk) as client:
            response = client.post(
                "login", data={"site": "demo", "email": email, "password": password}
            )
            assert response.status_code == 303, response.text
            assert client.get("").status_code == 200  # the queue, logged in

    with _serving(home) as again:
        assert again.group(2) == email
        assert password not in again.group(0)
        assert "`warta editors password --site demo redaksi@demo.example`" in again.group(3)
