"""The issue's "done when": a portal POSTs an article with its key and receives a signed webhook
as each of its five editions is ready; another site's key is refused."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock
from tests.integrations.fixtures import article_payload, translate_queued
from tests.integrations.servers import Receiver, receiving

from warta.integrations import Integrations
from warta.integrations.signing import verify_signature
from warta.services import Services


def test_portal_posts_an_article_and_receives_five_signed_webhooks(
    client: TestClient,
    auth: dict[str, str],
    other_key: dict[str, str],
    services: Services,
    integrations: Integrations,
    clock: FakeClock,
) -> None:
    with receiving(Receiver()) as receiver:
        hook = client.post(
            "/api/v1/webhooks", json={"url": receiver.base_url + "/warta"}, headers=auth
        )
        assert hook.status_code == 201, hook.text
        secret = hook.json()["secret"]

        posted = client.post("/api/v1/articles", json=article_payload(3), headers=auth)
        assert posted.status_code == 201, posted.text
        assert posted.json()["queued"] == ["en", "zh", "ja", "ar", "fr"]

        translate_queued(services, integrations)
        with integrations.http_client(follow_redirects=False) as http:
            report = integrations.dispatcher(http).deliver_due()

    assert report.delivered == 10  # translated, then published (policy auto), per edition
    events = []
    for request in receiver.requests:
        assert request.path == "/warta"
        assert request.headers["content-type"] == "application/json"
        assert verify_signature(
            secret,
            request.body,
            request.headers["x-warta-signature"],
            now=clock.now.timestamp(),
        )
        event = json.loads(request.body)
        assert request.headers["x-warta-event"] == event["type"]
        assert event["type"] in ("edition.translated", "edition.published")
        assert request.headers["x-warta-delivery"] == event["id"]
        assert event["site"] == "kabar"
        assert event["data"]["article"] == {"external_id": "berita-3", "revision": 1}
        edition = event["data"]["edition"]
        assert edition["status"] == "translated"
        assert edition["body_html"].startswith("<p>[fake:" + edition["lang"] + "]")
        assert edition["published"] is True
        events.append((event["type"], edition["lang"]))
    assert sorted(events) == sorted(
        (kind, lang)
        for kind in ("edition.translated", "edition.published")
        for lang in ("ar", "en", "fr", "ja", "zh")
    )

    # The editions are readable with the key, and not with another site's key.
    edition = client.get("/api/v1/articles/berita-3/editions/ja", headers=auth)
    assert edition.status_code == 200
    assert edition.json()["provenance"]["engine"] == "fake"
    refused = client.get("/api/v1/articles/berita-3/editions/ja", headers=other_key)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
