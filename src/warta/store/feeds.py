"""Feeds of existing portals that warta polls, and the entries it has already seen.

An entry is known by its GUID within its feed; its ``fingerprint`` (a hash of the entry as the feed
shows it) tells whether it changed since, and its ``content_hash``
(:meth:`warta.domain.ArticleDraft.content_hash`) finds the same article under another GUID or
already sent through the API (:meth:`FeedStore.article_with_content`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta.errors import ConflictError, NotFoundError
from warta.store import _sql, catalog
from warta.store.tables import ArticleRow, FeedEntryRow, FeedRow, RevisionRow, SiteRow
from warta.store.transactional import Transactional


class EntryOutcome(StrEnum):
    STORED = "stored"  # submitted as an article (new or a new revision)
    DUPLICATE = "duplicate"  # the same content is already stored under another id
    REFUSED = "refused"  # the validator refused it; ``reason`` says why


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    site_id: int
    site: str  # the site's slug
    url: str
    etag: str | None
    last_modified: str | None
    last_polled_at: datetime | None
    last_status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SeenEntry:
    guid: str
    fingerprint: str
    content_hash: str | None
    external_id: str | None
    outcome: EntryOutcome
    reason: str


def _feed(row: FeedRow, slug: str) -> Feed:
    return Feed(
        id=row.id,
        site_id=row.site_id,
        site=slug,
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        last_polled_at=row.last_polled_at,
        last_status=row.last_status,
        created_at=row.created_at,
    )


def _feed_row(session: Session, feed_id: int) -> tuple[FeedRow, str]:
    found = session.execute(
        select(FeedRow, SiteRow.slug)
        .join(SiteRow, SiteRow.id == FeedRow.site_id)
        .where(FeedRow.id == feed_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(
            f"no feed {feed_id}", hint="list feeds with `warta feeds list`", feed_id=feed_id
        )
    return found[0], found[1]


class FeedStore(Transactional):
    def add(self, *, site: str, url: str) -> Feed:
        with self._write() as session:
            site_row = catalog.site_row(session, site)
            exists = session.scalars(
                select(FeedRow).where(FeedRow.site_id == site_row.id, FeedRow.url == url)
            ).one_or_none()
            if exists is not None:
                raise ConflictError(
                    f"site {site!r} already polls {url}",
                    hint="list feeds with `warta feeds list`",
                    field="url",
                )
            row = FeedRow(site_id=site_row.id, url=url, last_status="", created_at=self._clock())
            session.add(row)
            session.flush()
            return _feed(row, site_row.slug)

    def get(self, feed_id: int) -> Feed:
        with self._read() as session:
            return _feed(*_feed_row(session, feed_id))

    def list_for(self, *, site: str | None = None) -> list[Feed]:
        with self._read() as session:
            query = (
                select(FeedRow, SiteRow.slug)
                .join(SiteRow, SiteRow.id == FeedRow.site_id)
                .order_by(FeedRow.id)
            )
            if site is not None:
                query = query.where(FeedRow.site_id == catalog.site_row(session, site).id)
            return [_feed(row, slug) for row, slug in session.execute(query)]

    def record_poll(
        self, feed_id: int, *, etag: str | None, last_modified: str | None, status: str
    ) -> Feed:
        """Remember the validators of the last full response and how the poll went."""
        with self._write() as session:
            row, slug = _feed_row(session, feed_id)
            row.etag = etag
            row.last_modified = last_modified
            row.last_status = status
            row.last_polled_at = self._clock()
            session.flush()
            return _feed(row, slug)

    def seen(self, *, feed_id: int, guid: str) -> SeenEntry | None:
        with self._read() as session:
            row = session.scalars(
                select(FeedEntryRow).where(
                    FeedEntryRow.feed_id == feed_id, FeedEntryRow.guid == guid
                )
            ).one_or_none()
            return None if row is None else _entry(row)

    def article_with_content(self, *, site_id: int, content_hash: str) -> str | None:
        """The external id of an article of the site whose current text has this hash."""
        with self._read() as session:
            return session.scalars(
                select(ArticleRow.external_id)
                .join(
                    RevisionRow,
                    (RevisionRow.article_id == ArticleRow.id)
                    & (RevisionRow.number == ArticleRow.current_revision),
                )
                .where(ArticleRow.site_id == site_id, RevisionRow.content_hash == content_hash)
                .order_by(ArticleRow.id)
                .limit(1)
            ).first()

    def remember(self, *, feed_id: int, site_id: int, entry: SeenEntry) -> None:
        values = {
            "fingerprint": entry.fingerprint,
            "content_hash": entry.content_hash,
            "external_id": entry.external_id,
            "outcome": entry.outcome.value,
            "reason": entry.reason,
            "seen_at": self._clock(),
        }
        with self._write() as session:
            session.execute(
                _sql.insert(session, FeedEntryRow)
                .values(feed_id=feed_id, site_id=site_id, guid=entry.guid, **values)
                .on_conflict_do_update(index_elements=["feed_id", "guid"], set_=values)
            )


def _entry(row: FeedEntryRow) -> SeenEntry:
    return SeenEntry(
        guid=row.guid,
        fingerprint=row.fingerprint,
        content_hash=row.content_hash,
        external_id=row.external_id,
        outcome=EntryOutcome(row.outcome),
        reason=row.reason,
    )
