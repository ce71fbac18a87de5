"""An in-process page cache, validated by data versions, and HTTP conditional requests.

Pages are cached under ``(host, site, lang, path)`` together with the :class:`Version` of the data
they were rendered from. A lookup with a different version is a miss (and drops the stale page),
so an article or edition that changes is re-rendered on the next request without anyone having
to invalidate anything by hand. The cache is bounded (least recently used pages go first) and
thread-safe: FastAPI runs the page handlers in a thread pool.

The cache lives on ``app.state`` (one per app), never in a module global.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from warta.store.versions import Version

CacheKey = tuple[str, str, str, str]  # (host, site, lang, path with query)


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered response body and what its HTTP validators are."""

    body: bytes
    media_type: str
    etag: str  # a strong validator, quoted, from the body's hash
    last_modified: datetime | None
    # Readers' caches must ask again before each use (``Cache-Control: no-cache``, answered
    # with 304 while unchanged): an article page that shows the Indonesian original in place of
    # an edition not published yet (pending or held), so an approval is seen at once.
    revalidate: bool = False

    @classmethod
    def of(
        cls,
        body: bytes,
        *,
        media_type: str,
        last_modified: datetime | None,
        revalidate: bool = False,
    ) -> Page:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(body, media_type, f'"{digest}"', last_modified, revalidate)

    def validators(self) -> dict[str, str]:
        headers = {"ETag": self.etag}
        if self.last_modified is not None:
            headers["Last-Modified"] = http_date(self.last_modified)
        return headers

    def not_modified(self, *, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a conditional GET may be answered 304 (RFC 9110 §13.1.1, §13.1.3)."""
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is not None and self.last_modified is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError, IndexError):
                return False
            if since.tzinfo is None:
                return False
            return self.last_modified.replace(microsecond=0) <= since
        return False


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    entries: int


class PageCache:
    def __init__(self, *, max_entries: int = 2048) -> None:
        if max_entries < 1:
            raise ValueError("a page cache needs room for at least one page")
        self._max = max_entries
        self._pages: OrderedDict[CacheKey, tuple[str, Page]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: CacheKey, version: Version) -> Page | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] != version.token:
                if entry is not None:
                    del self._pages[key]
                self._misses += 1
                return None
            self._pages.move_to_end(key)
            self._hits += 1
            return entry[1]

    def note_hit(self) -> None:
        """A hit answered before the page routes (:mod:`warta.web.fast`)."""
        with self._lock:
            self._hits += 1

    def put(self, key: CacheKey, version: Version, page: Page) -> None:
        with self._lock:
            self._pages[key] = (version.token, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._pages))
