"""Request limits of the API, as ASGI middleware: body size and the time a body may take.

For paths under ``/api/``, the body is read (and buffered) before the endpoint runs: a declared
``Content-Length`` over the limit is refused at once, a body that turns out larger while streaming
is refused when it crosses the limit, and a client that stalls for ``timeout_seconds`` between two
chunks gets 408. Both answers are warta's JSON error. Nothing is stored for a refused request,
since no endpoint ran. Per-key rate limits are a dependency (:mod:`warta.api.auth`), because they
need the key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warta.errors import RequestTimeoutError, RequestTooLargeError, WartaError

API_PREFIX = "/api/"


DEFAULT_MAX_BYTES = 2 * 512 * 1024 + 64 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int
    timeout_seconds: float


class RequestLimitMiddleware:
    """Reads its limits from ``app.state.integrations`` (defaults when there is none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        limits = _limits_of(scope)
        await _Limited(self.app, limits).run(scope, receive, send)


def _limits_of(scope: Scope) -> _Limits:
    from warta.integrations import Integrations

    app = scope.get("app")
    integrations = getattr(getattr(app, "state", None), "integrations", None)
    if isinstance(integrations, Integrations):
        return _Limits(
            max_bytes=integrations.max_request_bytes,
            timeout_seconds=integrations.limits.body_timeout_seconds,
        )
    return _Limits(max_bytes=DEFAULT_MAX_BYTES, timeout_seconds=DEFAULT_TIMEOUT_SECONDS)


class _Limited:
    def __init__(self, app: ASGIApp, limits: _Limits) -> None:
        self.app = app
        self.max_bytes = limits.max_bytes
        self.timeout_seconds = limits.timeout_seconds

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self._declared_size_refusal(scope)
        if refusal is not None:
            await _answer(refusal, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=self.timeout_seconds)
            except TimeoutError:
                await _answer(
                    RequestTimeoutError(
                        f"the request body did not arrive within {self.timeout_seconds:g} s",
                        timeout_seconds=self.timeout_seconds,
                    ),
                    scope,
                    receive,
                    send,
                )
                return
            if message["type"] == "http.disconnect":
                return  # the client went away; nobody is left to answer
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await _answer(self._too_large(size, declared=False), scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    def _declared_size_refusal(self, scope: Scope) -> WartaError | None:
        for name, value in scope.get("headers", ()):
            # A malformed Content-Length is the server's to refuse; the count below still holds.
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                return self._too_large(int(value), declared=True)
        return None

    def _too_large(self, size: int, *, declared: bool) -> RequestTooLargeError:
        what = "declares" if declared else "has at least"
        return RequestTooLargeError(
            f"the request body {what} {size} bytes; at most {self.max_bytes} are accepted",
            size=size,
            limit=self.max_bytes,
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(error: WartaError, scope: Scope, receive: Receive, send: Send) -> None:
    from warta.api.errors import status_for

    response = JSONResponse(
        status_code=status_for(error),
        content={"error": error.to_dict()},
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)
