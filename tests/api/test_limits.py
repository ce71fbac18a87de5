"""The request-limit middleware on its own: a stalled body gets 408, a chunked body is passed on
whole, paths outside /api are left alone."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI

from warta.api.limits import RequestLimitMiddleware
from warta.integrations import Integrations


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """A real ASGI app: answers 200 with the body it read."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _call(
    integrations: Integrations, path: str, messages: list[dict[str, Any]], *, stall: bool
) -> list[dict[str, Any]]:
    holder = FastAPI()
    holder.state.integrations = integrations
    scope = {"type": "http", "path": path, "headers": [], "app": holder, "method": "POST"}
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        queue = list(messages)
        never = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if queue:
                return queue.pop(0)
            if stall:
                await never.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        await RequestLimitMiddleware(echo)(scope, receive, send)

    asyncio.run(run())
    return sent


def test_a_client_that_stalls_while_sending_the_body_gets_408(
    integrations: Integrations,
) -> None:
    integrations.limits = dataclasses.replace(integrations.limits, body_timeout_seconds=0.05)
    sent = _call(
        integrations,
        "/api/v1/articles",
        [{"type": "http.request", "body": b'{"title": ', "more_body": True}],
        stall=True,
    )
    assert sent[0]["status"] == 408
    error = json.loads(sent[1]["body"])["error"]
    assert error["code"] == "request_timeout"
    assert error["context"]["timeout_seconds"] == 0.05


def test_a_body_in_chunks_reaches_the_endpoint_whole(integrations: Integrations) -> None:
    chunks = [
        {"type": "http.request", "body": b"satu ", "more_body": True},
        {"type": "http.request", "body": b"dua ", "more_body": True},
        {"type": "http.request", "body": b"tiga", "more_body": False},
    ]
    sent = _call(integrations, "/api/v1/articles", chunks, stall=False)
    assert (sent[0]["status"], sent[1]["body"]) == (200, b"satu dua tiga")


def test_paths_outside_the_api_are_not_limited(integrations: Integrations) -> None:
    integrations.limits = dataclasses.replace(integrations.limits, max_request_bytes=4)
    big = [{"type": "http.request", "body": b"lebih dari empat", "more_body": False}]
    assert _call(integrations, "/id/", big, stall=False)[0]["status"] == 200
    assert _call(integrations, "/api/v1/articles", big, stall=False)[0]["status"] == 413
