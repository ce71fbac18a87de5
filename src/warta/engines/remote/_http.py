"""The HTTP layer every remote engine shares: timeouts, bounded retries with backoff that honour
``Retry-After``, errors classified into :mod:`warta.errors`' engine errors, a concurrency limit,
and keys kept out of logs and errors.

Classification of an answer (or of no answer):

=========================  ================================  =========================
what                       error                             retried here
=========================  ================================  =========================
401, 403                   EngineAuthError                   never (the key is wrong)
429                        EngineRateLimitError              yes, after Retry-After
456 (DeepL: quota used)    EngineRateLimitError              no
5xx, 408                   EngineUnavailableError            yes
timeout, connection error  EngineUnavailableError            yes
other 4xx                  EngineResponseError (status=)     no
2xx that is not JSON       EngineResponseError               no
=========================  ================================  =========================
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from warta.errors import (
    EngineAuthError,
    EngineError,
    EngineRateLimitError,
    EngineResponseError,
    EngineUnavailableError,
)

log = logging.getLogger("warta.engines.remote")

REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts``: tries in all (1: no retry). Waits grow as ``backoff * 2**n`` (with up to 50%
    jitter), at most ``max_backoff``; a ``Retry-After`` above ``max_retry_after`` is not waited
    for (the error goes up at once, so the fallback can run)."""

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (of 4 characters or more) replaced by ``[redacted]``."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date); None if absent."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpClient:
    """JSON over HTTP for one engine. Thread-safe; at most ``concurrency`` requests in flight.

    ``secrets``: strings (keys) never to appear in an error or a log line. ``sleep`` and
    ``jitter`` can be replaced (tests record the waits instead of sleeping).
    """

    def __init__(
        self,
        *,
        engine: str,
        base_url: str,
        timeout: float,
        concurrency: int = 4,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.engine = engine
        self.retry = retry or RetryPolicy()
        self._secrets = tuple(s for s in secrets if s)
        self._sleep = sleep
        self._jitter = jitter
        self._limit = threading.BoundedSemaphore(max(1, concurrency))
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers=dict(headers or {}),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __del__(self) -> None:
        # A safety net for owners that never close (an engine dropped with its router): the
        # pooled connections are closed instead of left to the garbage collector.
        client = getattr(self, "_client", None)
        if client is not None and not client.is_closed:
            with contextlib.suppress(Exception):  # nothing to do about it at this point
                client.close()

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST and return the decoded JSON answer, retrying what can be retried."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(path, json=json, data=data, headers=headers)
            except (EngineRateLimitError, EngineUnavailableError) as err:
                wait = self._wait(err, attempt)
                if wait is None:
                    raise
                log.warning(
                    "engine %s: %s; retry %d/%d in %.2fs",
                    self.engine,
                    err.message,
                    attempt,
                    self.retry.attempts - 1,
                    wait,
                )
                self._sleep(wait)

    def _wait(self, err: EngineError, attempt: int) -> float | None:
        if attempt >= self.retry.attempts or err.context.get("final"):
            return None
        backoff = min(self.retry.max_backoff, self.retry.backoff * 2.0 ** (attempt - 1))
        backoff *= 1 + 0.5 * self._jitter()
        retry_after = err.retry_after if isinstance(err, EngineRateLimitError) else None
        if retry_after is not None:
            if float(retry_after) > self.retry.max_retry_after:
                return None
            return max(float(retry_after), min(backoff, self.retry.max_retry_after))
        return backoff

    def _once(
        self,
        path: str,
        *,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> Any:
        try:
            with self._limit:
                response = self._client.post(path, json=json, data=data, headers=headers)
        except httpx.TimeoutException as exc:
            raise EngineUnavailableError(
                f"engine {self.engine} did not answer in time ({type(exc).__name__})",
                hint="the server is slow or down; raise the engine's timeout or check the server",
                engine=self.engine,
                path=path,
            ) from None
        except httpx.HTTPError as exc:
            raise EngineUnavailableError(
                f"engine {self.engine} cannot be reached: "
                f"{redact(str(exc), self._secrets) or type(exc).__name__}",
                hint="check the engine's URL and that its server is running",
                engine=self.engine,
                path=path,
            ) from None
        return self._decode(response, path)

    def _decode(self, response: httpx.Response, path: str) -> Any:
        status = response.status_code
        detail = redact(_detail(response), self._secrets)
        context: dict[str, Any] = {"engine": self.engine, "status": status, "path": path}
        if status in (401, 403):
            raise EngineAuthError(
                f"engine {self.engine} refused its key (HTTP {status}): {detail}", **context
            )
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise EngineRateLimitError(
                f"engine {self.engine} is rate limited (HTTP 429): {detail}",
                retry_after=retry_after,
                **context,
            )
        if status == 456:
            raise EngineRateLimitError(
                f"engine {self.engine} has used its quota (HTTP 456): {detail}",
                hint="the account's character quota is used up; the fallback runs",
                final=True,
                **context,
            )
        if status >= 500 or status == 408:
            raise EngineUnavailableError(
                f"engine {self.engine} failed (HTTP {status}): {detail}", **context
            )
        if status >= 400 or status < 200:
            raise EngineResponseError(
                f"engine {self.engine} rejected the request (HTTP {status}): {detail}",
                hint="check the engine's model, URL and options",
                **context,
            )
        try:
            return response.json()
        except ValueError:
            raise EngineResponseError(
                f"engine {self.engine} answered HTTP {status} with a body that is not JSON: "
                f"{detail}",
                **context,
            ) from None


def _detail(response: httpx.Response) -> str:
    """A short, printable account of an error answer (its message, else the start of its body)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error", body.get("message", body.get("detail")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error is not None:
            return str(error)[:300]
    text = response.text.strip().replace("\n", " ")
    return text[:300] or response.reason_phrase or "no body"
