"""Real HTTP servers on 127.0.0.1 in a thread, for webhook deliveries and feed polling.

:class:`Receiver` records every request and answers with the next scripted status (default 200).
:class:`Site` serves fixed documents with ETag and Last-Modified and honours If-None-Match and
If-Modified-Since with 304, counting what it served.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers POSTs with ``statuses`` in turn (then 200), records them in ``requests``."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200


@dataclass
class Document:
    body: bytes
    content_type: str
    last_modified: str = "Mon, 10 Mar 2025 08:00:00 GMT"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Site:
    """Serves ``documents`` by path; ``served`` counts 200s and ``not_modified`` 304s per path."""

    documents: dict[str, Document] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)
    not_modified: dict[str, int] = field(default_factory=dict)
    base_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path


def _receiver_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
            )
            status = receiver.next_status()
            payload = b'{"ok": true}' if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def _site_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = site.documents.get(self.path)
            if document is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if_none_match = self.headers.get("If-None-Match")
            # RFC 9110: If-None-Match, when sent, decides; If-Modified-Since only without it.
            if (if_none_match is not None and if_none_match == document.etag) or (
                if_none_match is None
                and self.headers.get("If-Modified-Since") == document.last_modified
            ):
                site.not_modified[self.path] = site.not_modified.get(self.path, 0) + 1
                self.send_response(304)
                self.send_header("ETag", document.etag)
                self.end_headers()
                return
            site.served[self.path] = site.served.get(self.path, 0) + 1
            self.send_response(200)
            self.send_header("Content-Type", document.content_type)
            self.send_header("Content-Length", str(len(document.body)))
            self.send_header("ETag", document.etag)
            self.send_header("Last-Modified", document.last_modified)
            self.end_headers()
            self.wfile.write(document.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    with _serve(_receiver_handler(receiver)) as base_url:
        receiver.base_url = base_url
        yield receiver


@contextmanager
def serving(site: Site) -> Iterator[Site]:
    with _serve(_site_handler(site)) as base_url:
        site.base_url = base_url
        yield site
