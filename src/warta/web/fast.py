"""Cache hits without the database, the thread pool or the middleware stack.

Two parts:

* :class:`ChangeWatch`: a *generation* number that moves on when the store's change fingerprint
  (:func:`warta.store.counter.change_fingerprint`) does. The fingerprint is read at most once per
  interval (``Settings.cache_check_ms``); between reads the generation is taken as current.
* :class:`FastPages`: pure ASGI, in front of the whole application. A GET whose exact response
  (scheme, Host, path and query) was produced by a page route at the current generation is
  answered from memory: the same status, headers and body the full stack sent, or 304 for a
  matching conditional request. Anything else goes through the application, whose page routes
  mark what may be replayed (:func:`mark`) and the layer records what was actually sent.

Staleness is bounded by the interval: a hit is served only when the fingerprint was read less
than one interval ago, and a read that started after a write sees it. So a page is never
served stale for longer than ``cache_check_ms`` after the store changes. Every process (uvicorn
worker) keeps its own table and watch.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import anyio.to_thread
import sqlalchemy
from sqlalchemy import event
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warta.store.session import CHANGES_CHANNEL, WRITE_OPTION
from warta.web.cache import Page

FastKey = tuple[str, bytes, str, bytes]  # (scheme, host, path, query string)

log = logging.getLogger("warta.web.fast")
SCOPE_SLOT = "warta.fast"
PASS_THROUGH = ("/api/", "/desk", "/static/", "/healthz", "/readyz", "/metrics")
_NOT_REPLAYED_ON_304 = {b"content-length", b"content-type"}


class ChangeWatch:
    """A generation that changes when ``read()`` returns something new, read at most once per
    ``interval_s`` (``clock`` is monotonic seconds; tests pass their own)."""

    def __init__(
        self,
        *,
        read: Callable[[], Hashable],
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._interval = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint: Hashable = object()  # equal to nothing read
        self._generation = 0
        self._read_started: float | None = None  # when the read behind the generation began
        self._epoch = 0  # +1 on every invalidate(): a read begun before it proves nothing

    @property
    def interval_s(self) -> float:
        return self._interval

    @property
    def generation(self) -> int:
        """The latest generation known, however old (pages are stamped with it)."""
        return self._generation

    def fresh(self) -> int | None:
        """The generation if the fingerprint was read less than one interval ago, else None."""
        started = self._read_started
        if started is None or self._clock() - started >= self._interval:
            return None
        return self._generation

    def due(self) -> bool:
        """Half the interval has passed since the last read: time to read again, in the
        background, so that hits never wait for a read while requests keep coming."""
        started = self._read_started
        return started is None or self._clock() - started >= self._interval / 2

    def invalidate(self) -> None:
        """This process committed a write: the next hit reads the fingerprint first."""
        with self._lock:
            self._epoch += 1
            self._read_started = None

    def refresh(self) -> int:
        """Read the fingerprint now (blocking: call it from a thread); the generation after."""
        with self._lock:
            epoch = self._epoch
        started = self._clock()
        fingerprint = self._read()
        with self._lock:
            if self._read_started is not None and started < self._read_started:
                return self._generation  # a later read already answered
            if fingerprint != self._fingerprint:
                self._fingerprint = fingerprint
                self._generation += 1
            # A write committed here while reading may be missing: not fresh then.
            self._read_started = started if epoch == self._epoch else None
            return self._generation


def watch_local_writes(engine: sqlalchemy.Engine, watch: ChangeWatch) -> None:
    """Invalidate ``watch`` whenever a write transaction of this process commits (the store
    draws its writes from :func:`warta.store.session.writer`), so a change made here is seen
    on the next request; writes of other processes wait for the next read, at most one
    interval."""

    def committed(conn: sqlalchemy.Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            watch.invalidate()

    event.listen(engine, "commit", committed)


class ChangeListener:
    """PostgreSQL ``LISTEN``: every write transaction notifies :data:`CHANGES_CHANNEL` when it
    commits (:func:`warta.store.session.transaction`), in any process, and this thread
    invalidates ``watch`` at once, so a page changed by a worker elsewhere is not served from
    the cache until the next periodic read. The periodic read stays as the safety net (a lost
    connection is re-opened after ``retry_s``)."""

    def __init__(
        self, url: sqlalchemy.URL, watch: ChangeWatch, *, poll_s: float = 1.0, retry_s: float = 5.0
    ) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._watch = watch
        self._poll = poll_s
        self._retry = retry_s
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self.notifications = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="warta-listen", daemon=True)
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once ``LISTEN`` is in place (tests wait for it before writing)."""
        return self._listening.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._poll + 5.0)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self._watch.invalidate()  # anything committed before LISTEN: read again
                    self._listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self._poll):
                            self.notifications += 1
                            self._watch.invalidate()
            except psycopg.Error:
                log.warning("LISTEN %s failed; retrying in %.0f s", CHANGES_CHANNEL, self._retry)
                self._listening.clear()
                self._stop.wait(self._retry)


@dataclass
class FastSlot:
    """Put in the request scope by :class:`FastPages`; a page route fills it (:func:`mark`)."""

    page: Page | None = None
    generation: int = -1


def mark(request: Request, page: Page, *, generation: int) -> None:
    """Let :class:`FastPages` replay this response while the store stays at ``generation``
    (read *before* the data the page shows were read)."""
    slot = request.scope.get(SCOPE_SLOT)
    if isinstance(slot, FastSlot):
        slot.page = page
        slot.generation = generation


@dataclass(frozen=True, slots=True)
class FastEntry:
    generation: int
    headers: list[tuple[bytes, bytes]]
    page: Page


@dataclass(frozen=True, slots=True)
class FastStats:
    hits: int
    passed: int  # requests handed to the application
    entries: int


@dataclass
class _Recorder:
    slot: FastSlot
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)


class FastPages:
    """The ASGI layer; ``max_entries`` bounds the table (least recently used go first)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        watch: ChangeWatch,
        on_hit: Callable[[], None] | None = None,
        max_entries: int = 2048,
    ) -> None:
        self.app = app
        self.watch = watch
        self._on_hit = on_hit
        self._max = max_entries
        self._table: OrderedDict[FastKey, FastEntry] = OrderedDict()
        self._hits = 0
        self._passed = 0
        self._lock: asyncio.Lock | None = None
        self._background: asyncio.Task[int] | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def stats(self) -> FastStats:
        return FastStats(self._hits, self._passed, len(self._table))

    def clear(self) -> None:
        self._table.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.watch.interval_s <= 0:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(PASS_THROUGH):
            await self.app(scope, receive, send)
            return
        host = b""
        if_none_match: bytes | None = None
        if_modified_since: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.lower()
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"if-modified-since":
                if_modified_since = value
        key: FastKey = (scope.get("scheme", "http"), host, path, scope.get("query_string", b""))
        entry = self._table.get(key)
        if entry is not None:
            generation = self.watch.fresh()
            if generation is None:
                generation = await self._refresh(early=False)
            elif self.watch.due():
                self._refresh_in_background()
            if entry.generation == generation:
                self._hits += 1
                if self._on_hit is not None:
                    self._on_hit()
                self._table.move_to_end(key)
                await _replay(entry, send, if_none_match, if_modified_since)
                return
        self._passed += 1
        slot = FastSlot()
        recorder = _Recorder(slot)

        async def recording_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                recorder.status = message["status"]
                recorder.headers = list(message.get("headers", []))
            elif kind == "http.response.body" and recorder.status == 200:
                recorder.chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and slot.page is not None:
                    self._store(key, recorder)
            await send(message)

        await self.app({**scope, SCOPE_SLOT: slot}, receive, recording_send)

    def _store(self, key: FastKey, recorder: _Recorder) -> None:
        page = recorder.slot.page
        if page is None or b"".join(recorder.chunks) != page.body:
            return  # something in between changed the body: not ours to replay
        self._table[key] = FastEntry(recorder.slot.generation, recorder.headers, page)
        self._table.move_to_end(key)
        while len(self._table) > self._max:
            self._table.popitem(last=False)

    async def _refresh(self, *, early: bool) -> int:
        """Read the counter (in a thread), unless another read answered meanwhile."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:  # one read at a time; requests waiting on it share its answer
            generation = self.watch.fresh()
            if generation is not None and not (early and self.watch.due()):
                return generation
            return await anyio.to_thread.run_sync(self.watch.refresh)

    def _refresh_in_background(self) -> None:
        task = self._background
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            return  # one is under way
        self._background = asyncio.get_running_loop().create_task(self._refresh(early=True))
        self._background.add_done_callback(_log_failure)


async def _replay(
    entry: FastEntry, send: Send, if_none_match: bytes | None, if_modified_since: bytes | None
) -> None:
    if (if_none_match is not None or if_modified_since is not None) and entry.page.not_modified(
        if_none_match=_text(if_none_match), if_modified_since=_text(if_modified_since)
    ):
        headers = [(k, v) for k, v in entry.headers if k.lower() not in _NOT_REPLAYED_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.page.body})


def _log_failure(task: asyncio.Task[int]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("reading the change counter failed", exc_info=task.exception())


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")
