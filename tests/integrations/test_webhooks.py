"""Outbox, signed delivery, retries with backoff, the delivery log — against a real receiver."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tests.dbfixtures import FakeClock, make_draft, make_edition
from tests.integrations.servers import Receiver, receiving

from warta.domain import EditionStatus, Site
from warta.integrations import Integrations
from warta.integrations.outbound import OutboundPolicy, make_client
from warta.integrations.signing import verify_signature
from warta.integrations.webhooks import RetryPolicy, WebhookDispatcher, WebhookEvent
from warta.languages import Lang
from warta.services import Services
from warta.store.webhooks import OutboxStatus

SECRET = "whsec_test-secret"  # noqa: S105 -- a test webhook's secret


def _hook(integrations: Integrations, site: Site, url: str, *events: str) -> int:
    hook = integrations.webhooks.add(
        site_id=site.id,
        url=url,
        secret=SECRET,
        events=events or tuple(e.value for e in WebhookEvent),
    )
    return hook.id


def _dispatch(integrations: Integrations) -> tuple[int, int, int]:
    with integrations.http_client(follow_redirects=False) as http:
        report = integrations.dispatcher(http).deliver_due()
    return report.delivered, report.retrying, report.failed


def test_event_is_delivered_once_signed_with_the_webhook_secret(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    with receiving(Receiver()) as receiver:
        _hook(integrations, site, receiver.base_url + "/in")
        items = integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.PUBLISHED, data={"x": 1}
        )
        assert len(items) == 1
        assert _dispatch(integrations) == (1, 0, 0)
        assert _dispatch(integrations) == (0, 0, 0)  # delivered events are not sent again
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "edition.published"
    assert body["data"] == {"x": 1}
    assert body["id"] == request.headers["x-warta-delivery"] == items[0].event_id
    assert request.headers["x-warta-signature"].startswith(f"t={int(clock.now.timestamp())},v1=")
    assert verify_signature(
        SECRET, request.body, request.headers["x-warta-signature"], now=clock.now.timestamp()
    )
    assert request.body == items[0].body.encode()  # the exact bytes that were signed


def test_only_subscribed_active_webhooks_of_the_site_get_the_event(
    integrations: Integrations, site: Site, other_site: Site
) -> None:
    with receiving(Receiver()) as receiver:
        _hook(integrations, site, receiver.base_url + "/published-only", "edition.published")
        flagged = _hook(integrations, site, receiver.base_url + "/flagged", "edition.flagged")
        _hook(integrations, other_site, receiver.base_url + "/other-site")
        removed = _hook(integrations, site, receiver.base_url + "/removed")
        integrations.webhooks.disable(removed)
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.FLAGGED, data={}
        )
        _dispatch(integrations)
    assert [r.path for r in receiver.requests] == ["/flagged"]
    assert [i.event for i in integrations.webhooks.outbox(webhook_id=flagged)] == [
        "edition.flagged"
    ]


def test_failed_attempts_are_retried_with_exponential_backoff_then_delivered(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    # TEST_LIMITS retry: 3 attempts, waits of 10 s then 20 s
    with receiving(Receiver(statuses=[500, 503])) as receiver:
        hook = _hook(integrations, site, receiver.base_url + "/in")
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={}
        )
        assert _dispatch(integrations) == (0, 1, 0)
        clock.advance(9)
        assert _dispatch(integrations) == (0, 0, 0)  # not due before 10 s
        clock.advance(1)
        assert _dispatch(integrations) == (0, 1, 0)
        clock.advance(19)
        assert _dispatch(integrations) == (0, 0, 0)  # the second wait is 20 s
        clock.advance(1)
        assert _dispatch(integrations) == (1, 0, 0)
    log = integrations.webhooks.deliveries(webhook_id=hook)
    assert [(d.attempt, d.status_code) for d in log] == [(3, 200), (2, 503), (1, 500)]
    assert log[-1].error.startswith("HTTP 500: receiver says no")
    assert all(d.event_status is OutboxStatus.DELIVERED for d in log)
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # every retry sends the same body


def test_an_event_fails_for_good_after_the_last_attempt_and_its_log_stays(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    with receiving(Receiver(statuses=[500, 500, 500, 500])) as receiver:
        hook = _hook(integrations, site, receiver.base_url + "/in")
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={}
        )
        results = []
        for _ in range(4):
            results.append(_dispatch(integrations))
            clock.advance(3600)
    assert results == [(0, 1, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0)]
    (item,) = integrations.webhooks.outbox(webhook_id=hook)
    assert item.status is OutboxStatus.FAILED
    assert item.attempts == 3
    assert len(integrations.webhooks.deliveries(webhook_id=hook)) == 3


@contextmanager
def _silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a receiver that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hang"


def test_a_receiver_that_never_answers_times_out_and_is_retried(
    integrations: Integrations, site: Site
) -> None:
    policy = OutboundPolicy(
        timeout_seconds=0.2, connect_timeout_seconds=0.2, allow_private_networks=True
    )
    with _silent_server() as url, make_client(policy, follow_redirects=False) as http:
        hook = _hook(integrations, site, url)
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={}
        )
        report = WebhookDispatcher(integrations.webhooks, http, retry=RetryPolicy()).deliver_due()
    assert (report.delivered, report.retrying) == (0, 1)
    (attempt,) = integrations.webhooks.deliveries(webhook_id=hook)
    assert attempt.status_code is None
    assert attempt.error.startswith("ReadTimeout")


def test_private_addresses_are_refused_unless_the_policy_allows_them(
    integrations: Integrations, site: Site
) -> None:
    with (
        receiving(Receiver()) as receiver,
        make_client(OutboundPolicy(), follow_redirects=False) as strict,
    ):
        hook = _hook(integrations, site, receiver.base_url + "/in")
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={}
        )
        WebhookDispatcher(integrations.webhooks, strict).deliver_due()
    assert receiver.requests == []
    (attempt,) = integrations.webhooks.deliveries(webhook_id=hook)
    assert "not a public internet address" in attempt.error


def test_a_claimed_event_is_not_claimed_again_while_its_lease_runs(
    integrations: Integrations, site: Site, clock: FakeClock
) -> None:
    _hook(integrations, site, "http://127.0.0.1:9/never")
    integrations.outbox.emit(site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={})
    assert len(integrations.webhooks.claim_due(limit=10, lease_seconds=60)) == 1
    assert integrations.webhooks.claim_due(limit=10, lease_seconds=60) == []
    clock.advance(61)  # the dispatcher that claimed it died: the lease expires
    assert len(integrations.webhooks.claim_due(limit=10, lease_seconds=60)) == 1


@pytest.mark.parametrize(
    ("status", "revision", "expected"),
    [
        (EditionStatus.TRANSLATED, 1, WebhookEvent.TRANSLATED),  # first translation
        (EditionStatus.TRANSLATED, 2, WebhookEvent.UPDATED),  # the Indonesian text changed
        (EditionStatus.NEEDS_REVIEW, 1, WebhookEvent.FLAGGED),  # a doubtful sentence
        (EditionStatus.FAILED, 1, None),  # nothing to tell the portal
    ],
)
def test_recorded_editions_become_the_matching_event(
    services: Services,
    integrations: Integrations,
    site: Site,
    status: EditionStatus,
    revision: int,
    expected: WebhookEvent | None,
) -> None:
    _hook(integrations, site, "http://127.0.0.1:9/unused")
    result = services.store.save_article(make_draft(), targets=[Lang.EN])
    if revision == 2:
        result = services.store.save_article(
            make_draft(body_html="<p>Hujan reda sore hari. Warga kembali ke rumah.</p>"),
            targets=[Lang.EN],
        )
    services.store.save_edition(make_edition(result.revision.id, Lang.EN, status=status))
    event = integrations.events.recorded(revision_id=result.revision.id, lang=Lang.EN)
    assert event == expected
    (hook,) = integrations.webhooks.list_for(site_id=site.id)
    outbox = integrations.webhooks.outbox(webhook_id=hook.id)
    # policy auto: a recorded translation is published, and that is announced after it
    assert [i.event for i in outbox] == (
        [expected.value, WebhookEvent.PUBLISHED.value] if expected else []
    )
    if expected is not None:
        body = json.loads(outbox[0].body)
        assert body["data"]["article"] == {"external_id": "berita-1", "revision": revision}
        assert body["data"]["edition"]["lang"] == "en"
        assert body["data"]["edition"]["status"] == status.value


def test_recorded_with_a_site_skips_sites_without_active_webhooks(
    services: Services, integrations: Integrations, site: Site
) -> None:
    result = services.store.save_article(make_draft(), targets=[Lang.EN])
    services.store.save_edition(make_edition(result.revision.id, Lang.EN))
    # Nobody listens: nothing is classified or written (the worker's cheap path).
    assert (
        integrations.events.recorded(revision_id=result.revision.id, lang=Lang.EN, site_id=site.id)
        is None
    )
    hook = _hook(integrations, site, "http://127.0.0.1:9/unused")
    assert integrations.outbox.listening(site.id) == frozenset(e.value for e in WebhookEvent)
    assert (
        integrations.events.recorded(revision_id=result.revision.id, lang=Lang.EN, site_id=site.id)
        is WebhookEvent.TRANSLATED
    )
    assert len(integrations.webhooks.outbox(webhook_id=hook)) == 2  # translated, published
    integrations.webhooks.disable(hook)
    assert integrations.outbox.listening(site.id) == frozenset()
