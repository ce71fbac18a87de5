"""Local stand-ins for the remote engines' servers (a test double, like httpx's MockTransport,
but over real HTTP): each follows its API's documented request and answer formats, error answers
included, so that the real client code runs against it.

::

    with openai_server() as server:          # or deepl_server, google_server, libretranslate_server
        engine = OpenAIEngine(name="llm", url=server.url + "/v1", model="m")
        server.faults.append(Fault(status=503))   # the next request fails, then normal answers
        ...
        server.requests                         # what was received (path, headers, JSON body)

They "translate" with :func:`fake_translate`: each word is rewritten into the target's script
(reversed for Latin targets, mapped letter by letter to kana, Han or Arabic letters), so the
output passes warta's language checks while never reading as a translation; tags, placeholders and
entities are kept. Nothing here reaches the internet; servers listen on 127.0.0.1, port 0.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_KEEP = re.compile(r"(<[^>]*>|[{｛]\s*\d+\s*[}｝]|&#?\w+;)")
_WORD = re.compile(r"[^\W\d_]+")


def _script(word: str, base: int, size: int) -> str:
    return "".join(chr(base + (ord(c.lower()) % size)) for c in word)


def fake_translate(text: str, target: str) -> str:
    """A stand-in "translation" of ``text`` into ``target`` (a language code, any case or
    region: "EN-US", "zh-CN", "ja"), keeping tags, placeholders and entities as they are."""
    lang = target.lower()[:2]

    def word(match: re.Match[str]) -> str:
        w = match[0]
        if lang == "ja":
            return _script(w, 0x30A2, 80)  # katakana
        if lang == "zh":
            return _script(w, 0x4E00, 2000)  # Han
        if lang == "ar":
            return _script(w, 0x0628, 20)  # Arabic letters
        return w[::-1]

    parts = _KEEP.split(text)
    return "".join(p if i % 2 else _WORD.sub(word, p) for i, p in enumerate(parts))


@dataclass
class Fault:
    """One answer a server gives instead of its normal one (queued in ``server.faults``).

    ``status``/``body``/``headers``: the answer; ``delay``: seconds to wait before it (a slow
    answer; with status 0 the normal answer follows the delay).
    """

    status: int = 500
    body: Any = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Received:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any  # decoded JSON (or the raw text)


Answer = tuple[int, Mapping[str, str], Any]
Translate = Callable[[str, str], str]  # (text, the API's target code) -> "translation"


class FakeServer:
    """A threaded HTTP server answering with ``handle``; use as a context manager."""

    def __init__(self, handle: Callable[[Received], Answer]) -> None:
        self._handle = handle
        self.faults: list[Fault] = []
        self.requests: list[Received] = []
        self.delay = 0.0  # seconds before every answer
        self.in_flight = 0  # requests being answered now
        self.max_in_flight = 0  # the most at once so far (a client's concurrency limit)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                received = Received(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                status, headers, payload = server._answer(received)
                data = (
                    payload.encode()
                    if isinstance(payload, str)
                    else payload
                    if isinstance(payload, bytes)
                    else json.dumps(payload, ensure_ascii=False).encode()
                )
                try:
                    self.send_response(status)
                    if not isinstance(payload, str | bytes):
                        self.send_header("Content-Type", "application/json")
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            fault = self.faults.pop(0) if self.faults else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._respond(received, fault)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _respond(self, received: Received, fault: Fault | None) -> Answer:
        if self.delay:
            time.sleep(self.delay)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status:
                return fault.status, dict(fault.headers), fault.body
        return self._handle(received)


def _error(status: int, message: str) -> Answer:
    return status, {}, {"error": {"code": status, "message": message}}


# --- OpenAI-compatible chat completions -----------------------------------------------------------


@dataclass
class OpenAIBehaviour:
    """How the fake chat-completions server misbehaves (all off by default).

    ``key``: the bearer key it wants (None: any). ``refuse_schema``: 400 for
    ``response_format.type == "json_schema"`` (like servers without structured output);
    ``refuse_json_object`` the same for ``json_object``. ``misalign_above``: for requests with
    more segments than this, the answer drops the last segment. ``answer``: "ok", "reordered",
    "partial" (drops the last), "duplicate", "prose" (not JSON), "fenced" (JSON in a markdown
    fence), "lose_placeholder", "lose_tag", "no_choices", "echo" (the source back, untranslated),
    "wrong_language" (French for every target but French, Japanese for French).
    """

    key: str | None = None
    refuse_schema: bool = False
    refuse_json_object: bool = False
    misalign_above: int | None = None
    answer: str = "ok"


def _openai_handle(behaviour: OpenAIBehaviour) -> Callable[[Received], Answer]:
    def handle(request: Received) -> Answer:
        if not request.path.endswith("/chat/completions"):
            return 404, {}, {"error": {"message": "not found", "type": "invalid_request_error"}}
        wanted = None if behaviour.key is None else f"Bearer {behaviour.key}"
        if wanted is not None and request.headers.get("authorization") != wanted:
            return (
                401,
                {},
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
        body = request.body if isinstance(request.body, dict) else {}
        form = (body.get("response_format") or {}).get("type")
        if (form == "json_schema" and behaviour.refuse_schema) or (
            form == "json_object" and behaviour.refuse_json_object
        ):
            return (
                400,
                {},
                {
                    "error": {
                        "message": f"response_format {form} is not supported",
                        "type": "invalid_request_error",
                    }
                },
            )
        try:
            user = json.loads(body["messages"][-1]["content"])
            segments = list(user["segments"])
            system = str(body["messages"][0]["content"])
        except (KeyError, IndexError, TypeError, ValueError):
            return 400, {}, {"error": {"message": "bad messages", "type": "invalid_request_error"}}
        found = re.search(r"into (.+?), in the register", system)
        target = _LANG_NAMES.get(found[1] if found else "", "en")
        mode = behaviour.answer
        if mode == "wrong_language":
            target = "fr" if target != "fr" else "ja"
        items = [
            {
                "id": s["id"],
                "text": str(s["text"])
                if mode == "echo"
                else fake_translate(str(s["text"]), target),
            }
            for s in segments
        ]
        if behaviour.misalign_above is not None and len(items) > behaviour.misalign_above:
            mode = "partial"
        if mode == "reordered":
            items.reverse()
        elif mode == "partial":
            items = items[:-1]
        elif mode == "duplicate" and items:
            items.append(items[0])
        elif mode == "lose_placeholder":
            items = [{**i, "text": re.sub(r"\{\d+\}", "", i["text"])} for i in items]
        elif mode == "lose_tag":
            items = [{**i, "text": re.sub(r"</?x\d+/?>", "", i["text"])} for i in items]
        content = json.dumps({"translations": items}, ensure_ascii=False)
        if mode == "prose":
            content = "Sure! Here are the translations: " + content[:20]
        elif mode == "fenced":
            content = "```json\n" + content + "\n```"
        prompt = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4
        completion = len(content) // 4
        answer: dict[str, Any] = {
            "id": f"chatcmpl-{len(segments)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }
        if mode == "no_choices":
            answer["choices"] = []
        return 200, {}, answer

    return handle


_LANG_NAMES = {
    "English": "en",
    "Chinese (Simplified)": "zh",
    "Japanese": "ja",
    "Arabic": "ar",
    "French": "fr",
}


@contextmanager
def openai_server(behaviour: OpenAIBehaviour | None = None) -> Iterator[FakeServer]:
    """An OpenAI-compatible server; its base URL for clients is ``server.url + "/v1"``."""
    with FakeServer(_openai_handle(behaviour or OpenAIBehaviour())) as server:
        yield server


# --- DeepL v2 -------------------------------------------------------------------------------------


def _deepl_handle(key: str | None, translate: Translate) -> Callable[[Received], Answer]:
    def handle(request: Received) -> Answer:
        if request.path != "/v2/translate":
            return 404, {}, {"message": "Not found"}
        if key is not None and request.headers.get("authorization") != f"DeepL-Auth-Key {key}":
            return 403, {}, {"message": "Authorization failure, check auth_key"}
        body = request.body if isinstance(request.body, dict) else {}
        texts, target = body.get("text"), body.get("target_lang")
        if not isinstance(texts, list) or not target:
            return 400, {}, {"message": "Parameter 'text' or 'target_lang' not specified."}
        return (
            200,
            {},
            {
                "translations": [
                    {"detected_source_language": "ID", "text": translate(str(t), str(target))}
                    for t in texts
                ]
            },
        )

    return handle


@contextmanager
def deepl_server(
    *, key: str | None = None, translate: Translate = fake_translate
) -> Iterator[FakeServer]:
    """A DeepL v2 server (``POST /v2/translate``, JSON body, ``DeepL-Auth-Key`` header).
    ``key``: the key it accepts (None: any); ``translate``: how it "translates" (e.g. a
    function answering in the wrong language, or dropping a segment's words)."""
    with FakeServer(_deepl_handle(key, translate)) as server:
        yield server


# --- Google Cloud Translation v2 and v3 -----------------------------------------------------------


def _google_handle(key: str | None, translate: Translate) -> Callable[[Received], Answer]:
    def handle(request: Received) -> Answer:
        body = request.body if isinstance(request.body, dict) else {}
        if request.path == "/language/translate/v2":
            if key is not None and request.headers.get("x-goog-api-key") != key:
                return _error(403, "The request is missing a valid API key.")
            texts, target = body.get("q"), body.get("target")
            if not isinstance(texts, list) or not target:
                return _error(400, "Required Text")
            return (
                200,
                {},
                {
                    "data": {
                        "translations": [
                            {"translatedText": translate(str(t), str(target))} for t in texts
                        ]
                    }
                },
            )
        if re.fullmatch(r"/v3/projects/[^/]+/locations/[^/:]+:translateText", request.path):
            if key is not None and request.headers.get("authorization") != f"Bearer {key}":
                return _error(401, "Request had invalid authentication credentials.")
            texts, target = body.get("contents"), body.get("targetLanguageCode")
            if not isinstance(texts, list) or not target:
                return _error(400, "Empty contents or target language")
            name = "glossaryTranslations" if "glossaryConfig" in body else "translations"
            return (
                200,
                {},
                {name: [{"translatedText": translate(str(t), str(target))} for t in texts]},
            )
        return _error(404, "Not found")

    return handle


@contextmanager
def google_server(
    *, key: str | None = None, translate: Translate = fake_translate
) -> Iterator[FakeServer]:
    """A Cloud Translation server: v2 ``/language/translate/v2`` (``X-goog-api-key``) and v3
    ``/v3/projects/P/locations/L:translateText`` (``Authorization: Bearer``)."""
    with FakeServer(_google_handle(key, translate)) as server:
        yield server


# --- LibreTranslate -------------------------------------------------------------------------------


def _libre_handle(key: str | None, translate: Translate) -> Callable[[Received], Answer]:
    def handle(request: Received) -> Answer:
        if request.path != "/translate":
            return 404, {}, {"error": "Not Found"}
        body = request.body if isinstance(request.body, dict) else {}
        if key is not None and body.get("api_key") != key:
            return 403, {}, {"error": "Invalid API key"}
        texts, target = body.get("q"), body.get("target")
        if texts is None or not target:
            return 400, {}, {"error": "Invalid request: missing q parameter"}
        if isinstance(texts, list):
            return 200, {}, {"translatedText": [translate(str(t), target) for t in texts]}
        return 200, {}, {"translatedText": translate(str(texts), target)}

    return handle


@contextmanager
def libretranslate_server(
    *, key: str | None = None, translate: Translate = fake_translate
) -> Iterator[FakeServer]:
    """A LibreTranslate server (``POST /translate``, ``api_key`` in the body)."""
    with FakeServer(_libre_handle(key, translate)) as server:
        yield server
