"""Importing articles from the RSS/Atom feeds of an existing portal.

:meth:`FeedImporter.poll` fetches a feed with a conditional GET (``If-None-Match`` /
``If-Modified-Since`` from the last full response; a ``304 Not Modified`` ends the poll), parses it
with feedparser, and for every entry:

1. skips it when its GUID was seen with the same fingerprint (nothing changed in the feed);
2. builds a draft: the entry's full content, or — when the feed carries only a summary — the
   article page fetched and reduced to its text (:mod:`warta.integrations.fulltext`), falling back
   to the summary;
3. validates it (:meth:`warta.newsroom.Newsroom.check`; a refused entry is remembered with the
   reason and retried only when the entry changes);
4. skips a new GUID whose content the site already has (same content hash, e.g. the same story
   in two feeds, or already sent through the API), and a known GUID whose content is unchanged;
5. submits the rest through :meth:`warta.newsroom.Newsroom.submit` (a known GUID with new content
   becomes a new revision of the same article).

The article's external id is ``feed-`` and 16 hex digits of the SHA-256 of the entry's GUID (its
link when it has none): stable across polls, and accepted by every route (a GUID is often a URL,
whose ``/`` no API path accepts); the entry's link is kept as the article's ``source_url``.
Migration 0004 rewrote the ids of articles imported before. Every request has the outbound
policy's timeouts, size cap and address check.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

import httpx

from warta.domain import ArticleDraft
from warta.errors import FieldError, IngestError, InputError
from warta.ingest.markup import plain_text
from warta.ingest.sanitize import sanitize_html
from warta.ingest.validate import check_external_id, check_source_url
from warta.integrations.fulltext import extract_article_html
from warta.integrations.outbound import OutboundPolicy, read_limited
from warta.newsroom import Newsroom
from warta.store.feeds import EntryOutcome, Feed, FeedStore, SeenEntry

log = logging.getLogger(__name__)

Extractor = Callable[..., str | None]


@dataclass
class PollReport:
    feed_id: int
    url: str
    not_modified: bool = False
    stored: list[str] = field(default_factory=list)  # external ids of new articles
    updated: list[str] = field(default_factory=list)  # external ids with a new revision
    duplicates: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (guid, reason)

    def summary(self) -> str:
        if self.not_modified:
            return "not modified"
        return (
            f"{len(self.stored)} new, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{self.duplicates} duplicate(s), {len(self.refused)} refused"
        )


class FeedImporter:
    def __init__(
        self,
        *,
        feeds: FeedStore,
        newsroom: Newsroom,
        client: httpx.Client,
        policy: OutboundPolicy,
        extractor: Extractor = extract_article_html,
    ) -> None:
        self._feeds = feeds
        self._newsroom = newsroom
        self._client = client
        self._policy = policy
        self._extract = extractor

    def poll(self, feed: Feed) -> PollReport:
        """Fetch and import one feed; IngestError when it cannot be fetched or read."""
        report = PollReport(feed_id=feed.id, url=feed.url)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            with self._client.stream("GET", feed.url, headers=headers) as response:
                if response.status_code == 304:
                    report.not_modified = True
                    self._feeds.record_poll(
                        feed.id,
                        etag=feed.etag,
                        last_modified=feed.last_modified,
                        status=report.summary(),
                    )
                    return report
                if response.status_code != 200:
                    raise IngestError(
                        f"feed {feed.url} answered HTTP {response.status_code}",
                        hint="check the feed's address with `warta feeds list`; a later poll "
                        "tries again",
                        feed_id=feed.id,
                        url=feed.url,
                    )
                data = read_limited(response, max_bytes=self._policy.max_response_bytes)
                etag = response.headers.get("ETag")
                modified = response.headers.get("Last-Modified")
                content_type = response.headers.get("Content-Type", "application/xml")
        except httpx.HTTPError as exc:
            self._feeds.record_poll(
                feed.id, etag=feed.etag, last_modified=feed.last_modified, status=f"error: {exc}"
            )
            raise IngestError(
                f"cannot fetch feed {feed.url}: {exc}",
                hint="check that the feed is reachable; a later poll tries again",
                feed_id=feed.id,
                url=feed.url,
            ) from exc
        entries = _parse(data, url=feed.url, content_type=content_type, feed_id=feed.id)
        for entry in entries:
            self._import(feed, entry, report)
        # Validators are stored only after every entry was handled: a poll that stops half-way
        # fetches the whole feed again next time.
        self._feeds.record_poll(feed.id, etag=etag, last_modified=modified, status=report.summary())
        return report

    def _import(self, feed: Feed, entry: Any, report: PollReport) -> None:
        link = str(entry.get("link") or "")
        guid = str(entry.get("id") or link or "")
        fingerprint = _fingerprint(entry)
        if not guid:
            guid = "fingerprint:" + fingerprint
        seen = self._feeds.seen(feed_id=feed.id, guid=guid)
        if seen is not None and seen.fingerprint == fingerprint:
            report.unchanged += 1
            return
        external_id = feed_external_id(guid)
        try:
            clean = self._newsroom.check(self._draft(feed, entry, external_id=external_id))
        except InputError as exc:
            report.refused.append((guid, exc.message))
            self._remember(feed, guid, fingerprint, None, None, EntryOutcome.REFUSED, exc.message)
            return
        content_hash = clean.content_hash()
        if seen is None:
            existing = self._feeds.article_with_content(
                site_id=feed.site_id, content_hash=content_hash
            )
            if existing is not None:
                report.duplicates += 1
                self._remember(
                    feed, guid, fingerprint, content_hash, existing, EntryOutcome.DUPLICATE, ""
                )
                return
        elif seen.content_hash == content_hash:
            report.unchanged += 1
            self._remember(
                feed, guid, fingerprint, content_hash, seen.external_id, seen.outcome, seen.reason
            )
            return
        try:
            result = self._newsroom.submit(clean)
        except InputError as exc:
            report.refused.append((guid, exc.message))
            self._remember(feed, guid, fingerprint, None, None, EntryOutcome.REFUSED, exc.message)
            return
        if result.revision.number == 1 and result.new_revision:
            report.stored.append(result.article.external_id)
        elif result.new_revision:
            report.updated.append(result.article.external_id)
        else:
            report.unchanged += 1
        self._remember(
            feed,
            guid,
            fingerprint,
            content_hash,
            result.article.external_id,
            EntryOutcome.STORED,
            "",
        )

    def _remember(
        self,
        feed: Feed,
        guid: str,
        fingerprint: str,
        content_hash: str | None,
        external_id: str | None,
        outcome: EntryOutcome,
        reason: str,
    ) -> None:
        self._feeds.remember(
            feed_id=feed.id,
            site_id=feed.site_id,
            entry=SeenEntry(
                guid=guid,
                fingerprint=fingerprint,
                content_hash=content_hash,
                external_id=external_id,
                outcome=outcome,
                reason=reason,
            ),
        )

    def _draft(self, feed: Feed, entry: Any, *, external_id: str) -> ArticleDraft:
        link = str(entry.get("link") or "")
        tags = tuple(str(t.get("term")) for t in entry.get("tags") or () if t.get("term"))
        return ArticleDraft(
            site=feed.site,
            external_id=external_id,
            title=_plain(entry.get("title_detail"), str(entry.get("title") or "")),
            body_html=self._body(entry, link=link),
            category=tags[0] if tags else None,
            tags=tags,
            author=str(entry["author"]) if entry.get("author") else None,
            published_at=_time(_raw(entry, "published_parsed") or _raw(entry, "updated_parsed")),
            source_url=_source_url(link) or _source_url(str(entry.get("id") or "")),
        )

    def _body(self, entry: Any, *, link: str) -> str:
        contents = entry.get("content") or []
        for content in contents:
            value = str(content.get("value") or "")
            if value.strip():
                return _as_html(value, str(content.get("type") or ""))
        summary = _as_html(
            str(entry.get("summary") or ""), str((entry.get("summary_detail") or {}).get("type"))
        )
        if link:
            full = self._fetch_full_text(link)
            if full:
                return full
        return summary

    def _fetch_full_text(self, url: str) -> str | None:
        """The article text of the page at ``url``, or None (and the summary is used)."""
        try:
            check_source_url(url)
            with self._client.stream("GET", url, headers={"Accept": "text/html"}) as response:
                if response.status_code != 200:
                    log.info("article page %s answered HTTP %s", url, response.status_code)
                    return None
                data = read_limited(response, max_bytes=self._policy.max_response_bytes)
                encoding = response.encoding or "utf-8"
        except (httpx.HTTPError, FieldError) as exc:
            log.info("cannot fetch article page %s: %s", url, exc)
            return None
        return self._extract(data.decode(encoding, errors="replace"), url=url)


def _parse(data: bytes, *, url: str, content_type: str, feed_id: int) -> list[Any]:
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": content_type, "content-location": url},
    )
    if parsed.get("bozo") and not parsed.get("entries"):
        raise IngestError(
            f"feed {url} cannot be read as RSS or Atom: {parsed.get('bozo_exception')}",
            hint="check that the address serves the feed itself, not a web page",
            feed_id=feed_id,
            url=url,
        )
    return list(parsed.get("entries") or [])


def _fingerprint(entry: Any) -> str:
    contents = [str(c.get("value") or "") for c in entry.get("content") or ()]
    payload = json.dumps(
        [
            str(entry.get("id") or ""),
            str(entry.get("link") or ""),
            str(entry.get("title") or ""),
            str(entry.get("summary") or ""),
            contents,
            str(_raw(entry, "updated") or _raw(entry, "published") or ""),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _raw(entry: Any, key: str) -> Any:
    """``entry[key]`` without feedparser's deprecated updated -> published fallback."""
    return dict.get(entry, key)


def feed_external_id(guid: str) -> str:
    """The external id of a feed entry's article: ``feed-`` + 16 hex digits of the SHA-256 of
    its GUID (UTF-8). Migration 0004 computes the same for articles imported before."""
    digest = hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()
    return check_external_id("feed-" + digest[:16])


def _as_html(value: str, content_type: str) -> str:
    if "html" in content_type:
        return value
    paragraphs = [p.strip() for p in value.split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _plain(detail: Any, value: str) -> str:
    if detail and "html" in str(detail.get("type") or ""):
        return plain_text(sanitize_html(value))
    return value


def _time(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _source_url(link: str) -> str | None:
    try:
        return check_source_url(link)
    except FieldError:
        return None
