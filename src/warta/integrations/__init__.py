"""Integrations: how portals plug into warta without a person in between.

API keys and editor sessions (:mod:`~warta.integrations.access`), webhooks
(:mod:`~warta.integrations.webhooks`, signed by :mod:`~warta.integrations.signing`), feed import
(:mod:`~warta.integrations.feeds`), rate limits (:mod:`~warta.integrations.ratelimit`) and the
outbound HTTP policy (:mod:`~warta.integrations.outbound`).

:func:`build_integrations` builds the long-lived objects from :class:`~warta.services.Services`
once (the web app keeps them on ``app.state.integrations``; the CLI builds them per command).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from warta.glossary import GlossaryService
from warta.integrations.access import (
    EditorAccounts,
    FailureThrottle,
    KeyAuthenticator,
    LoginThrottle,
)
from warta.integrations.announce import Announcer
from warta.integrations.feeds import FeedImporter
from warta.integrations.outbound import OutboundPolicy, make_client
from warta.integrations.portal import PortalArticles
from warta.integrations.ratelimit import TokenBucketLimiter
from warta.integrations.review import EditorialDesk
from warta.integrations.webhooks import (
    EditionEvents,
    RetryPolicy,
    WebhookDispatcher,
    WebhookOutbox,
)
from warta.store.approvals import ApprovalStore
from warta.store.changes import ArticleQueries
from warta.store.clock import Clock, utcnow
from warta.store.editors import EditorStore
from warta.store.feeds import FeedStore
from warta.store.keys import KeyStore
from warta.store.policies import PolicyStore
from warta.store.webhooks import WebhookStore

if TYPE_CHECKING:
    from warta.services import Services

__all__ = ["IntegrationLimits", "Integrations", "build_integrations"]

JSON_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class IntegrationLimits:
    """Limits of the integration API; the defaults suit one portal of a few editors."""

    max_request_bytes: int | None = None  # None: 2 x WARTA_MAX_ARTICLE_BYTES + 64 KiB
    body_timeout_seconds: float = 30.0  # a client that stalls while sending its body gets 408
    requests_per_second: float = 10.0  # per API key, on average ...
    burst: int = 60  # ... and at most this many at once
    login_attempts_per_minute: float = 10.0  # per site + email
    login_burst: int = 10
    login_attempts_per_minute_per_address: float = 30.0  # per client address, any account
    login_address_burst: int = 30
    # Failed API-key checks per client address a minute (also the burst); None:
    # Settings.auth_failures_per_minute (WARTA_AUTH_FAILURES_PER_MINUTE).
    auth_failures_per_minute: int | None = None
    session_seconds: float = 12 * 3600.0
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)
    webhook_retry: RetryPolicy = field(default_factory=RetryPolicy)

    def request_bytes(self, max_article_bytes: int) -> int:
        if self.max_request_bytes is not None:
            return self.max_request_bytes
        return 2 * max_article_bytes + JSON_OVERHEAD_BYTES


@dataclass
class Integrations:
    services: Services
    limits: IntegrationLimits
    keys: KeyStore
    editors: EditorStore
    approvals: ApprovalStore
    webhooks: WebhookStore
    feeds: FeedStore
    queries: ArticleQueries
    portal: PortalArticles
    authenticator: KeyAuthenticator
    accounts: EditorAccounts
    outbox: WebhookOutbox
    events: EditionEvents
    desk: EditorialDesk
    rate_limiter: TokenBucketLimiter
    login_limiter: TokenBucketLimiter
    glossary: GlossaryService  # the sites' glossaries (warta.glossary)
    policies: PolicyStore  # publishing policies per site and language (warta.store.policies)
    announcer: Announcer  # writes the webhook events of the worker's done jobs (the outbox)

    @property
    def max_request_bytes(self) -> int:
        return self.limits.request_bytes(self.services.settings.max_article_bytes)

    def http_client(self, *, follow_redirects: bool) -> httpx.Client:
        """A client with the outbound policy (timeouts, address check); close it after use."""
        return make_client(self.limits.outbound, follow_redirects=follow_redirects)

    def dispatcher(self, client: httpx.Client) -> WebhookDispatcher:
        """Webhook deliveries never follow redirects: give a client made with follow=False."""
        return WebhookDispatcher(
            self.webhooks,
            client,
            retry=self.limits.webhook_retry,
            announce=self.announcer.announce_pending,
        )

    def feed_importer(self, client: httpx.Client) -> FeedImporter:
        return FeedImporter(
            feeds=self.feeds,
            newsroom=self.services.newsroom,
            client=client,
            policy=self.limits.outbound,
        )


def build_integrations(
    services: Services, *, limits: IntegrationLimits | None = None, clock: Clock = utcnow
) -> Integrations:
    limits = limits or IntegrationLimits()
    db = services.db
    keys = KeyStore(db, clock=clock)
    editors = EditorStore(db, clock=clock)
    approvals = ApprovalStore(db, clock=clock)
    webhooks = WebhookStore(db, clock=clock)
    queries = ArticleQueries(db, clock=clock)
    outbox = WebhookOutbox(webhooks)
    policies = PolicyStore(db, clock=clock)
    login_limiter = TokenBucketLimiter(
        rate=limits.login_attempts_per_minute / 60.0, burst=limits.login_burst
    )
    throttle = LoginThrottle(
        per_account=login_limiter,
        per_address=TokenBucketLimiter(
            rate=limits.login_attempts_per_minute_per_address / 60.0,
            burst=limits.login_address_burst,
        ),
    )
    events = EditionEvents(
        store=services.store, queries=queries, approvals=approvals, outbox=outbox
    )
    return Integrations(
        services=services,
        limits=limits,
        keys=keys,
        editors=editors,
        approvals=approvals,
        webhooks=webhooks,
        feeds=FeedStore(db, clock=clock),
        queries=queries,
        portal=PortalArticles(newsroom=services.newsroom, queries=queries),
        authenticator=KeyAuthenticator(keys, failures=_failure_throttle(services, limits)),
        accounts=EditorAccounts(editors, session_seconds=limits.session_seconds, throttle=throttle),
        outbox=outbox,
        events=events,
        desk=EditorialDesk(
            store=services.store,
            queries=queries,
            approvals=approvals,
            newsroom=services.newsroom,
            events=events,
            policies=policies,
        ),
        rate_limiter=TokenBucketLimiter(rate=limits.requests_per_second, burst=limits.burst),
        login_limiter=login_limiter,
        glossary=GlossaryService(db, targets=services.settings.targets, clock=clock),
        policies=policies,
        announcer=Announcer(db, clock=clock),
    )


def _failure_throttle(services: Services, limits: IntegrationLimits) -> FailureThrottle:
    per_minute = limits.auth_failures_per_minute or services.settings.auth_failures_per_minute
    return FailureThrottle(TokenBucketLimiter(rate=per_minute / 60.0, burst=per_minute))
