"""Registering webhooks and reading their delivery log through the API."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from tests.integrations.servers import Receiver, receiving

from warta.domain import Site
from warta.integrations import Integrations
from warta.integrations.outbound import OutboundPolicy
from warta.integrations.webhooks import WebhookEvent


def test_registering_returns_the_secret_once(client: TestClient, auth: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/in", "events": ["edition.published"]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ["edition.published"]
    again = client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth).json()
    assert "secret" not in again
    listed = client.get("/api/v1/webhooks", headers=auth).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]


def test_default_subscription_is_every_event(client: TestClient, auth: dict[str, str]) -> None:
    hook = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/in"}, headers=auth
    ).json()
    assert hook["events"] == [e.value for e in WebhookEvent]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://portal.example/in"}, "url"),
        ({"url": "http://127.0.0.1:9/in", "events": ["edition.deleted"]}, "events[0]"),
        ({"url": "http://127.0.0.1:9/in", "events": []}, "events"),
        ({"events": ["edition.updated"]}, "url"),
    ],
)
def test_bad_registrations_are_422_naming_the_field(
    client: TestClient, auth: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post("/api/v1/webhooks", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["context"]["field"] == field
    assert client.get("/api/v1/webhooks", headers=auth).json()["items"] == []


def test_private_addresses_cannot_be_registered_under_the_default_policy(
    client: TestClient, auth: dict[str, str], integrations: Integrations
) -> None:
    integrations.limits = dataclasses.replace(integrations.limits, outbound=OutboundPolicy())
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://169.254.169.254/latest"}, headers=auth
    )
    assert response.status_code == 422
    assert "public internet address" in response.json()["error"]["message"]


def test_removing_stops_deliveries_and_keeps_the_log(
    client: TestClient, auth: dict[str, str], integrations: Integrations, site: Site
) -> None:
    with receiving(Receiver(statuses=[502])) as receiver:
        hook = client.post(
            "/api/v1/webhooks", json={"url": receiver.base_url + "/in"}, headers=auth
        ).json()
        integrations.outbox.emit(
            site_id=site.id, site=site.slug, event=WebhookEvent.FLAGGED, data={"n": 1}
        )
        with integrations.http_client(follow_redirects=False) as http:
            integrations.dispatcher(http).deliver_due()
        deliveries = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth)
        assert deliveries.status_code == 200
        (attempt,) = deliveries.json()["items"]
        assert attempt["status_code"] == 502
        assert attempt["event"] == "edition.flagged"
        assert attempt["event_status"] == "pending"  # it will be retried
        assert attempt["error"].startswith("HTTP 502")

        assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth).status_code == 204
        assert client.get("/api/v1/webhooks", headers=auth).json()["items"] == []
        log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()
        assert log["items"][0]["event_status"] == "failed"  # the retry will not happen


def test_the_delivery_log_pages_from_newest_to_oldest(
    client: TestClient, auth: dict[str, str], integrations: Integrations, site: Site
) -> None:
    with receiving(Receiver()) as receiver:
        hook = client.post(
            "/api/v1/webhooks", json={"url": receiver.base_url + "/in"}, headers=auth
        ).json()
        for n in range(3):
            integrations.outbox.emit(
                site_id=site.id, site=site.slug, event=WebhookEvent.UPDATED, data={"n": n}
            )
        with integrations.http_client(follow_redirects=False) as http:
            integrations.dispatcher(http).deliver_due()
    path = f"/api/v1/webhooks/{hook['id']}/deliveries"
    first = client.get(path, params={"limit": 2}, headers=auth).json()
    assert len(first["items"]) == 2
    rest = client.get(path, params={"limit": 2, "before": first["next_before"]}, headers=auth)
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_before"] is None
    ids = [d["id"] for d in first["items"] + rest.json()["items"]]
    assert ids == sorted(ids, reverse=True)
