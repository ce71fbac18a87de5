"""JSON records to :class:`~warta.domain.ArticleDraft`: pure functions, no I/O.

Two schemas, told apart by their keys (:func:`detect_schema`):

**warta** (any of ``external_id`` or ``body_html`` present)::

    {"external_id": "2024-0001", "title": "…", "lead": "…", "body_html": "<p>…</p>",
     "category": "politik", "tags": ["pemilu"], "author": "…",
     "published_at": "2024-03-05T09:30:00+07:00", "source_url": "https://…"}

``external_id`` (a string or an integer), ``title`` and ``body_html`` are required, the rest may
be left out or null. ``id`` is accepted for ``external_id`` (as IndoSum names it); giving both is
refused. Unknown keys are refused, so that a misspelt field is not silently lost.

**IndoSum** (otherwise, with ``paragraphs`` or ``id`` present), as in the IndoSum corpus
(Kurniawan & Louvan, 2018) and ``warta/demo/indosum-sample.jsonl``::

    {"id": "1490674536-…", "title": "…", "paragraphs": ["…", "…"], "category": "…",
     "source": "kumparan", "source_url": "https://…"}

IndoSum's ``title`` is the article's first sentence; it becomes the title. Each paragraph becomes a
``<p>`` (text escaped, empty paragraphs dropped). ``source`` (the publisher) has no place in a
draft and is ignored, as are keys the corpus adds (``summary``, ``gold_labels``, …).

Errors are :class:`~warta.errors.FieldError` with ``field`` set to the path of the offending value
inside the file, e.g. ``articles[3].title`` or ``[0].paragraphs[2]``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from warta.domain import ArticleDraft
from warta.errors import FieldError

WARTA_REQUIRED = ("external_id", "title", "body_html")
WARTA_OPTIONAL = ("lead", "category", "tags", "author", "published_at", "source_url")
WARTA_ALIASES = {"id": "external_id"}  # another name a field is accepted under
INDOSUM_REQUIRED = ("id", "title", "paragraphs")


class Schema(StrEnum):
    WARTA = "warta"
    INDOSUM = "indosum"


def detect_schema(record: Mapping[str, object], *, path: str = "") -> Schema:
    """Which schema ``record`` follows, by its keys; FieldError if neither."""
    if "external_id" in record or "body_html" in record:
        return Schema.WARTA
    if "paragraphs" in record or "id" in record:
        return Schema.INDOSUM
    raise FieldError(
        f"{_where(path)}matches no known schema (keys: {', '.join(sorted(record)) or 'none'})",
        hint="warta records need external_id, title and body_html; IndoSum records need id, "
        "title and paragraphs",
        field=path or "(record)",
    )


def draft_from_record(record: object, *, site: str, path: str = "") -> ArticleDraft:
    """Build a draft from one decoded JSON value; ``path`` locates it in its file for errors."""
    if not isinstance(record, dict):
        raise FieldError(
            f"{_where(path)}must be a JSON object, got {_json_type(record)}",
            hint="each article is one JSON object",
            field=path or "(record)",
        )
    fields = _Fields(record, path)
    if detect_schema(record, path=path) is Schema.WARTA:
        return _warta(fields, site=site)
    return _indosum(fields, site=site)


def _warta(f: _Fields, *, site: str) -> ArticleDraft:
    known = set(WARTA_REQUIRED) | set(WARTA_OPTIONAL) | set(WARTA_ALIASES)
    unknown = sorted(set(f.record) - known)
    if unknown:
        raise FieldError(
            f"{f.name(unknown[0])} is not a field of warta's article schema",
            hint="known fields: " + ", ".join(WARTA_REQUIRED + WARTA_OPTIONAL + ("id",)),
            field=f.name(unknown[0]),
        )
    for alias, name in WARTA_ALIASES.items():
        if alias in f.record and name in f.record:
            raise FieldError(
                f"{f.name(alias)} and {f.name(name)} are both given: they are the same field",
                hint=f"keep only {name!r}",
                field=f.name(alias),
            )
    return ArticleDraft(
        site=site,
        external_id=f.identifier("id" if "id" in f.record else "external_id"),
        title=f.string("title"),
        body_html=f.string("body_html"),
        lead=f.optional_string("lead") or "",
        category=f.optional_string("category"),
        tags=f.string_list("tags"),
        author=f.optional_string("author"),
        published_at=f.timestamp("published_at"),
        source_url=f.optional_string("source_url"),
    )


def _indosum(f: _Fields, *, site: str) -> ArticleDraft:
    paragraphs = f.string_list("paragraphs", required=True)
    body = "".join(f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in paragraphs if p.strip())
    return ArticleDraft(
        site=site,
        external_id=f.identifier("id"),
        title=f.string("title"),
        body_html=body,
        category=f.optional_string("category"),
        source_url=f.optional_string("source_url"),
    )


class _Fields:
    """Typed access to the keys of one record, with errors naming the field's path."""

    def __init__(self, record: dict[str, object], path: str) -> None:
        self.record = record
        self._path = path

    def name(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def _get(self, key: str, *, required: bool) -> object:
        if key not in self.record:
            if required:
                raise FieldError(
                    f"{self.name(key)} is missing",
                    hint=f"add {key!r} to every record",
                    field=self.name(key),
                )
            return None
        return self.record[key]

    def _wrong(self, key: str, value: object, expected: str) -> FieldError:
        return FieldError(
            f"{self.name(key)} must be {expected}, got {_json_type(value)}",
            hint=f"send {key!r} as {expected}",
            field=self.name(key),
        )

    def string(self, key: str) -> str:
        value = self._get(key, required=True)
        if not isinstance(value, str):
            raise self._wrong(key, value, "a string")
        return value

    def optional_string(self, key: str) -> str | None:
        value = self._get(key, required=False)
        if value is not None and not isinstance(value, str):
            raise self._wrong(key, value, "a string or null")
        return value

    def identifier(self, key: str) -> str:
        value = self._get(key, required=True)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self._wrong(key, value, "a string or an integer")
        return value

    def string_list(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required=required)
        if value is None and not required:
            return ()
        if not isinstance(value, list):
            raise self._wrong(key, value, "an array of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self._wrong(f"{key}[{i}]", item, "a string")
        return tuple(value)

    def timestamp(self, key: str) -> datetime | None:
        value = self.optional_string(key)
        if value is None or not value.strip():
            return None
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(
                f"{self.name(key)} {value[:40]!r} is not an ISO 8601 date-time",
                hint="write it like 2024-03-05T09:30:00+07:00",
                field=self.name(key),
            ) from None


def _where(path: str) -> str:
    return f"{path}: " if path else "the record "


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover -- json.loads makes nothing else
