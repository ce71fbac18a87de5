"""Webhook events: what happened to an edition, written to an outbox, then delivered signed.

Events (``type`` in the JSON body and the ``X-Warta-Event`` header):

- ``edition.translated``: the first machine translation of an article's first revision;
- ``edition.updated``: a translation of a later revision (the Indonesian text changed), or an
  editor's correction;
- ``edition.flagged``: a translation in which at least one sentence needs review;
- ``edition.published``: the edition became published (:mod:`warta.publishing`, the rule the
  site and the API follow): when a translation is recorded under the ``auto`` or ``clean`` policy
  and is published, and when an editor's approval publishes it (at once, under ``approval``).

Every event's ``data.edition.published`` is that same rule's answer at the time of the event.

:class:`EditionEvents` turns a stored edition into an event and :class:`WebhookOutbox` writes one
outbox row per subscribed webhook; :class:`WebhookDispatcher` sends due rows with httpx, signed
(:mod:`warta.integrations.signing`), and logs every attempt (status code, error, duration). A
failed attempt (no 2xx answer, a timeout, a refused address) is retried with exponential backoff
(:class:`RetryPolicy`) until ``max_attempts``; the event then fails for good, and its log stays.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

import httpx

from warta.api.schemas import EditionPublic
from warta.domain import Edition, EditionStatus, PublishingPolicy, Revision
from warta.integrations.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)
from warta.languages import Lang
from warta.publishing import Publication
from warta.store.approvals import ApprovalStore
from warta.store.changes import ArticleQueries
from warta.store.repository import Store
from warta.store.webhooks import OutboxItem, Webhook, WebhookStore

log = logging.getLogger(__name__)

MAX_LOGGED_BODY = 300


class WebhookEvent(StrEnum):
    TRANSLATED = "edition.translated"
    UPDATED = "edition.updated"
    FLAGGED = "edition.flagged"
    PUBLISHED = "edition.published"


EVENTS: tuple[str, ...] = tuple(e.value for e in WebhookEvent)


def classify(edition: Edition, revision: Revision) -> WebhookEvent | None:
    """The event a newly recorded machine translation is (None for pending or failed)."""
    if edition.status is EditionStatus.NEEDS_REVIEW:
        return WebhookEvent.FLAGGED
    if edition.status is EditionStatus.TRANSLATED:
        return WebhookEvent.UPDATED if revision.number > 1 else WebhookEvent.TRANSLATED
    return None


class WebhookOutbox:
    """Writes events to the outbox; delivery happens later, in :class:`WebhookDispatcher`."""

    def __init__(self, store: WebhookStore) -> None:
        self._store = store

    def emit(
        self, *, site_id: int, site: str, event: WebhookEvent, data: Mapping[str, Any]
    ) -> list[OutboxItem]:
        """One outbox row per active webhook of the site subscribed to ``event``."""
        event_id = str(uuid.uuid4())
        body = json.dumps(
            {
                "id": event_id,
                "type": event.value,
                "created_at": self._store.clock().isoformat(),
                "site": site,
                "data": data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return self._store.enqueue(site_id=site_id, event_id=event_id, event=event.value, body=body)

    def listening(self, site_id: int) -> frozenset[str]:
        """The events that at least one active webhook of the site subscribes to."""
        return frozenset(
            e
            for hook in self._store.list_for(site_id=site_id, active_only=True)
            for e in hook.events
        )


class EditionEvents:
    """Emits the events of editions: call :meth:`recorded` after the worker stores one."""

    def __init__(
        self,
        *,
        store: Store,
        queries: ArticleQueries,
        approvals: ApprovalStore,
        outbox: WebhookOutbox,
    ) -> None:
        self._store = store
        self._queries = queries
        self._approvals = approvals
        self._outbox = outbox

    def recorded(
        self, *, revision_id: int, lang: Lang, site_id: int | None = None
    ) -> WebhookEvent | None:
        """After a machine translation was stored: translated, updated or flagged (or nothing).

        Returns the event, or None when the edition's status makes none. Given the article's
        ``site_id``, a site with no active webhook costs one query: nothing is read or built
        (None is returned), which keeps the worker's per-edition cost low where nobody listens.
        """
        if site_id is not None and not self._outbox.listening(site_id):
            return None
        edition = self._store.get_edition(revision_id=revision_id, lang=lang)
        revision = self._store.get_revision(revision_id)
        event = classify(edition, revision)
        if event is not None:
            published = self._emit(event, edition, revision)
            if published.published and published.policy is not PublishingPolicy.APPROVAL:
                self._emit(WebhookEvent.PUBLISHED, edition, revision)
        return event

    def corrected(self, edition: Edition, *, was_published: bool | None = None) -> None:
        """After an editor corrected a sentence of ``edition`` (or rolled it back).

        ``was_published``: whether the edition was published before the change, when the caller
        knows; then ``edition.published`` follows if the change published it (e.g. the last
        flagged sentence corrected under ``clean``, or a rejected text replaced under ``auto``).
        """
        event = (
            WebhookEvent.FLAGGED
            if edition.status is EditionStatus.NEEDS_REVIEW
            else WebhookEvent.UPDATED
        )
        revision = self._store.get_revision(edition.revision_id)
        outcome = self._emit(event, edition, revision)
        if was_published is False and outcome.published:
            self._emit(WebhookEvent.PUBLISHED, edition, revision)

    def approved(self, edition: Edition, *, was_published: bool = False) -> bool:
        """After an editor approved ``edition``: ``edition.published`` if that published it.

        Returns whether the event was emitted (not when it was published already, nor when the
        policy still holds it, e.g. ``clean`` with a flagged sentence).
        """
        if was_published:
            return False
        revision = self._store.get_revision(edition.revision_id)
        article = self._store.get_article_by_id(revision.article_id)
        if not self._queries.publication(site_id=article.site_id, edition=edition).published:
            return False
        self._emit(WebhookEvent.PUBLISHED, edition, revision)
        return True

    def _emit(self, event: WebhookEvent, edition: Edition, revision: Revision) -> Publication:
        article = self._store.get_article_by_id(revision.article_id)
        site = self._queries.site(article.site_id)
        outcome = self._queries.publication(site_id=article.site_id, edition=edition)
        public = EditionPublic.from_domain(
            edition,
            external_id=article.external_id,
            revision=revision.number,
            published=outcome.published,
            with_segments=False,
        )
        data = {
            "article": {"external_id": article.external_id, "revision": revision.number},
            "edition": public.model_dump(mode="json"),
        }
        self._outbox.emit(site_id=article.site_id, site=site.slug, event=event, data=data)
        return outcome


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt ``n`` failed: wait ``min(base * 2**(n-1), cap)`` seconds; give up after the last."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0

    def delay(self, attempt: int) -> float:
        return float(min(self.base_seconds * 2.0 ** max(attempt - 1, 0), self.cap_seconds))


@dataclass
class DispatchReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    attempts: list[tuple[int, int | None, str]] = field(default_factory=list)  # outbox, code, err

    @property
    def sent(self) -> int:
        return self.delivered + self.retrying + self.failed


class WebhookDispatcher:
    """Delivers due outbox rows; safe to run in several processes (rows are leased)."""

    def __init__(
        self,
        store: WebhookStore,
        client: httpx.Client,
        *,
        retry: RetryPolicy | None = None,
        lease_seconds: float = 120.0,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._store = store
        self._client = client
        self._retry = retry or RetryPolicy()
        self._lease = lease_seconds
        self._timer = timer

    def deliver_due(self, *, limit: int = 100) -> DispatchReport:
        """Send every event that is due now (by the store's clock), once each."""
        report = DispatchReport()
        for item, hook in self._store.claim_due(limit=limit, lease_seconds=self._lease):
            self._deliver(item, hook, report)
        return report

    def _deliver(self, item: OutboxItem, hook: Webhook, report: DispatchReport) -> None:
        now = self._store.clock()
        body = item.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: item.event,
            DELIVERY_HEADER: item.event_id,
            SIGNATURE_HEADER: signature_header(hook.secret, body, timestamp=int(now.timestamp())),
        }
        status: int | None = None
        error = ""
        started = self._timer()
        try:
            with self._client.stream("POST", hook.url, content=body, headers=headers) as response:
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"HTTP {status}: {_snippet(response)}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        duration_ms = round((self._timer() - started) * 1000)
        delivered = not error
        attempt = item.attempts + 1
        retry_at = None
        if not delivered and attempt < self._retry.max_attempts:
            retry_at = now + timedelta(seconds=self._retry.delay(attempt))
        self._store.record_attempt(
            item.id,
            status_code=status,
            error=error,
            duration_ms=duration_ms,
            delivered=delivered,
            retry_at=retry_at,
        )
        report.attempts.append((item.id, status, error))
        if delivered:
            report.delivered += 1
        elif retry_at is not None:
            report.retrying += 1
        else:
            report.failed += 1
            log.warning("webhook %s gave up on event %s: %s", hook.id, item.event_id, error)


def _snippet(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= MAX_LOGGED_BODY:
            break
    return data[:MAX_LOGGED_BODY].decode("utf-8", "replace").strip()
