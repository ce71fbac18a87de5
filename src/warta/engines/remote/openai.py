"""``openai``: any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp server, or a
hosted API) as a translation engine.

One request per article (segment group), with the article's title and the sentences around the
ones asked for as context, the site's glossary terms that occur, and the site's style note. The
answer is asked for as JSON (``response_format`` with a JSON schema; a server that refuses the
schema with HTTP 400 is asked for ``json_object``, then for plain JSON by instruction, and the
engine remembers what worked) and validated: exactly one translation per segment id, the same
placeholders ``{n}`` and tag markers ``<x1>``/``</x1>``/``<x2/>`` as the segment. An answer that
fails is asked again in halves, down to single segments; a single segment that still fails raises
:class:`~warta.errors.EngineResponseError` (the fallback translates it): alignment is never
guessed.

``url`` is the server's OpenAI base URL, e.g. ``http://localhost:8000/v1`` (vLLM) or
``http://localhost:11434/v1`` (Ollama). Options: ``temperature`` (0), ``max_segments`` per
request (40), ``context_sentences`` around a chunk (2), ``response_format`` (``json_schema``,
``json_object`` or ``none``: where to start), ``max_tokens``, ``seed``, ``targets``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warta.domain import Glossary
from warta.engines.base import Hypothesis, SegmentGroup
from warta.engines.remote._common import RemoteEngine
from warta.errors import EngineResponseError
from warta.languages import Lang
from warta.text.tags import TAG, markers, placeholders

FORMATS = ("json_schema", "json_object", "none")
PROMPT_VERSION = "1"
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
# A smaller request may succeed: an unusable answer (no status), a request too large (413), or a
# 400/422 that says the prompt or answer was too long for the model.
_TOO_LONG = re.compile(r"context|token|too long|too large|length|maximum", re.IGNORECASE)

SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "translations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
                "required": ["id", "text"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["translations"],
    "additionalProperties": False,
}

SYSTEM = """You are a professional news translator. Translate each segment of a news article \
from {source} into {target}, in the register of a quality newspaper.
Rules:
- Translate every segment; return exactly one translation per segment id, with the same id.
- Keep every placeholder such as {{0}} or {{12}} exactly as written, once each; they stand for \
names, numbers and links that are filled in later.
- Keep every tag such as <x1>, </x1> and <x2/> exactly as written, once each, around the words \
that correspond to the words they enclose in the source.
- Use the glossary renderings for the terms listed.
- The title and the context are for reference only: do not translate them.
- Answer with JSON only: {{"translations": [{{"id": "...", "text": "..."}}]}}."""


@dataclass(frozen=True, slots=True)
class _Group:
    key: str
    title: str
    site: str
    glossary: Glossary
    style: str


def group_fields(group: object | None) -> _Group:
    """A segment group's fields, whether a :class:`SegmentGroup` or a look-alike."""
    if group is None:
        return _Group("", "", "", Glossary.empty(), "")
    glossary = getattr(group, "glossary", None)
    return _Group(
        key=str(getattr(group, "key", None) or getattr(group, "article", "") or ""),
        title=str(getattr(group, "title", "") or ""),
        site=str(getattr(group, "site", "") or ""),
        glossary=glossary if isinstance(glossary, Glossary) else Glossary.empty(),
        style=str(getattr(group, "style_note", "") or getattr(group, "style", "") or ""),
    )


class OpenAIEngine(RemoteEngine):
    """See the module docstring."""

    kind = "openai"
    default_url = "http://localhost:8000/v1"
    prompt_version = PROMPT_VERSION

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        start = str(self.options.get("response_format", "json_schema"))
        self._format = FORMATS.index(start) if start in FORMATS else 0
        self._format_lock = threading.Lock()

    @property
    def temperature(self) -> float:
        return float(self.options.get("temperature", 0.0))

    @property
    def max_segments(self) -> int:
        return max(1, int(self.options.get("max_segments", 40)))

    @property
    def context_sentences(self) -> int:
        return max(0, int(self.options.get("context_sentences", 2)))

    @property
    def response_format(self) -> str:
        """The structured-output form in use now (it steps down when a server refuses one)."""
        return FORMATS[self._format]

    def _headers(self, key: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _decoding_items(self) -> tuple[tuple[str, int | float | str], ...]:
        items: list[tuple[str, int | float | str]] = [
            ("temperature", self.temperature),
            ("prompt", PROMPT_VERSION),
        ]
        if "seed" in self.options:
            items.append(("seed", int(self.options["seed"])))
        return tuple(items)

    # --- translation -----------------------------------------------------------------------------

    def _translate(
        self, texts: Sequence[str], *, target: Lang, groups: Sequence[SegmentGroup | None]
    ) -> list[Hypothesis]:
        by_key: dict[str, list[int]] = {}
        fields: dict[str, _Group] = {}
        for i, group in enumerate(groups):
            info = group_fields(group)
            by_key.setdefault(info.key, []).append(i)
            fields.setdefault(info.key, info)
        jobs: list[tuple[_Group, list[int], list[int]]] = []  # group, its texts, chunk
        for key, indices in by_key.items():
            for start in range(0, len(indices), self.max_segments):
                jobs.append((fields[key], indices, indices[start : start + self.max_segments]))
        answers: dict[int, str] = {}
        for done in self._parallel(lambda job: self._chunk(texts, job, target=target), jobs):
            answers.update(done)
        return [Hypothesis(text=answers[i]) for i in range(len(texts))]

    def _chunk(
        self,
        texts: Sequence[str],
        job: tuple[_Group, list[int], list[int]],
        *,
        target: Lang,
    ) -> dict[int, str]:
        group, members, chunk = job
        try:
            return self._request(texts, group=group, members=members, chunk=chunk, target=target)
        except EngineResponseError as err:
            status = err.context.get("status")
            smaller = status is None or status == 413
            if status in (400, 422) and _TOO_LONG.search(err.message):
                smaller = True
            if not smaller:
                raise
            if len(chunk) == 1:
                raise EngineResponseError(
                    f"engine {self.name} gave no usable translation of a segment: {err.message}",
                    hint="the fallback engine translates it; check the model's instructions "
                    "following, or lower max_segments",
                    engine=self.name,
                    target=target.value,
                ) from None
            half = len(chunk) // 2
            first = self._chunk(texts, (group, members, chunk[:half]), target=target)
            return first | self._chunk(texts, (group, members, chunk[half:]), target=target)

    def _request(
        self,
        texts: Sequence[str],
        *,
        group: _Group,
        members: list[int],
        chunk: list[int],
        target: Lang,
    ) -> dict[int, str]:
        ids = {str(n + 1): i for n, i in enumerate(chunk)}
        messages = self._messages(texts, group=group, members=members, chunk=chunk, target=target)
        while True:
            with self._format_lock:
                form = self._format
            body: dict[str, Any] = {
                "model": self.model,
                "messages": messages,
                "temperature": self.temperature,
            }
            if "max_tokens" in self.options:
                body["max_tokens"] = int(self.options["max_tokens"])
            if "seed" in self.options:
                body["seed"] = int(self.options["seed"])
            if FORMATS[form] == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "translations", "strict": True, "schema": SCHEMA},
                }
            elif FORMATS[form] == "json_object":
                body["response_format"] = {"type": "json_object"}
            try:
                answer = self.http.post("/chat/completions", json=body)
            except EngineResponseError as err:
                refused = err.context.get("status") == 400 and not _TOO_LONG.search(err.message)
                if refused and form < len(FORMATS) - 1:
                    with self._format_lock:  # the server refuses this form: step down, once
                        self._format = max(self._format, form + 1)
                    continue
                raise
            break
        usage = answer.get("usage") if isinstance(answer, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        self._usage(
            sum(len(texts[i]) for i in chunk),
            int(usage.get("prompt_tokens") or 0),
            int(usage.get("completion_tokens") or 0),
        )
        translated = self._parse(answer, ids=set(ids))
        out: dict[int, str] = {}
        for ident, text in translated.items():
            source = texts[ids[ident]]
            if Counter(markers(text)) != Counter(markers(source)):
                raise self._bad(f"segment {ident} lost or changed its tags")
            if sorted(placeholders(text)) != sorted(placeholders(source)):
                raise self._bad(f"segment {ident} lost or changed its placeholders")
            out[ids[ident]] = text
        return out

    def _messages(
        self,
        texts: Sequence[str],
        *,
        group: _Group,
        members: list[int],
        chunk: list[int],
        target: Lang,
    ) -> list[dict[str, str]]:
        position = members.index(chunk[0])
        n = self.context_sentences
        before = [_plain(texts[i]) for i in members[max(0, position - n) : position]]
        end = position + len(chunk)
        after = [_plain(texts[i]) for i in members[end : end + n]]
        segments = [{"id": str(k + 1), "text": texts[i]} for k, i in enumerate(chunk)]
        seen = " ".join([group.title, *before, *after, *(texts[i] for i in chunk)]).casefold()
        glossary = [
            {"source": term.source, "target": term.source if term.do_not_translate else rendering}
            for term in group.glossary.terms
            if term.source.strip() and term.source.casefold() in seen
            for rendering in [term.translations.get(target)]
            if term.do_not_translate or rendering
        ]
        payload: dict[str, Any] = {"title": group.title} if group.title else {}
        if before:
            payload["context_before"] = before
        if after:
            payload["context_after"] = after
        if glossary:
            payload["glossary"] = glossary
        payload["segments"] = segments
        system = SYSTEM.format(source="Indonesian", target=target.english_name)
        if group.style:
            system += "\nHouse style: " + group.style
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ]

    def _parse(self, answer: Any, *, ids: set[str]) -> dict[str, str]:
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self._bad("the answer has no choices[0].message.content") from None
        if not isinstance(content, str):
            raise self._bad("the answer's content is not text (a refusal?)")
        fenced = _FENCE.match(content)
        try:
            data = json.loads(fenced[1] if fenced else content)
        except ValueError:
            raise self._bad("the answer is not JSON (cut off, or prose)") from None
        items = data.get("translations") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise self._bad("the answer has no list of translations")
        found: dict[str, str] = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise self._bad("a translation is not an object with a text")
            ident = str(item.get("id", ""))
            if ident in found or ident not in ids:
                raise self._bad(f"segment id {ident!r} is repeated or was not asked for")
            found[ident] = item["text"]
        if set(found) != ids:
            raise self._bad(f"{len(ids) - len(found)} of {len(ids)} segments are missing")
        return found

    def _bad(self, what: str) -> EngineResponseError:
        return EngineResponseError(
            f"engine {self.name} answered unusably: {what}", engine=self.name
        )


def _plain(text: str) -> str:
    """A tagged segment as context: without its tag markers."""
    return TAG.sub("", text)
