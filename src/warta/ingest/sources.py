"""Where articles come from: files and folders, read into validated drafts one item at a time.

A :class:`Source` yields one :class:`IngestItem` per article (or per problem), so that one bad file
or record does not stop a folder: each item carries either a validated draft, or the
:class:`~warta.errors.InputError` that refused it, or the reason a file was skipped.

:func:`open_source` picks the reader by the path:

- ``*.json``: one article object, an array of them, an object ``{"articles": [...]}``, or JSON
  Lines (one object per line); ``*.jsonl``: JSON Lines. Records follow warta's schema or
  IndoSum's (:mod:`warta.ingest.records`). A syntax error in a JSON Lines file refuses that line
  only; in a JSON document, the whole file.
- ``*.html``/``*.htm``: one article per page (:mod:`warta.ingest.htmldoc`); the broken-HTML
  policy (:mod:`warta.ingest.markup`) is applied to the page as written.
- a folder: every such file below it, recursively, in the order of their paths (so runs are
  reproducible). Other files are reported as skipped items; names starting with "." (``.git``,
  ``.DS_Store``) are passed over in silence; links to folders are not followed (reported as
  skipped).

Files are decoded as strict UTF-8 (:meth:`~warta.ingest.validate.Validator.decode`).
Origins read ``path`` for a file, ``path:LINE`` for a JSON Lines record and ``path:[i]`` or
``path:articles[i]`` for an array element.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from warta.domain import ArticleDraft
from warta.errors import FieldError, IngestError, InputError
from warta.ingest.htmldoc import draft_from_html
from warta.ingest.markup import check_markup
from warta.ingest.records import draft_from_record
from warta.ingest.sanitize import sanitize_html
from warta.ingest.validate import Validator, check_site

JSON_SUFFIXES = frozenset({".json", ".jsonl"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = JSON_SUFFIXES | HTML_SUFFIXES
_READABLE = "warta reads .json, .jsonl, .html and .htm files, or a folder of them"


@dataclass(frozen=True, slots=True)
class IngestItem:
    """One result of reading a source: exactly one of ``draft``, ``error`` and ``skipped`` is set.

    ``origin`` says where it came from (``path``, ``path:LINE``, ``path:[i]``).
    """

    origin: str
    draft: ArticleDraft | None = None  # validated and normalised
    error: InputError | None = None
    skipped: str = ""  # why a file was not read (not a format warta reads)

    def __post_init__(self) -> None:
        if (self.draft is not None) + (self.error is not None) + bool(self.skipped) != 1:
            raise ValueError("an IngestItem has exactly one of draft, error and skipped")

    @property
    def ok(self) -> bool:
        return self.draft is not None


@runtime_checkable
class Source(Protocol):
    """Articles from somewhere; iterating reads them (again, each time)."""

    @property
    def origin(self) -> str:
        """The file, folder or feed, as given."""
        ...

    def __iter__(self) -> Iterator[IngestItem]: ...

    def count(self) -> int | None:
        """How many items iterating will yield, when that is cheap to know; else None."""
        ...


def open_source(path: Path, *, site: str, validator: Validator) -> Source:
    """The source for ``path``: a .json, .jsonl, .html or .htm file, or a folder of them.

    Raises :class:`IngestError` (naming the path and the fix) if ``path`` does not exist, cannot
    be read, or is not a kind of file warta reads, and :class:`FieldError` if ``site`` is not a
    site slug.
    """
    site = check_site(site)
    if not path.exists():
        raise IngestError(
            f"{path} does not exist", hint=f"check the path; {_READABLE}", path=str(path)
        )
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            raise IngestError(
                f"cannot read the folder {path}",
                hint="check its permissions: warta needs to list it and open its files",
                path=str(path),
            )
        return FolderSource(path, site=site, validator=validator)
    if not path.is_file() or path.suffix.lower() not in SUFFIXES:
        raise IngestError(f"{path} is not a file warta reads", hint=_READABLE, path=str(path))
    if not os.access(path, os.R_OK):
        raise IngestError(
            f"cannot read {path}", hint="check the file's permissions", path=str(path)
        )
    return _file_source(path, site=site, validator=validator)


class _FileSource:
    def __init__(self, path: Path, *, site: str, validator: Validator) -> None:
        self._path = path
        self._site = site
        self._validator = validator

    @property
    def origin(self) -> str:
        return str(self._path)

    def _read_bytes(self) -> bytes:
        try:
            return self._path.read_bytes()
        except OSError as exc:
            raise IngestError(
                f"cannot read {self._path}: {exc.strerror or exc}",
                hint="check that the file exists and that warta may read it",
                path=str(self._path),
            ) from None

    def _read(self) -> str:
        return self._validator.decode(self._read_bytes(), origin=str(self._path))

    def _validated(self, origin: str, draft: ArticleDraft) -> IngestItem:
        try:
            return IngestItem(origin, draft=self._validator.validate(draft))
        except InputError as exc:
            return IngestItem(origin, error=exc)


class JsonSource(_FileSource):
    """Articles from a .json or .jsonl file (see the module docstring for the shapes)."""

    def count(self) -> int | None:
        if self._path.suffix.lower() != ".jsonl":
            return None
        try:
            data = self._read_bytes()
        except IngestError:
            return 1
        return sum(1 for line in data.splitlines() if line.strip())

    def __iter__(self) -> Iterator[IngestItem]:
        """One item per record; a file without any record is one refused item, never nothing."""
        empty = True
        for item in self._items():
            empty = False
            yield item
        if empty:
            shape = (
                "one article object per line"
                if self._path.suffix.lower() == ".jsonl"
                else 'an article object, an array of them or {"articles": [...]}'
            )
            error = IngestError(
                "the file has no articles",
                hint=f"write {shape} (the fields: README, Ingest fields)",
                path=str(self._path),
            )
            yield IngestItem(self.origin, error=error)

    def _items(self) -> Iterator[IngestItem]:
        try:
            text = self._read()
        except InputError as exc:
            yield IngestItem(self.origin, error=exc)
            return
        if not text.strip():
            return
        if self._path.suffix.lower() == ".jsonl":
            yield from self._lines(text)
            return
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # several values: JSON Lines in a .json file
                yield from self._lines(text)
            else:
                yield IngestItem(self.origin, error=self._syntax_error(exc, line=None))
            return
        yield from self._document(document)

    def _document(self, document: object) -> Iterator[IngestItem]:
        records: Iterable[tuple[str, object]]
        if isinstance(document, list):
            records = ((f"[{i}]", value) for i, value in enumerate(document))
        elif isinstance(document, dict) and "articles" in document:
            articles = document["articles"]
            if not isinstance(articles, list):
                error = FieldError(
                    "articles must be an array of article objects",
                    hint='write {"articles": [{...}, {...}]}',
                    field="articles",
                )
                yield IngestItem(self.origin, error=error)
                return
            records = ((f"articles[{i}]", value) for i, value in enumerate(articles))
        else:
            records = (("", document),)
        for path, value in records:
            yield self._record(f"{self.origin}:{path}" if path else self.origin, value, path)

    def _lines(self, text: str) -> Iterator[IngestItem]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            origin = f"{self.origin}:{number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield IngestItem(origin, error=self._syntax_error(exc, line=number))
                continue
            yield self._record(origin, value, "")

    def _record(self, origin: str, value: object, path: str) -> IngestItem:
        try:
            draft = draft_from_record(value, site=self._site, path=path)
        except InputError as exc:
            return IngestItem(origin, error=exc)
        return self._validated(origin, draft)

    def _syntax_error(self, exc: json.JSONDecodeError, *, line: int | None) -> IngestError:
        at = f"line {line or exc.lineno}, column {exc.colno}"
        return IngestError(
            f"{self._path} is not valid JSON: {exc.msg} at {at}",
            hint="fix the JSON (python -m json.tool FILE shows the first error)",
            path=str(self._path),
            line=line or exc.lineno,
            column=exc.colno,
        )


class HtmlSource(_FileSource):
    """One article from an .html or .htm page (:mod:`warta.ingest.htmldoc`)."""

    def count(self) -> int:
        return 1

    def __iter__(self) -> Iterator[IngestItem]:
        try:
            page = self._read()
            check_markup(page, sanitized=sanitize_html(page), what="the page")
            draft = draft_from_html(page, site=self._site, stem=self._path.stem)
        except InputError as exc:
            yield IngestItem(self.origin, error=exc)
            return
        yield self._validated(self.origin, draft)


class FolderSource:
    """Every .json, .jsonl, .html and .htm file below a folder, in path order."""

    def __init__(self, path: Path, *, site: str, validator: Validator) -> None:
        self._path = path
        self._site = site
        self._validator = validator

    @property
    def origin(self) -> str:
        return str(self._path)

    def count(self) -> int | None:
        total = 0
        for entry in self._entries():
            n = entry.count() if isinstance(entry, _FileSource) else 1
            if n is None:
                return None
            total += n
        return total

    def __iter__(self) -> Iterator[IngestItem]:
        for entry in self._entries():
            if isinstance(entry, IngestItem):
                yield entry
            else:
                yield from entry

    def _entries(self) -> list[JsonSource | HtmlSource | IngestItem]:
        found: list[tuple[str, JsonSource | HtmlSource | IngestItem]] = []

        def unreadable(exc: OSError) -> None:
            where = exc.filename or str(self._path)
            error = IngestError(
                f"cannot read the folder {where}: {exc.strerror or exc}",
                hint="check its permissions: warta needs to list it and open its files",
                path=str(where),
            )
            found.append((_key(self._path, Path(where)), IngestItem(str(where), error=error)))

        for root, dirs, files in os.walk(self._path, onerror=unreadable):
            here = Path(root)
            for name in list(dirs):
                if name.startswith(".") or (here / name).is_symlink():
                    dirs.remove(name)
                    if not name.startswith("."):
                        skipped = IngestItem(
                            str(here / name), skipped="a link to a folder; links are not followed"
                        )
                        found.append((_key(self._path, here / name), skipped))
            for name in files:
                if name.startswith("."):
                    continue
                path = here / name
                entry: JsonSource | HtmlSource | IngestItem
                if path.suffix.lower() in SUFFIXES:
                    entry = _file_source(path, site=self._site, validator=self._validator)
                else:
                    entry = IngestItem(str(path), skipped=f"not a file warta reads; {_READABLE}")
                found.append((_key(self._path, path), entry))
        found.sort(key=lambda pair: pair[0])
        return [entry for _, entry in found]


class StaticSource:
    """A source over items already at hand: for tests and for callers that build drafts
    themselves (e.g. from an HTTP request)."""

    def __init__(self, items: Iterable[IngestItem], *, origin: str = "memory") -> None:
        self._items = tuple(items)
        self._origin = origin

    @property
    def origin(self) -> str:
        return self._origin

    def count(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[IngestItem]:
        return iter(self._items)


def _file_source(path: Path, *, site: str, validator: Validator) -> JsonSource | HtmlSource:
    if path.suffix.lower() in JSON_SUFFIXES:
        return JsonSource(path, site=site, validator=validator)
    return HtmlSource(path, site=site, validator=validator)


def _key(top: Path, path: Path) -> str:
    """Sort key: the path below ``top``, compared by its parts (so a/b sorts before a-b)."""
    try:
        parts = path.relative_to(top).parts
    except ValueError:  # pragma: no cover -- os.walk reports paths below top
        parts = path.parts
    return "\x00".join(parts)
