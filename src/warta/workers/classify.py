"""Is a job's error worth retrying? ``classify(exc)``: transient or permanent, nothing else.

*Transient* errors pass: a database that restarts or drops a connection, a timeout, a network or
file-system error, an engine that fails (out of memory, a remote engine's 5xx or 429, a malformed
answer). The job goes back to the queue with exponential backoff while it has attempts left.

*Permanent* errors will happen again however often the job runs: the input is wrong (an
:class:`~warta.errors.InputError`: markup that cannot be read, a field out of range, text that is
not UTF-8) or what the job names is gone (:class:`~warta.errors.NotFoundError`: a deleted
revision). The job is dead-lettered at once, with the reason, for an operator to look at.

Anything not recognised is transient: attempts bound it, and the dead letter keeps its error.
A lost lease is neither: it is not the job's failure and never reaches this function.
"""

from __future__ import annotations

import httpx
import sqlalchemy.exc

from warta.domain import JobErrorKind
from warta.errors import EngineError, InputError, NotFoundError, QueueError, StoreError

PERMANENT: tuple[type[BaseException], ...] = (InputError, NotFoundError, UnicodeError)
TRANSIENT: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,  # server restarted, connection refused or dropped
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,  # no connection free in the pool in time
    httpx.TransportError,  # remote engines: connect, read and write errors, timeouts
    TimeoutError,
    OSError,  # also ConnectionError
    EngineError,
    StoreError,  # ConflictError: a concurrent writer; NotFoundError is caught above
    QueueError,
    MemoryError,
)


def classify(exc: BaseException) -> JobErrorKind:
    """TRANSIENT (retry with backoff while attempts remain) or PERMANENT (dead letter now)."""
    if isinstance(exc, PERMANENT):
        return JobErrorKind.PERMANENT
    return JobErrorKind.TRANSIENT


def describe(exc: BaseException) -> str:
    """The error as a job's last_error: the type and the message."""
    return f"{type(exc).__name__}: {exc}"
