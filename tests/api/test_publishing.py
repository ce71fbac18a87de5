"""The API's ``published`` is the site's: policies, approve and reject over the editor session,
the ``published`` list filter, admin-only policy changes, login limits per client address."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.integrations.fixtures import article_payload, translate_queued

from warta.domain import EditorRole, Site
from warta.integrations import Integrations
from warta.integrations.access import EditorAccounts, LoginThrottle
from warta.integrations.ratelimit import TokenBucketLimiter
from warta.services import Services

PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
EDITION = "/api/v1/editor/articles/berita-0/editions/en"
POLICIES = "/api/v1/editor/policies"


@pytest.fixture
def accounts(integrations: Integrations, site: Site) -> None:
    integrations.accounts.create(
        site=site.slug, email="boss@kabar.id", password=PASSWORD, role=EditorRole.ADMIN
    )
    integrations.accounts.create(site=site.slug, email="desk@kabar.id", password=PASSWORD)


@pytest.fixture
def translated(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    for n in (0, 1):
        response = client.post("/api/v1/articles", json=article_payload(n), headers=auth)
        assert response.status_code == 201
    translate_queued(services, integrations)


def _login(client: TestClient, email: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/editor/login", json={"site": "kabar", "email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def _api_published(client: TestClient, auth: dict[str, str], external_id: str) -> bool:
    response = client.get(f"/api/v1/articles/{external_id}/editions/en", headers=auth)
    assert response.status_code == 200
    published: bool = response.json()["published"]
    summary = client.get(f"/api/v1/articles/{external_id}", headers=auth).json()
    (en,) = [e for e in summary["editions"] if e["lang"] == "en"]
    assert en["published"] is published
    return bool(published)


def _site_published(client: TestClient, services: Services, external_id: str) -> bool:
    site = services.store.get_site("kabar")
    article = services.store.get_article(site_id=site.id, external_id=external_id)
    page = client.get(f"/en/{article.id}", follow_redirects=True)
    assert page.status_code == 200
    story = LexborHTMLParser(page.text).css_first("article.story")
    assert story is not None
    return bool(story.attributes.get("lang") == "en")


def _listed(client: TestClient, auth: dict[str, str], **query: str) -> list[str]:
    response = client.get("/api/v1/articles", params=query, headers=auth)
    assert response.status_code == 200, response.text
    return sorted(item["external_id"] for item in response.json()["items"])


def test_published_means_the_same_in_the_api_and_on_the_site_through_a_whole_review(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    accounts: None,
    translated: None,
) -> None:
    def agree(external_id: str) -> bool:
        api = _api_published(client, auth, external_id)
        assert _site_published(client, services, external_id) is api
        return api

    assert agree("berita-0")  # auto
    admin = _login(client, "boss@kabar.id")
    response = client.put(POLICIES, json={"lang": "en", "policy": "approval"}, headers=admin)
    assert response.status_code == 200, response.text
    assert {i["lang"]: i["policy"] for i in response.json()["items"]}["en"] == "approval"
    assert not agree("berita-0")
    assert _listed(client, auth, lang="en", published="false") == ["berita-0", "berita-1"]
    assert _listed(client, auth, lang="en", published="true") == []

    editor = _login(client, "desk@kabar.id")
    approved = client.post(EDITION + "/approve", headers=editor)
    assert approved.status_code == 200, approved.text
    assert approved.json()["published"] is True
    assert agree("berita-0")
    assert not agree("berita-1")
    assert _listed(client, auth, lang="en", published="true") == ["berita-0"]
    assert _listed(client, auth, lang="en", published="false") == ["berita-1"]

    rejected = client.post(EDITION + "/reject", json={"note": "nama menteri salah"}, headers=editor)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["published"] is False
    assert not agree("berita-0")
    assert _listed(client, auth, published="true") == ["berita-0", "berita-1"]  # other langs


def test_a_rejection_needs_a_note_and_the_csrf_token(
    client: TestClient, accounts: None, translated: None
) -> None:
    editor = _login(client, "desk@kabar.id")
    empty = client.post(EDITION + "/reject", json={"note": ""}, headers=editor)
    assert empty.status_code == 422
    assert empty.json()["error"]["context"]["field"] == "note"
    blank = client.post(EDITION + "/reject", json={"note": "   "}, headers=editor)
    assert blank.status_code == 422
    assert client.post(EDITION + "/reject", json={"note": "x"}).status_code == 403
    other = "/api/v1/editor/articles/tidak-ada/editions/en/reject"
    assert client.post(other, json={"note": "x"}, headers=editor).status_code == 404


def test_editors_read_the_policies_but_only_admins_change_them(
    client: TestClient, accounts: None
) -> None:
    editor = _login(client, "desk@kabar.id")
    listed = client.get(POLICIES)
    assert listed.status_code == 200
    assert listed.json()["items"] == [
        {"lang": lang, "policy": "auto"} for lang in ("en", "zh", "ja", "ar", "fr")
    ]
    refused = client.put(POLICIES, json={"policy": "clean"}, headers=editor)
    assert refused.status_code == 403
    assert "only an admin" in refused.json()["error"]["message"]
    assert all(i["policy"] == "auto" for i in client.get(POLICIES).json()["items"])

    admin = _login(client, "boss@kabar.id")
    every = client.put(POLICIES, json={"policy": "clean"}, headers=admin)
    assert every.status_code == 200
    assert all(i["policy"] == "clean" for i in every.json()["items"])
    for bad in ({"policy": "manual"}, {"lang": "id", "policy": "auto"}, {"policy": "auto", "x": 1}):
        assert client.put(POLICIES, json=bad, headers=admin).status_code == 422


def test_logins_from_one_address_are_limited_across_accounts(
    client: TestClient, integrations: Integrations, accounts: None
) -> None:
    """The per-address bucket (on a clock that stands still) is spent by any accounts' tries."""
    frozen = lambda: 0.0  # noqa: E731 -- a clock that stands still
    integrations.accounts = EditorAccounts(
        integrations.editors,
        session_seconds=3600.0,
        throttle=LoginThrottle(
            per_account=TokenBucketLimiter(rate=100.0, burst=100, clock=frozen),
            per_address=TokenBucketLimiter(rate=0.5, burst=3, clock=frozen),
        ),
    )
    statuses = [
        client.post(
            "/api/v1/editor/login",
            json={"site": "kabar", "email": f"tebak{n}@kabar.id", "password": "salah-sandi"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401] * 3
    limited = client.post(
        "/api/v1/editor/login",
        json={"site": "kabar", "email": "desk@kabar.id", "password": PASSWORD},
    )
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert "from this address" in limited.json()["error"]["message"]
