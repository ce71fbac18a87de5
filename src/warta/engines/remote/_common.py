"""What every remote engine shares: configuration, provenance, the pair check, batching in
parallel, and the HTML form of tagged text for translation APIs in HTML mode."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx

from warta.domain import ModelProvenance
from warta.engines.base import (
    Decoding,
    EngineInfo,
    EngineUsage,
    Hypothesis,
    SegmentGroup,
    UsageCallback,
)
from warta.engines.remote._http import HttpClient, RetryPolicy
from warta.errors import EngineResponseError, ModelNotFoundError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang

T = TypeVar("T")
R = TypeVar("R")

# Option names that may hold a credential: never hashed into provenance ("max_tokens" is fine).
_SECRET_OPTION = re.compile(
    r"(?:^|_)(?:api_?key|key|secret|token|password|auth\w*|credentials?)(?:$|_)", re.IGNORECASE
)


class RemoteConfig(Protocol):
    """What a remote engine is built from (:class:`warta.engines.setup.EngineConfig` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def key_env(self) -> str: ...
    @property
    def options(self) -> Mapping[str, Any]: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def timeout(self) -> float: ...


@dataclass(frozen=True, slots=True)
class RemoteSettings:
    """A :class:`RemoteConfig` made on the spot (the CLI's ``--kind/--url/...`` options)."""

    name: str
    kind: str
    url: str = ""
    model: str = ""
    key_env: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    concurrency: int = 4
    timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class RemoteDecoding(Decoding):
    """A remote engine's settings for provenance: its own items (temperature, formality...)
    instead of beam search's."""

    items: tuple[tuple[str, int | float | str], ...] = ()

    def as_items(self) -> tuple[tuple[str, int | float | str], ...]:
        return self.items


def safe_url(url: str) -> str:
    """``url`` without user info, query or fragment (what may go into provenance)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}".rstrip("/") if parts.scheme else ""


def public_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options without anything that could be a secret."""
    return {k: v for k, v in sorted(options.items()) if not _SECRET_OPTION.search(k)}


class RemoteEngine:
    """Base of the remote engines (:class:`~warta.engines.base.Engine`).

    Subclasses set ``kind`` and ``default_url``, and implement :meth:`_translate`.
    ``key``: the engine's key (never logged, never in errors or provenance). ``on_usage``: called
    after every request with what it consumed. ``transport``/``sleep``: for tests.
    """

    kind: ClassVar[str] = "remote"
    default_url: ClassVar[str] = ""
    languages: ClassVar[Mapping[Lang, str]] = {lang: lang.value for lang in TARGET_LANGS}
    source_code: ClassVar[str] = "id"

    def __init__(
        self,
        *,
        name: str,
        url: str = "",
        model: str = "",
        key: str | None = None,
        options: Mapping[str, Any] | None = None,
        concurrency: int = 4,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        on_usage: UsageCallback | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.url = (url or self.default_url).rstrip("/")
        self.model = model
        self.options: Mapping[str, Any] = dict(options or {})
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.on_usage = on_usage
        self._key = key
        self.http = HttpClient(
            engine=name,
            base_url=self.url,
            timeout=timeout,
            concurrency=self.concurrency,
            headers=self._headers(key),
            secrets=(key,) if key else (),
            retry=retry or RetryPolicy(attempts=int(self.options.get("attempts", 3))),
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:  # never the key
        return f"{type(self).__name__}(name={self.name!r}, url={safe_url(self.url)!r})"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- for subclasses --------------------------------------------------------------------------

    def _headers(self, key: str | None) -> dict[str, str]:  # noqa: ARG002 -- no header by default
        return {}

    def _decoding_items(self) -> tuple[tuple[str, int | float | str], ...]:
        return ()

    @property
    def model_name(self) -> str:
        return self.model or self.kind

    def _translate(
        self, texts: Sequence[str], *, target: Lang, groups: Sequence[SegmentGroup | None]
    ) -> list[Hypothesis]:
        raise NotImplementedError

    # --- Engine protocol -------------------------------------------------------------------------

    @property
    def targets(self) -> frozenset[Lang]:
        wanted = self.options.get("targets")
        langs = {Lang(t) for t in wanted} if wanted else set(TARGET_LANGS)
        return frozenset(lang for lang in langs if lang in self.languages)

    def supports(self, *, source: Lang, target: Lang) -> bool:
        return source is SOURCE_LANG and target in self.targets

    def checksum(self) -> str:
        """A stable hash of what makes this engine's output (no key): kind, server, model,
        options, decoding items, prompt version."""
        payload = {
            "kind": self.kind,
            "url": safe_url(self.url),
            "model": self.model_name,
            "options": public_options(self.options),
            "decoding": [list(item) for item in self._decoding_items()],
            "version": getattr(self, "prompt_version", "1"),
        }
        encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return "sha256:" + hashlib.sha256(encoded.encode()).hexdigest()

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        if not self.supports(source=source, target=target):
            raise ModelNotFoundError(
                f"engine {self.name} ({self.kind}) does not translate "
                f"{source.value}→{target.value}",
                hint="route the language to another engine, or list it in the engine's "
                "options.targets",
                engine=self.name,
                source=source.value,
                target=target.value,
            )
        return EngineInfo(
            engine=self.name,
            models=(
                ModelProvenance(
                    name=f"{self.kind}:{self.model_name}",
                    checksum=self.checksum(),
                    source=source,
                    target=target,
                ),
            ),
            decoding=RemoteDecoding(items=self._decoding_items()),
            device="remote",
            compute_type=self.kind,
            markup="tags",
        )

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,  # noqa: ARG002 -- groups give context
        groups: Sequence[SegmentGroup] | None = None,
    ) -> list[Hypothesis]:
        self.describe(source=source, target=target)  # the pair check
        if groups is not None and len(groups) != len(texts):
            raise ValueError(f"{len(groups)} groups for {len(texts)} texts")
        if not texts:
            return []
        return self._translate(
            texts, target=target, groups=list(groups) if groups is not None else [None] * len(texts)
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _usage(self, characters: int, input_tokens: int = 0, output_tokens: int = 0) -> None:
        if self.on_usage is not None:
            self.on_usage(EngineUsage(characters, input_tokens, output_tokens))

    def _parallel(self, work: Callable[[T], R], jobs: Sequence[T]) -> list[R]:
        """``work`` on each job, up to ``concurrency`` at once, results in order."""
        if len(jobs) <= 1 or self.concurrency == 1:
            return [work(job) for job in jobs]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(jobs))) as pool:
            return list(pool.map(work, jobs))


def batches(texts: Sequence[str], *, size: int) -> list[tuple[int, list[str]]]:
    """``texts`` cut into runs of at most ``size``: (offset, texts)."""
    size = max(1, size)
    return [(i, list(texts[i : i + size])) for i in range(0, len(texts), size)]


# --- tagged text <-> HTML, for APIs that keep HTML tags (DeepL, Google, LibreTranslate) ----------

_WIRE_TAG = re.compile(
    r"<\s*(/?)\s*([a-zA-Z][\w-]*)((?:\s+[^<>]*?)?)\s*(/?)\s*>",
)
_ID = re.compile(r"""\bid\s*=\s*["']?([\w-]+)["']?""")
_TAGGED = re.compile(r"<(/?)x(\d{1,3})(/?)>|[{｛]\s*(\d{1,3})\s*[}｝]")


def to_wire(tagged: str) -> str:
    """Tagged text (``<x1>…</x1>``, ``<x2/>``, ``{0}``) as HTML an API keeps:
    ``<span id="x1">…</span>``, ``<ph id="x2"/>``, ``<ph id="0"/>``. The text is escaped already."""

    def swap(match: re.Match[str]) -> str:
        if match[4] is not None:
            return f'<ph id="{int(match[4])}"/>'
        if match[3]:
            return f'<ph id="x{match[2]}"/>'
        return "</span>" if match[1] else f'<span id="x{match[2]}">'

    return _TAGGED.sub(swap, tagged)


def from_wire(answer: str) -> str:
    """An API's HTML answer back to tagged text; tags it added (or mangled) are dropped, so that
    :func:`warta.text.tags.finish_tagged` sees (and flags) what is missing."""
    out: list[str] = []
    stack: list[str] = []  # per open <span>: its "xN" or "" for a span the API added
    pos = 0
    for match in _WIRE_TAG.finditer(answer):
        out.append(answer[pos : match.start()])
        pos = match.end()
        closing, tag, attrs = bool(match[1]), match[2].lower(), match[3] or ""
        found = _ID.search(attrs)
        ident = found[1] if found else ""
        if tag == "ph":
            if closing:
                continue
            if ident.isdigit():
                out.append(f"{{{int(ident)}}}")
            elif re.fullmatch(r"x\d{1,3}", ident):
                out.append(f"<{ident}/>")
        elif tag == "span":
            if closing:
                name = stack.pop() if stack else ""
                if name:
                    out.append(f"</{name}>")
            else:
                name = ident if re.fullmatch(r"x\d{1,3}", ident) else ""
                stack.append(name)
                if name:
                    out.append(f"<{name}>")
        # any other tag: the API's own; dropped
    out.append(answer[pos:])
    return "".join(out)  # still escaped, as tagged text is


class HtmlApiEngine(RemoteEngine):
    """A translation API in HTML mode: tagged text goes as HTML (:func:`to_wire`), in batches of
    ``options.batch_size``; subclasses implement :meth:`_call` (one request)."""

    batch_size: ClassVar[int] = 50

    def _call(self, texts: list[str], *, target: Lang) -> list[str]:
        raise NotImplementedError

    def _translate(
        self,
        texts: Sequence[str],
        *,
        target: Lang,
        groups: Sequence[SegmentGroup | None],  # noqa: ARG002 -- sentence by sentence
    ) -> list[Hypothesis]:
        size = int(self.options.get("batch_size", self.batch_size))
        wire = [to_wire(t) for t in texts]

        def one(batch: tuple[int, list[str]]) -> list[str]:
            start, sent = batch
            answer = self._call(sent, target=target)
            if len(answer) != len(sent):
                raise EngineResponseError(
                    f"engine {self.name} returned {len(answer)} translations for {len(sent)} texts",
                    engine=self.name,
                )
            # Counted as warta's text (what caps are checked on), not the HTML on the wire.
            self._usage(sum(len(t) for t in texts[start : start + len(sent)]))
            return answer

        out = [text for done in self._parallel(one, batches(wire, size=size)) for text in done]
        return [Hypothesis(text=from_wire(text)) for text in out]

    def _code(self, target: Lang) -> str:
        codes = self.options.get("language_codes")
        if isinstance(codes, Mapping) and target.value in codes:
            return str(codes[target.value])
        return self.languages[target]


def field_list(answer: Any, *path: str | int, engine: str) -> Any:
    """``answer[path...]``, or raise EngineResponseError naming the path."""
    value = answer
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            raise EngineResponseError(
                f"engine {engine} answered without " + ".".join(str(p) for p in path),
                hint="the server does not follow the API's documented answer format",
                engine=engine,
            ) from None
    return value
