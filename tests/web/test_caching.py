"""Pages are cached, validated over HTTP, and re-rendered when their article or edition changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import (
    SampleSite,
    draft_from,
    marker,
    sample_records,
    store_test_edition,
)

from warta.config import Settings
from warta.domain import EditionContent
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services
from warta.web.app import create_app
from warta.web.state import WebState


def stats(app: FastAPI) -> tuple[int, int]:
    state = app.state.web
    assert isinstance(state, WebState)
    s = state.cache.stats()
    return s.hits, s.misses


def h1(client: TestClient, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    node = LexborHTMLParser(response.text).css_first("h1")
    assert node is not None
    return node.text().strip()


def test_a_page_is_rendered_once_then_served_from_the_cache(
    app: FastAPI, client: TestClient, sample: SampleSite
) -> None:
    first = client.get("/en/")
    hits, misses = stats(app)
    second = client.get("/en/")
    assert stats(app) == (hits + 1, misses)
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == (
        "public, max-age=60, stale-while-revalidate=30, stale-if-error=86400"
    )
    assert second.headers["last-modified"].endswith(" GMT")


def test_conditional_requests_get_304(client: TestClient, sample: SampleSite) -> None:
    path = client.get(f"/fr/{sample.full.id}").headers["location"]
    page = client.get(path)
    not_modified = client.get(path, headers={"if-none-match": page.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == page.headers["etag"]
    since = client.get(path, headers={"if-modified-since": page.headers["last-modified"]})
    assert since.status_code == 304
    assert client.get(path, headers={"if-none-match": '"stale"'}).status_code == 200


def test_an_edition_that_arrives_replaces_the_pending_page(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    article = sample.pending
    path = f"/en/{article.id}"
    before = client.get(path, follow_redirects=True)
    assert "notice" in before.text
    etag = before.headers["etag"]
    front = client.get("/en/")
    store_test_edition(services.store, article, Lang.EN)
    after = client.get(path, follow_redirects=True)
    assert after.headers["etag"] != etag
    assert marker(Lang.EN) in h1(client, path)
    assert 'class="notice"' not in after.text
    # the lists that show it changed too
    assert client.get("/en/").content != front.content
    feed = client.get("/en/rss.xml").text
    assert f"/en/{article.id}-" in feed


def test_an_editor_correction_replaces_the_cached_translation(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    store = services.store
    revision = store.get_current_revision(sample.full.id)
    edition = store.get_edition(revision_id=revision.id, lang=Lang.JA)
    assert edition.content is not None
    path = client.get(f"/ja/{sample.full.id}").headers["location"]
    assert h1(client, path).startswith(marker(Lang.JA))
    corrected = replace(
        edition, content=replace(edition.content, title="[ja test edition] 編集者が直した見出し")
    )
    store.save_edition(corrected)
    assert h1(client, path) == "[ja test edition] 編集者が直した見出し"


def test_a_new_revision_replaces_the_page_and_its_slug(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    record = sample_records(1)[0]
    old_path = client.get(f"/id/{sample.full.id}").headers["location"]
    assert client.get(old_path).status_code == 200
    draft = replace(draft_from(record), title="Judul baru setelah penyuntingan redaksi")
    result = services.store.save_article(draft, targets=TARGET_LANGS)
    assert result.new_revision
    moved = client.get(old_path)
    assert moved.status_code == 301
    assert (
        moved.headers["location"] == f"/id/{sample.full.id}-judul-baru-setelah-penyuntingan-redaksi"
    )
    assert h1(client, moved.headers["location"]) == "Judul baru setelah penyuntingan redaksi"
    # the new revision's editions are pending: the English page is the new original, not stale
    english = client.get(f"/en/{sample.full.id}", follow_redirects=True)
    assert "Judul baru setelah penyuntingan redaksi" in english.text
    assert marker(Lang.EN) not in english.text


def test_an_edition_of_one_article_leaves_other_article_pages_cached(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    path = client.get(f"/fr/{sample.full.id}").headers["location"]
    client.get(path)
    store_test_edition(services.store, sample.pending, Lang.FR)
    hits, misses = stats(app)
    client.get(path)
    assert stats(app) == (hits + 1, misses)


def test_a_new_article_appears_on_the_front_page(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    record = sample_records(40)[39]
    assert str(record["title"])[:60] not in client.get("/id/").text
    services.store.save_article(draft_from(record), targets=TARGET_LANGS)
    assert str(record["title"])[:60] in client.get("/id/").text


def test_each_app_has_its_own_cache(services: Services, sample: SampleSite) -> None:
    one, two = create_app(services), create_app(services)
    with TestClient(one) as a, TestClient(two) as b:
        a.get("/id/")
        a.get("/id/")
        b.get("/id/")
    assert stats(one) == (1, 1)
    assert stats(two) == (0, 1)


def test_cache_lifetime_comes_from_settings(tmp_path: Path) -> None:
    services = build_services(Settings(home=tmp_path, page_cache_seconds=5))
    try:
        services.store.create_site(slug="demo", name="Demo")
        with TestClient(create_app(services)) as client:
            response = client.get("/id/")
        assert response.status_code == 200
        assert response.headers["cache-control"].startswith("public, max-age=5, ")
    finally:
        services.close()


def test_an_edition_without_content_is_never_published(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    store = services.store
    revision = store.get_current_revision(sample.failed.id)
    edition = store_test_edition(store, sample.failed, Lang.ZH)
    assert isinstance(edition.content, EditionContent)
    store.save_edition(replace(edition, content=None))  # translated, but nothing to show
    page = client.get(f"/zh/{sample.failed.id}", follow_redirects=True)
    assert 'class="notice"' in page.text
    assert revision.title[:40] in page.text
