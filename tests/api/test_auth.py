"""API keys: missing, malformed, unknown and revoked keys are refused; a key reaches its own site
only, for reading and for writing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.integrations.fixtures import article_payload

from warta.domain import Site
from warta.integrations import Integrations, credentials
from warta.services import Services

PATHS = [
    ("GET", "/api/v1/articles"),
    ("GET", "/api/v1/articles/berita-0"),
    ("GET", "/api/v1/articles/berita-0/editions/en"),
    ("POST", "/api/v1/articles/berita-0/retranslate"),
    ("GET", "/api/v1/webhooks"),
]


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header
        "Basic a2FiYXI6c2VjcmV0",  # another scheme
        "Bearer ",  # an empty key
        "Bearer not-a-warta-key",  # malformed
        "Bearer wrt_AAAAAAAA_" + "x" * 43,  # well-formed, unknown
    ],
)
@pytest.mark.parametrize(("method", "path"), PATHS)
def test_requests_without_a_valid_key_are_401_with_the_fix(
    client: TestClient, key: str, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "warta keys create" in error["hint"]


def test_a_key_that_differs_in_its_secret_part_is_refused(client: TestClient, key: str) -> None:
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    response = client.get("/api/v1/articles", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_a_revoked_key_is_refused_and_nothing_is_stored(
    client: TestClient,
    auth: dict[str, str],
    key: str,
    integrations: Integrations,
    services: Services,
) -> None:
    prefix = credentials.key_prefix(key)
    assert prefix is not None
    integrations.keys.revoke(prefix)
    response = client.post("/api/v1/articles", json=article_payload(0), headers=auth)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    assert services.store.list_articles() == []


def test_a_key_of_another_site_can_neither_read_nor_change_the_article(
    client: TestClient,
    auth: dict[str, str],
    other_key: dict[str, str],
    services: Services,
    site: Site,
    other_site: Site,
) -> None:
    assert client.post("/api/v1/articles", json=article_payload(0), headers=auth).status_code == 201
    for method, path in PATHS[1:4]:
        response = client.request(method, path, headers=other_key)
        assert response.status_code == 404, (method, path)
    listing = client.get("/api/v1/articles", headers=other_key).json()
    assert listing["items"] == []

    # The same external id written with the other key lands in the other site, never in ours.
    payload = article_payload(1)
    del payload["external_id"]
    written = client.put("/api/v1/articles/berita-0", json=payload, headers=other_key)
    assert written.status_code == 201
    assert written.json()["article"]["site"] == "warta-lain"
    ours = services.store.get_article(site_id=site.id, external_id="berita-0")
    assert services.store.get_current_revision(ours.id).title == article_payload(0)["title"]
    theirs = services.store.get_article(site_id=other_site.id, external_id="berita-0")
    assert theirs.id != ours.id


def test_a_key_of_another_site_cannot_see_or_remove_our_webhooks(
    client: TestClient, auth: dict[str, str], other_key: dict[str, str]
) -> None:
    hook = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/in"}, headers=auth
    ).json()
    path = f"/api/v1/webhooks/{hook['id']}"
    assert client.get(path, headers=other_key).status_code == 404
    assert client.get(path + "/deliveries", headers=other_key).status_code == 404
    assert client.delete(path, headers=other_key).status_code == 404
    assert client.get("/api/v1/webhooks", headers=other_key).json()["items"] == []
    assert client.get(path, headers=auth).json()["active"] is True


# --- failed authentications are limited per client address ---------------------------------


@pytest.fixture
def strict_client(services: Services, site: Site) -> Iterator[tuple[TestClient, str]]:
    """An app whose addresses may fail authentication 3 times (then 3 a minute), and a key."""
    from dataclasses import replace

    from tests.integrations.fixtures import TEST_LIMITS

    from warta.integrations import build_integrations
    from warta.web.app import create_app

    integrations = build_integrations(
        services, limits=replace(TEST_LIMITS, auth_failures_per_minute=3)
    )
    app = create_app(services)
    app.state.integrations = integrations
    key = integrations.authenticator.issue(site=site.slug)[1]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, key


def test_failed_key_checks_are_throttled_per_address_with_retry_after(
    strict_client: tuple[TestClient, str],
) -> None:
    client, key = strict_client
    bad = {"Authorization": "Bearer wrt_AAAAAAAA_" + "x" * 43}
    assert [client.get("/api/v1/articles", headers=bad).status_code for _ in range(3)] == [
        401,
        401,
        401,
    ]
    refused = client.get("/api/v1/articles", headers=bad)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "failed authentications" in refused.json()["error"]["message"]
    # the address is refused before its key is looked at, a good key included ...
    good = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/articles", headers=good).status_code == 429
    # ... and other addresses are not affected
    other = TestClient(client.app, client=("203.0.113.9", 4000), raise_server_exceptions=False)
    assert other.get("/api/v1/articles", headers=good).status_code == 200
    assert other.get("/api/v1/articles", headers=bad).status_code == 401


def test_successful_key_checks_do_not_count_against_the_address(
    strict_client: tuple[TestClient, str],
) -> None:
    client, key = strict_client
    good = {"Authorization": f"Bearer {key}"}
    assert {client.get("/api/v1/articles", headers=good).status_code for _ in range(10)} == {200}
    bad = {"Authorization": "Bearer wrt_AAAAAAAA_" + "x" * 43}
    assert client.get("/api/v1/articles", headers=bad).status_code == 401
