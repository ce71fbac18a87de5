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

The events of an edition the worker records are written by
:class:`~warta.integrations.announce.Announcer` from the job row (a transactional outbox: the job
completes in the edition's transaction, and its events are written in one later transaction that
marks it announced). :class:`EditionEvents` turns an edition stored otherwise (an editor's
correction or approval) into events, and :class:`WebhookOutbox` writes one outbox row per
subscribed webhook; :class:`WebhookDispatcher` announces what is pending, then sends due rows
with httpx, signed (:mod:`warta.integrations.signing`), and logs every attempt (status code,
error, duration). A failed attempt (no 2xx answer, a timeout, a refused address) is retried with
exponential backoff (:class:`RetryPolicy`) until ``max_attempts``; the event then fails for good,
and its log stays.

Delivery is at least once: an event is sent again only if no 2xx answer to it was recorded (the
dispatcher died between sending and recording, or its claim ran out while the receiver was
slow). Every send of one event carries the same ``id`` in the body (and the ``X-Warta-Delivery``
header), so a receiver deduplicates on it.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx

from warta.api.schemas import EditionPublic
from warta.domain import Edition, EditionStatus, PublishingPolicy, Revision
from warta.errors import WartaError
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


def event_body(
    *, event_id: str, event: WebhookEvent, created_at: datetime, site: str, data: Mapping[str, Any]
) -> str:
    """The JSON body of an event, as stored in the outbox and sent (and signed) byte for byte."""
    return json.dumps(
        {
            "id": event_id,
            "type": event.value,
            "created_at": created_at.isoformat(),
            "site": site,
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def edition_data(
    edition: Edition, *, revision: Revision, external_id: str, published: bool
) -> dict[str, Any]:
    """The ``data`` of an edition's event: the article and the edition without its segments."""
    public = EditionPublic.from_domain(
        edition,
        external_id=external_id,
        revision=revision.number,
        published=published,
        with_segments=False,
    )
    return {
        "article": {"external_id": external_id, "revision": revision.number},
        "edition": public.model_dump(mode="json"),
    }


def announces_published(outcome: Publication) -> bool:
    """Whether a recorded machine translation is followed by ``edition.published``: it is
    published, under a policy that publishes without an editor (``approval`` announces it when
    the editor approves)."""
    return outcome.published and outcome.policy is not PublishingPolicy.APPROVAL


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
        body = event_body(
            event_id=event_id, event=event, created_at=self._store.clock(), site=site, data=data
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
    """Emits the events of editions stored outside a job: an editor's correction or approval.

    The worker's editions are announced from their jobs by
    :class:`~warta.integrations.announce.Announcer` instead; :meth:`recorded` is for an edition
    stored without a job (it writes the events in a transaction of its own).
    """

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
        """After a machine translation was stored without a job: translated, updated or flagged.

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
            outcome = self._emit(event, edition, revision)
            if announces_published(outcome):
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
        data = edition_data(
            edition,
            revision=revision,
            external_id=article.external_id,
            published=outcome.published,
        )
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
    announced: int = 0  # jobs whose events were written before sending
    taken_over: int = 0  # claimed events another dispatcher claimed before they were sent
    attempts: list[tuple[int, int | None, str]] = field(default_factory=list)  # outbox, code, err

    @property
    def sent(self) -> int:
        return self.delivered + self.retrying + self.failed


class WebhookDispatcher:
    """Delivers due outbox rows; safe to run in several processes (rows are leased).

    ``announce`` (e.g. :meth:`~warta.integrations.announce.Announcer.announce_pending`) runs
    before each round, so the events of jobs a crashed worker left unannounced are written and
    sent. A claimed event is sent only while the claim is this dispatcher's: past half the lease
    (by ``timer``, e.g. behind a slow receiver) the claim is renewed before the next send, and an
    event another dispatcher claimed meanwhile is left to it.
    """

    def __init__(
        self,
        store: WebhookStore,
        client: httpx.Client,
        *,
        retry: RetryPolicy | None = None,
        lease_seconds: float = 120.0,
        timer: Callable[[], float] = time.perf_counter,
        announce: Callable[[], int] | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._retry = retry or RetryPolicy()
        self._lease = lease_seconds
        self._timer = timer
        self._announce = announce

    def deliver_due(self, *, limit: int = 100) -> DispatchReport:
        """Announce pending jobs, then send every event that is due now (by the store's clock),
        once each."""
        report = DispatchReport()
        if self._announce is not None:
            try:
                report.announced = self._announce()
            except WartaError:  # what is due already still goes out; the next round retries
                log.exception("announcing pending webhook events failed")
        claimed_at = self._timer()
        for item, hook in self._store.claim_due(limit=limit, lease_seconds=self._lease):
            lease = item.next_attempt_at
            if lease is not None and self._timer() - claimed_at > self._lease / 2:
                lease = self._store.hold(item.id, lease=lease, lease_seconds=self._lease)
                if lease is None:
                    report.taken_over += 1
                    continue
            self._deliver(item, hook, report, lease=lease)
        return report

    def _deliver(
        self, item: OutboxItem, hook: Webhook, report: DispatchReport, *, lease: datetime | None
    ) -> None:
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
            lease=lease,
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
