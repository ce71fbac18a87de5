"""One process owns the model and the device; several worker processes send it their batches.

On a GPU one worker process cannot keep the engine busy: its own Python (planning, quality
estimation, reassembly, storage) takes longer per segment than the device does
(``notes/GPU_FEEDING.md``). Several worker processes each with their own copy of the model
share the device by time slicing, each call a small batch. Here instead one *engine process*
holds the one copy and serves N worker processes over ``multiprocessing`` connections: the
requests that arrived while it was decoding are merged into one engine call (the engine sorts
all their segments by length and cuts its batches across them), and the answers are split back.

* :class:`EngineClient`: the :class:`~warta.engines.base.Engine` a worker process uses; one
  request at a time per client (the worker's engine thread), ``describe``/``supports`` answered
  once per pair and kept (the engine process's models do not change while it runs).
* :func:`serve`: the engine process's loop over its connections; returns when every client
  has closed its end.
* :func:`engine_process_main`: the engine process's entry point (builds the local engine from
  the settings, then serves); :func:`start_engine_process` spawns it with one connection per
  worker process.

Only the local engine (CTranslate2 on the registered models) is served: a site's routes to
remote engines are per worker and go through no device.
"""

from __future__ import annotations

import inspect
import logging
import multiprocessing
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from warta.engines.base import Engine, EngineInfo, Hypothesis, SegmentGroup
from warta.errors import EngineError, WartaError
from warta.languages import Lang

log = logging.getLogger(__name__)

_TRANSLATE = "translate"
_DESCRIBE = "describe"
_SUPPORTS = "supports"


@dataclass(frozen=True, slots=True)
class _Failure:
    """An error raised in the engine process, as sent back (exceptions do not all pickle)."""

    kind: type[BaseException]
    message: str
    hint: str
    context: dict[str, Any]

    @classmethod
    def of(cls, exc: BaseException) -> _Failure:
        if isinstance(exc, WartaError):
            return cls(type(exc), exc.message, exc.hint, dict(exc.context))
        return cls(type(exc), f"{type(exc).__name__}: {exc}", "", {})

    def error(self) -> Exception:
        if issubclass(self.kind, WartaError):
            return self.kind(self.message, hint=self.hint, **self.context)
        return EngineError(
            f"the engine process failed: {self.message}",
            hint="see the engine process's log",
        )


class EngineClient:
    """:class:`~warta.engines.base.Engine` whose calls go to an engine process (:func:`serve`).

    Thread-safe: a call holds the connection until its answer is back.
    """

    def __init__(self, connection: Connection, *, name: str = "ctranslate2") -> None:
        self.name = name
        self._connection = connection
        self._lock = threading.Lock()
        self._described: dict[tuple[Lang, Lang], EngineInfo | _Failure] = {}
        self._supported: dict[tuple[Lang, Lang], bool] = {}

    def supports(self, *, source: Lang, target: Lang) -> bool:
        pair = (source, target)
        if pair not in self._supported:
            self._supported[pair] = bool(self._call(_SUPPORTS, source=source, target=target))
        return self._supported[pair]

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        pair = (source, target)
        if pair not in self._described:
            try:
                info = self._call(_DESCRIBE, source=source, target=target)
            except WartaError as exc:  # no model: kept too, and raised each time
                self._described[pair] = _Failure.of(exc)
            else:
                self._described[pair] = info
        found = self._described[pair]
        if isinstance(found, _Failure):
            raise found.error()
        return found

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
        aligned: Sequence[bool] | None = None,
    ) -> list[Hypothesis]:
        found = self._call(
            _TRANSLATE,
            texts=list(texts),
            source=source,
            target=target,
            contexts=None if contexts is None else list(contexts),
            groups=None if groups is None else list(groups),
            aligned=None if aligned is None else list(aligned),
        )
        return list(found)

    def close(self) -> None:
        """Close this end: the engine process stops once every client has."""
        with self._lock:
            self._connection.close()

    def _call(self, op: str, **kwargs: Any) -> Any:
        with self._lock:
            try:
                self._connection.send((op, kwargs))
                status, value = self._connection.recv()
            except (EOFError, OSError) as err:
                raise EngineError(
                    f"the engine process is gone ({type(err).__name__}: {err})",
                    hint="restart `warta work`; the engine process's log says why it stopped",
                ) from err
        if status == "error":
            raise value.error()
        return value


@dataclass
class ServeSummary:
    """What an engine process did: calls to the engine, and requests merged into them."""

    requests: int = 0
    engine_calls: int = 0
    segments: int = 0
    merged: list[int] = field(default_factory=list)  # requests per engine call


@dataclass(frozen=True, slots=True)
class _Pending:
    connection: Connection
    kwargs: dict[str, Any]

    @property
    def key(self) -> tuple[Lang, Lang, bool, bool]:
        """Requests merge when they are for the same pair and carry the same extras."""
        k = self.kwargs
        return (k["source"], k["target"], k["contexts"] is not None, k["groups"] is not None)


def serve(engine: Engine, connections: Sequence[Connection]) -> ServeSummary:
    """Answer the clients on ``connections`` until each has closed its end.

    Each round takes every request that has arrived (all clients that are ready), answers
    ``describe``/``supports`` at once, and makes one engine call per language pair for all
    the translate requests, so that the engine batches their segments together.
    """
    summary = ServeSummary()
    open_ = list(connections)
    accepts = _parameters(engine)
    while open_:
        pending: list[_Pending] = []
        for ready in wait(open_):
            assert isinstance(ready, Connection)  # noqa: S101 -- wait() returns what it got
            try:
                op, kwargs = ready.recv()
            except (EOFError, OSError):
                open_.remove(ready)
                continue
            summary.requests += 1
            if op == _TRANSLATE:
                pending.append(_Pending(ready, kwargs))
            else:
                _answer(ready, engine, op, kwargs)
        groups: dict[tuple[Lang, Lang, bool, bool], list[_Pending]] = {}
        for request in pending:
            groups.setdefault(request.key, []).append(request)
        for requests in groups.values():
            _translate_merged(engine, requests, accepts=accepts, summary=summary)
    return summary


def _query(engine: Engine, op: str, kwargs: dict[str, Any]) -> object:
    if op == _DESCRIBE:
        return engine.describe(**kwargs)
    if op == _SUPPORTS:
        return engine.supports(**kwargs)
    raise EngineError(f"unknown request {op!r} to the engine process", hint="a bug: report it")


def _translate_merged(
    engine: Engine,
    requests: Sequence[_Pending],
    *,
    accepts: Sequence[str],
    summary: ServeSummary,
) -> None:
    """One engine call for ``requests`` (same pair and extras), each answered its share."""
    first = requests[0].kwargs
    texts = [t for r in requests for t in r.kwargs["texts"]]
    extra: dict[str, Any] = {}
    if first["contexts"] is not None:
        extra["contexts"] = [c for r in requests for c in r.kwargs["contexts"]]
    if first["groups"] is not None:
        extra["groups"] = [g for r in requests for g in r.kwargs["groups"]]
    if "aligned" in accepts and any(r.kwargs["aligned"] is not None for r in requests):
        extra["aligned"] = [
            a for r in requests for a in (r.kwargs["aligned"] or [True] * len(r.kwargs["texts"]))
        ]
    summary.engine_calls += 1
    summary.segments += len(texts)
    summary.merged.append(len(requests))
    try:
        hypotheses = engine.translate(
            texts, source=first["source"], target=first["target"], **extra
        )
    except Exception as exc:  # every client of the call gets the error (logged)
        log.exception("engine call failed for %d merged requests", len(requests))
        for request in requests:
            _send(request.connection, ("error", _Failure.of(exc)))
        return
    cursor = 0
    for request in requests:
        count = len(request.kwargs["texts"])
        _send(request.connection, ("ok", hypotheses[cursor : cursor + count]))
        cursor += count


def _answer(connection: Connection, engine: Engine, op: str, kwargs: dict[str, Any]) -> None:
    try:
        value = _query(engine, op, kwargs)
    except Exception as exc:  # noqa: BLE001 -- sent back, raised in the client
        _send(connection, ("error", _Failure.of(exc)))
        return
    _send(connection, ("ok", value))


def _send(connection: Connection, message: object) -> None:
    try:
        connection.send(message)
    except (BrokenPipeError, EOFError, OSError):  # the client is gone; serve() drops it next
        log.warning("an engine process client went away before its answer")


def _parameters(engine: Engine) -> list[str]:
    try:
        return list(inspect.signature(engine.translate).parameters)
    except (TypeError, ValueError):
        return []


def engine_process_main(settings: Any, connections: Sequence[Connection]) -> None:
    """The engine process: the local engine of ``settings`` (a :class:`warta.config.Settings`),
    served to ``connections`` until every worker process has closed its end."""
    from warta.observability.logs import configure_from_settings
    from warta.services import build_services

    configure_from_settings(settings)  # a spawned process does not run the CLI's entry
    services = build_services(settings, migrate=False)
    try:
        summary = serve(services.engine.local(), connections)
    finally:
        services.close()
    log.info(
        "engine process: %d requests in %d engine calls (%d segments)",
        summary.requests,
        summary.engine_calls,
        summary.segments,
    )


def start_engine_process(settings: Any, clients: int) -> tuple[BaseProcess, list[Connection]]:
    """Spawn the engine process for ``clients`` worker processes (``warta work --processes N
    --engine-process``): returns it and one connection per worker process, to hand each as
    the argument of its ``EngineClient`` (spawned processes receive connections as arguments).

    The engine process stops once every worker process (and this one) closed its connection:
    close the returned connections here after starting the worker processes.
    """
    if clients < 1:
        raise ValueError(f"an engine process needs at least one client, got {clients}")
    context = multiprocessing.get_context("spawn")  # CUDA does not survive fork
    pairs = [context.Pipe() for _ in range(clients)]
    process = context.Process(
        target=engine_process_main,
        args=(settings, [served for served, _ in pairs]),
        name="warta-engine",
    )
    process.start()
    for served, _ in pairs:
        served.close()  # the engine process has its own
    return process, [client for _, client in pairs]
