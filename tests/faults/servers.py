"""Real servers the fault tests own and break: Redis, a PostgreSQL proxy, a webhook receiver.

:class:`RedisServer` is a ``redis-server`` on a free port that can be killed (``SIGKILL``) and
started again on the same port. :class:`PostgresProxy` is a TCP proxy in front of the shared
PostgreSQL cluster: :meth:`PostgresProxy.refuse` closes its listening socket and drops every live
connection, so clients get "connection refused" until it listens again; the cluster itself is
never touched. :class:`Receiver` is an HTTP server in a thread that counts every delivery by the
event id in its JSON body.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


class RedisServer:
    """A ``redis-server`` of the test's own on ``port``: no persistence, restartable."""

    def __init__(self, executable: str, *, directory: Path) -> None:
        self._executable = executable
        self._dir = directory
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self._dir / f"redis-{self.starts}.log").open("wb")
        self._proc = subprocess.Popen(
            [
                self._executable,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", str(self._dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.starts += 1
        if not wait_for_port(self.port, timeout=15):
            raise RuntimeError(f"redis-server did not listen on port {self.port} within 15 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; the broker's queues are gone."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(timeout=10)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class PostgresProxy:
    """Forwards 127.0.0.1:``port`` to the PostgreSQL server at ``upstream``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()
        self.accepted = 0
        self.dropped = 0

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def refuse(self, seconds: float) -> threading.Thread:
        """Stop listening and drop every connection now; listen again after ``seconds``.

        Returns the thread that reopens the port (join it to wait for the end of the outage).
        """
        with self._lock:
            listener, self._listener = self._listener, None
            live, self._live = self._live, set()
        if listener is not None:
            listener.close()
        for conn in live:
            _shut(conn)
        self.dropped += len(live) // 2

        def reopen() -> None:
            if not self._stopped.wait(seconds):
                self.start()

        thread = threading.Thread(target=reopen, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            listener, self._listener = self._listener, None
            live, self._live = self._live, set()
        if listener is not None:
            listener.close()
        for conn in live:
            _shut(conn)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # refused while connecting
                    _shut(client)
                    _shut(server)
                    return
                self._live.update((client, server))
                self.accepted += 1
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._live.discard(src)
                self._live.discard(dst)
            _shut(src)
            _shut(dst)


def _shut(conn: socket.socket) -> None:
    with suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers 200 and counts deliveries per event id."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.types: dict[str, str] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with receiver._lock:
                    receiver.counts[str(body["id"])] += 1
                    receiver.types[str(body["id"])] = str(body["type"])
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/warta"

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


# --- processes -----------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc), children before grandchildren."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        nxt = [child for child, parent in parents.items() if parent in frontier]
        found += nxt
        frontier = nxt
    return found


def kill_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``proc`` leads (started with start_new_session)."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
