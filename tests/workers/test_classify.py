"""Which errors a job is retried for (transient) and which dead-letter it at once (permanent)."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy.exc

from warta.domain import JobErrorKind
from warta.errors import (
    ConflictError,
    EngineError,
    EngineUnavailableError,
    FieldError,
    LeaseLostError,
    MarkupError,
    ModelNotFoundError,
    NotFoundError,
)
from warta.workers.classify import classify, describe

TRANSIENT = JobErrorKind.TRANSIENT
PERMANENT = JobErrorKind.PERMANENT


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        # the database restarted or dropped the connection
        (sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed")), TRANSIENT),
        (sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("gone"), True), TRANSIENT),
        (sqlalchemy.exc.TimeoutError("QueuePool limit reached"), TRANSIENT),
        # a remote engine's network, and timeouts in general
        (httpx.ConnectError("connection refused"), TRANSIENT),
        (httpx.ReadTimeout("read timed out"), TRANSIENT),
        (TimeoutError("engine call timed out"), TRANSIENT),
        (ConnectionResetError("reset by peer"), TRANSIENT),
        # engines fail for passing reasons (out of memory, 5xx, a missing model installed later)
        (EngineError("CUDA out of memory"), TRANSIENT),
        (EngineUnavailableError("503 from the engine"), TRANSIENT),
        (ModelNotFoundError("model directory gone"), TRANSIENT),
        (ConflictError("a concurrent writer"), TRANSIENT),
        (LeaseLostError("lost"), TRANSIENT),
        # what is not recognised is retried: attempts bound it
        (RuntimeError("something odd"), TRANSIENT),
        # the input is wrong: it will fail the same way every time
        (MarkupError("the HTML cannot be parsed"), PERMANENT),
        (FieldError("a field out of range"), PERMANENT),
        (NotFoundError("no revision 7"), PERMANENT),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), PERMANENT),
    ],
)
def test_errors_are_classified(error: BaseException, kind: JobErrorKind) -> None:
    assert classify(error) is kind


def test_describe_names_the_type_and_the_message() -> None:
    assert describe(TimeoutError("engine call timed out")) == "TimeoutError: engine call timed out"
