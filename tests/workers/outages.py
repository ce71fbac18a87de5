"""Servers the outage tests own and break on purpose: a redis-server on a free port (stopped and
started again on the same port), and a TCP proxy in front of the shared PostgreSQL that can
refuse connections for a while. The shared Redis and PostgreSQL are never stopped."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

START_LIMIT_S = 30  # a safety net for a server that never starts, not a measured time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, what: str, limit: float = 60.0) -> None:
    """Poll ``condition`` until it holds; fail the test (naming ``what``) after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart loses everything, as a
    Redis restarted without a dump does."""

    def __init__(self, workdir: Path) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self._server = server
        self._dir = workdir
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self._proc = subprocess.Popen(
            [self._server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._accepts, what="redis-server to accept connections", limit=START_LIMIT_S)
        return self

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=10)
            self._proc = None

    def _accepts(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0


class TcpProxy:
    """Forwards 127.0.0.1:port to ``target``; :meth:`refuse` closes the listener and drops every
    connection (clients get "connection refused"), :meth:`accept` listens again on the same
    port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()

    def accept(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._serve, args=(listener,), daemon=True).start()
        return self

    def refuse(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            _close(listener)  # shutdown wakes the accept() blocked in _serve
        for sock in sockets:
            _close(sock)

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed: refusing
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # refused meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more)
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class GatedEngine:
    """A LibreTranslate server (warta.engines.remote.testing) whose every translation waits
    until :attr:`gate` is set: a real remote engine for worker subprocesses, holding a batch "in
    hand" for as long as the test wants. :meth:`engines_file` routes the given languages to it."""

    def __init__(self) -> None:
        from warta.engines.remote.testing import fake_translate, libretranslate_server

        self.gate = threading.Event()
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        self.waiting = 0  # translations waiting at the gate now
        self.max_waiting = 0

        def translate(text: str, target: str) -> str:
            with self._lock:
                self.waiting += 1
                self.max_waiting = max(self.max_waiting, self.waiting)
            self.arrived.set()
            try:
                self.gate.wait(timeout=120)
            finally:
                with self._lock:
                    self.waiting -= 1
            return fake_translate(text, target)

        self._context = libretranslate_server(translate=translate)
        self.server = self._context.__enter__()

    def engines_file(self, path: Path, *, langs: list[str]) -> Path:
        routes = "".join(f'\n[[routes]]\ntarget = "{lang}"\nengine = "gated"\n' for lang in langs)
        path.write_text(
            f'[engines.gated]\nkind = "libretranslate"\nurl = "{self.server.url}"\n'
            f"concurrency = 1\ntimeout = 120\n{routes}",
            encoding="utf-8",
        )
        return path

    def close(self) -> None:
        self.gate.set()
        self._context.__exit__(None, None, None)
