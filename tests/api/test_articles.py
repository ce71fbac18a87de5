"""Create, upsert, read and list articles of the caller's site."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock, make_edition
from tests.integrations.fixtures import article_payload, translate_queued

from warta.domain import EditionStatus, Site
from warta.integrations import Integrations
from warta.languages import Lang
from warta.services import Services

TARGETS = ["en", "zh", "ja", "ar", "fr"]


def _post(client: TestClient, auth: dict[str, str], payload: dict[str, Any]) -> Any:
    return client.post("/api/v1/articles", json=payload, headers=auth)


def test_post_stores_the_article_and_queues_five_editions(
    client: TestClient, auth: dict[str, str], services: Services, site: Site
) -> None:
    response = _post(client, auth, article_payload(0, tags=["politik", "politik", "mpr"]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["new_revision"] is True
    assert body["queued"] == TARGETS
    article = body["article"]
    assert article["site"] == "kabar"
    assert article["external_id"] == "berita-0"
    assert article["revision"] == 1
    assert article["tags"] == ["politik", "mpr"]  # cleaned by the validator
    assert article["published_at"] == "2025-03-10T02:30:00Z"
    assert [e["lang"] for e in article["editions"]] == TARGETS
    assert {e["status"] for e in article["editions"]} == {"pending"}
    stored = services.store.get_article(site_id=site.id, external_id="berita-0")
    assert stored.author == "Redaksi"


def test_posting_the_same_article_again_is_harmless(
    client: TestClient, auth: dict[str, str], services: Services
) -> None:
    assert _post(client, auth, article_payload(0)).status_code == 201
    again = _post(client, auth, article_payload(0))
    assert again.status_code == 200
    assert again.json()["new_revision"] is False
    assert again.json()["queued"] == []
    assert sum(services.queue.counts().values()) == 5


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Judul lain untuk berita yang sama persis"},  # the text differs
        {"author": "Penulis Lain"},  # only metadata differs
    ],
)
def test_post_with_a_taken_id_and_other_content_is_409_and_changes_nothing(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    site: Site,
    change: dict[str, str],
) -> None:
    first = _post(client, auth, article_payload(0)).json()["article"]
    response = _post(client, auth, article_payload(0, **change))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["context"]["field"] == "external_id"
    assert "PUT /api/v1/articles/berita-0" in error["hint"]
    after = client.get("/api/v1/articles/berita-0", headers=auth).json()
    assert (after["title"], after["author"], after["revision"]) == (
        first["title"],
        first["author"],
        1,
    )


def test_put_is_an_idempotent_upsert_and_a_changed_text_requeues_the_editions(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    integrations: Integrations,
) -> None:
    payload = article_payload(1)
    del payload["external_id"]
    created = client.put("/api/v1/articles/cms-77", json=payload, headers=auth)
    assert created.status_code == 201, created.text
    translate_queued(services, integrations)

    same = client.put("/api/v1/articles/cms-77", json=payload, headers=auth)
    assert same.status_code == 200
    assert (same.json()["new_revision"], same.json()["queued"]) == (False, [])
    assert {e["status"] for e in same.json()["article"]["editions"]} == {"translated"}

    payload["body_html"] += (
        "<p>Pembaruan: pemerintah menanggapi usulan tersebut pada sore hari.</p>"
    )
    changed = client.put("/api/v1/articles/cms-77", json=payload, headers=auth)
    assert changed.status_code == 200
    body = changed.json()
    assert (body["new_revision"], body["queued"]) == (True, TARGETS)
    assert body["article"]["revision"] == 2
    assert {e["status"] for e in body["article"]["editions"]} == {"pending"}


def test_get_edition_gives_html_text_quality_and_provenance(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    _post(client, auth, article_payload(2))
    pending = client.get("/api/v1/articles/berita-2/editions/fr", headers=auth).json()
    assert (pending["status"], pending["body_html"], pending["text"]) == ("pending", None, None)
    translate_queued(services, integrations)
    edition = client.get("/api/v1/articles/berita-2/editions/fr?segments=true", headers=auth)
    assert edition.status_code == 200
    body = edition.json()
    assert body["status"] == "translated"
    assert body["revision"] == 1
    assert body["body_html"].startswith("<p>[fake:fr] ")
    assert "<" not in body["text"]
    assert body["text"].startswith("[fake:fr] ")
    assert body["provenance"]["engine"] == "fake"
    assert body["provenance"]["signature"].startswith("engine:fake|")
    assert body["segments"][0]["origin"] == "engine"
    assert body["published"] is True  # policy auto: translated = published, as on the site
    without = client.get("/api/v1/articles/berita-2/editions/fr", headers=auth).json()
    assert without["segments"] is None


def test_unknown_article_and_edition_language_are_4xx_naming_the_problem(
    client: TestClient, auth: dict[str, str]
) -> None:
    missing = client.get("/api/v1/articles/tidak-ada", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["context"]["external_id"] == "tidak-ada"
    _post(client, auth, article_payload(0))
    source = client.get("/api/v1/articles/berita-0/editions/id", headers=auth)
    assert source.status_code == 422
    assert source.json()["error"]["context"]["field"] == "lang"


def test_etag_answers_304_until_the_article_changes(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    _post(client, auth, article_payload(0))
    first = client.get("/api/v1/articles/berita-0", headers=auth)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    cached = client.get("/api/v1/articles/berita-0", headers={**auth, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    listing = client.get("/api/v1/articles", headers=auth)
    assert (
        client.get(
            "/api/v1/articles", headers={**auth, "If-None-Match": f"W/{listing.headers['etag']}"}
        ).status_code
        == 304
    )
    translate_queued(services, integrations)
    fresh = client.get("/api/v1/articles/berita-0", headers={**auth, "If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag


def test_list_gives_changes_since_a_time_in_pages(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    clock: FakeClock,
) -> None:
    for n in range(5):
        _post(client, auth, article_payload(n))
        clock.advance(60)
    since = clock.now.isoformat()
    clock.advance(60)
    # A translation of the oldest article is a change of it, too.
    oldest = services.store.get_article(site_id=1, external_id="berita-0")
    revision = services.store.get_current_revision(oldest.id)
    services.store.save_edition(make_edition(revision.id, Lang.EN))

    everything: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/articles", params=params, headers=auth).json()
        everything += [a["external_id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert everything == ["berita-1", "berita-2", "berita-3", "berita-4", "berita-0"]

    changed = client.get("/api/v1/articles", params={"since": since}, headers=auth).json()
    assert [a["external_id"] for a in changed["items"]] == ["berita-0"]
    assert changed["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "translated"}, ["berita-0"]),
        ({"status": "translated", "lang": "zh"}, []),
        ({"status": "pending", "lang": "en"}, ["berita-1"]),
        ({"category": "tajuk utama"}, ["berita-0"]),
    ],
)
def test_list_filters_by_edition_status_language_and_category(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    params: dict[str, str],
    expected: list[str],
) -> None:
    _post(client, auth, article_payload(0, category="tajuk utama"))
    _post(client, auth, article_payload(1, category="olahraga"))
    article = services.store.get_article(site_id=1, external_id="berita-0")
    revision = services.store.get_current_revision(article.id)
    services.store.save_edition(make_edition(revision.id, Lang.EN, status=EditionStatus.TRANSLATED))
    page = client.get("/api/v1/articles", params=params, headers=auth).json()
    assert [a["external_id"] for a in page["items"]] == expected


def test_a_cursor_that_was_not_given_out_is_refused_naming_the_field(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/articles", params={"cursor": "bukan-kursor"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["context"]["field"] == "cursor"


def test_retranslate_queues_the_current_revision_again(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    _post(client, auth, article_payload(0))
    translate_queued(services, integrations)
    response = client.post(
        "/api/v1/articles/berita-0/retranslate", json={"langs": ["ja", "ar"]}, headers=auth
    )
    assert response.status_code == 202
    assert [(j["lang"], j["status"]) for j in response.json()["queued"]] == [
        ("ja", "queued"),
        ("ar", "queued"),
    ]
    everything = client.post("/api/v1/articles/berita-0/retranslate", headers=auth)
    assert [j["lang"] for j in everything.json()["queued"]] == TARGETS
