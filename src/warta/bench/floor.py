"""The floor of section 5: a minimal ASGI app that answers every GET with a fixed 30 KB page.

Served by the same uvicorn with the same settings as ``warta serve`` (``python -m
warta.bench.floor --port P``), it is what the server, the loopback and wrk cost on their own: the
site's cached article pages are reported as a share of its requests per second.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

BODY_BYTES = 30 * 1024


def make_body(size: int = BODY_BYTES) -> bytes:
    head = b"<!doctype html><html><head><title>floor</title></head><body><p>"
    tail = b"</p></body></html>\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


class FloorApp:
    """Answers any HTTP request with the same body; nothing else (lifespan accepted)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode("ascii")),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 200, "headers": self._headers})
        await send({"type": "http.response.body", "body": self._body})


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m warta.bench.floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    # The settings of `warta serve` (warta.commands.serve), so only the app differs.
    uvicorn.run(FloorApp(make_body()), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
