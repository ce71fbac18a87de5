"""Riding out outages: which errors mean "the database or the broker is away", and how long to
wait before trying again.

A worker or dispatcher that meets an *outage* (the database refusing connections, Redis
restarting, a socket reset) does not exit: it logs one warning, waits (exponential backoff with
jitter, 0.5 s doubling up to 30 s by default), tries again, and logs once more when the service
is back. Any other error is not an outage and is left to the caller.

    outage = OutageTracker("the database", log=log)
    while not stop.is_set():
        try:
            step()
        except Exception as exc:
            if not is_outage(exc):
                raise
            stop.wait(outage.failed(exc))
        else:
            outage.recovered()

:func:`retry_on_outage` wraps that loop around one call.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from warta.errors import ConflictError

T = TypeVar("T")


def _outage_types() -> tuple[type[BaseException], ...]:
    """The exception classes of the clients that mean "cannot reach the server" (imported late:
    a process without Celery or Redis installed still classifies database errors)."""
    import sqlalchemy.exc

    types: list[type[BaseException]] = [
        sqlalchemy.exc.OperationalError,  # psycopg/sqlite: connection refused, reset, timeout
        sqlalchemy.exc.InterfaceError,  # a connection the server closed under us
        # Sockets: refused, reset, broken pipe, timed out, host not found. Not every OSError:
        # a missing file or a denied permission is no outage, and waiting would not fix it.
        ConnectionError,
        TimeoutError,
        socket.gaierror,
    ]
    try:
        import kombu.exceptions

        types.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover - celery is a dependency
        pass
    try:
        import redis.exceptions

        types += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis comes with the celery extra
        pass
    return tuple(types)


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it was raised from) says a server could not be reached.

    :class:`~warta.errors.StoreError` wraps the database's OperationalError
    (:func:`warta.store.session.transaction`), so the chain of causes is followed; a
    :class:`~warta.errors.ConflictError` is a data conflict, never an outage.
    """
    types = _outage_types()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ConflictError):
            return False
        if isinstance(current, types):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff: ``initial`` seconds, times ``factor`` per failure, at most
    ``maximum``, each delay shortened at random by up to ``jitter`` of itself (so that many
    workers do not come back in the same instant)."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.2

    def delay(self, failures: int, *, rng: Callable[[], float] = random.random) -> float:
        """The wait after the ``failures``-th failure in a row (1 for the first)."""
        base = min(self.maximum, self.initial * self.factor ** max(0, failures - 1))
        return base * (1.0 - self.jitter * rng())


class OutageTracker:
    """Counts the failures in a row against one service and logs the outage once, then its end.

    Not thread-safe: one per loop.
    """

    def __init__(
        self,
        what: str,
        *,
        log: logging.Logger,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.failures = 0
        self._log = log
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._since: float | None = None

    @property
    def down(self) -> bool:
        return self.failures > 0

    def failed(self, exc: BaseException) -> float:
        """Record a failure; returns the seconds to wait before trying again (logged)."""
        self.failures += 1
        if self._since is None:
            self._since = self._clock()
        delay = self._backoff.delay(self.failures)
        self._log.warning(
            "%s is unreachable (%s: %s); retry %d in %.1f s",
            self.what,
            type(exc).__name__,
            _one_line(exc),
            self.failures,
            delay,
        )
        return delay

    def recovered(self) -> None:
        """Record a success; logs the end of an outage if there was one."""
        if self._since is not None:
            self._log.warning(
                "%s is reachable again after %.1f s (%d failed attempts)",
                self.what,
                self._clock() - self._since,
                self.failures,
            )
        self.failures = 0
        self._since = None


def retry_on_outage(
    step: Callable[[], T],
    *,
    tracker: OutageTracker,
    stop: threading.Event,
) -> T | None:
    """``step()``, tried again after each outage error (waiting the tracker's backoff) until it
    succeeds, or None once ``stop`` is set. Errors that are not outages propagate."""
    while not stop.is_set():
        try:
            result = step()
        except Exception as exc:
            if not is_outage(exc):
                raise
            stop.wait(tracker.failed(exc))
            continue
        tracker.recovered()
        return result
    return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
