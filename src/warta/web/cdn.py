"""What a CDN in front of the site needs: cache lifetimes, purge tags, and a purge webhook.

Every page response carries ``Cache-Control: public, max-age=N, stale-while-revalidate=S,
stale-if-error=E`` (``Settings.page_cache_seconds``, ``stale_while_revalidate_seconds``,
``stale_if_error_seconds``) and its tags twice, for the two common spellings: ``Surrogate-Key``
(Fastly, space-separated) and ``Cache-Tag`` (Cloudflare, comma-separated).

Tags: ``site-<slug>`` on every page of a site; ``site-<slug>-article-<id>`` on an article's pages
(all six languages); ``site-<slug>-lists`` on front pages, category pages, feeds and sitemaps.
When an edition changes, purging its article's tag and its site's lists tag refreshes exactly
the pages that can show it (:func:`purge_tags`); a publishing policy change purges the site.

:class:`PurgeHook` POSTs ``{"site": slug, "paths": [...], "tags": [...]}`` to
``Settings.purge_url`` (a CDN's purge API behind a small adapter, or a Varnish/nginx purger).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

import httpx

from warta.config import Settings
from warta.errors import WartaError


@dataclass(frozen=True, slots=True)
class CachePolicy:
    max_age: int
    stale_while_revalidate: int = 0
    stale_if_error: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> CachePolicy:
        return cls(
            max_age=settings.page_cache_seconds,
            stale_while_revalidate=settings.stale_while_revalidate_seconds,
            stale_if_error=settings.stale_if_error_seconds,
        )

    def header(self) -> str:
        parts = [f"public, max-age={self.max_age}"]
        if self.stale_while_revalidate:
            parts.append(f"stale-while-revalidate={self.stale_while_revalidate}")
        if self.stale_if_error:
            parts.append(f"stale-if-error={self.stale_if_error}")
        return ", ".join(parts)


def site_tag(site: str) -> str:
    return f"site-{site}"


def article_tag(site: str, article_id: int) -> str:
    return f"site-{site}-article-{article_id}"


def lists_tag(site: str) -> str:
    return f"site-{site}-lists"


def article_tags(site: str, article_id: int) -> tuple[str, ...]:
    return (site_tag(site), article_tag(site, article_id))


def list_tags(site: str) -> tuple[str, ...]:
    return (site_tag(site), lists_tag(site))


def purge_tags(site: str, article_ids: Iterable[int]) -> list[str]:
    """The tags to purge when editions of these articles change."""
    return [*(article_tag(site, a) for a in sorted(set(article_ids))), lists_tag(site)]


def tag_headers(tags: Sequence[str]) -> dict[str, str]:
    if not tags:
        return {}
    return {"Surrogate-Key": " ".join(tags), "Cache-Tag": ",".join(tags)}


class PurgeError(WartaError):
    """The purge webhook did not accept a purge."""

    code: ClassVar[str] = "purge_failed"


@dataclass(frozen=True, slots=True)
class PurgeRequest:
    site: str
    paths: tuple[str, ...]
    tags: tuple[str, ...]

    def to_json(self) -> bytes:
        body = {"site": self.site, "paths": list(self.paths), "tags": list(self.tags)}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


class PurgeHook:
    """POSTs purges to one URL; a non-2xx answer or no answer is a :class:`PurgeError`."""

    def __init__(self, url: str, *, client: httpx.Client, base_url: str = "") -> None:
        self._url = url
        self._client = client
        self._base = base_url.rstrip("/")

    def send(self, purge: PurgeRequest) -> None:
        paths = tuple(self._base + p for p in purge.paths)
        body = PurgeRequest(purge.site, paths, purge.tags).to_json()
        try:
            response = self._client.post(
                self._url, content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise PurgeError(
                f"the purge webhook {self._url} did not answer: {exc}",
                hint="check WARTA_PURGE_URL and that the purger is running",
                url=self._url,
            ) from exc
        if not response.is_success:
            raise PurgeError(
                f"the purge webhook {self._url} answered {response.status_code}",
                hint="check the purger's log; the CDN keeps the pages until max-age",
                url=self._url,
                status=response.status_code,
            )


@contextmanager
def purge_hook(settings: Settings, *, base_url: str = "") -> Iterator[PurgeHook | None]:
    """The purge webhook of ``Settings.purge_url`` (None when unset), with its HTTP client."""
    if not settings.purge_url:
        yield None
        return
    with httpx.Client(timeout=10.0, follow_redirects=False) as client:
        yield PurgeHook(settings.purge_url, client=client, base_url=base_url)
