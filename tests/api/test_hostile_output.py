"""The hostile-input corpus, end to end, checked in every format a reader's software receives.

Each vector of tests/ingest/data/xss.txt goes in through the API in the title, lead, body,
category, author and tags of a real Indonesian article; the fake engine translates it into the
five editions; then every output is parsed with a real parser (tests/executable.py: html5lib,
feedparser with sanitising off, lxml) and must hold no executable markup: article pages with
their JSON-LD blocks, the front pages, the twelve RSS and Atom feeds, both sitemaps, and the
API's JSON (article, editions with segments, the list). Feeds show the newest 30 articles, so
the corpus goes in batches of 30 and all twelve feeds are read after each batch. Each article's
page and API edition are read in Indonesian and in one of the five translations, in turn (the
pages of all six languages are covered, and html5lib, pure Python, stays the main cost).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.executable import (
    executable_markup,
    feed_problems,
    json_html_problems,
    vectors,
    xml_problems,
)
from tests.integrations.fixtures import article_payload, indosum, translate_queued

from warta.integrations import Integrations
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services
from warta.web.publishing import FEED_SIZE

SITEMAP_NS = {
    "http://www.sitemaps.org/schemas/sitemap/0.9",
    "http://www.google.com/schemas/sitemap-news/0.9",
    "http://www.w3.org/1999/xhtml",  # xhtml:link hreflang alternates
}


@pytest.fixture
def backend() -> str:
    return "sqlite"  # what comes out does not depend on the database; keep it fast


def _payload(n: int, vector: str, *, when: datetime) -> dict[str, object]:
    paragraphs = indosum(0)["paragraphs"]
    return article_payload(
        0,
        external_id=f"hostile-{n}",
        title=f"{indosum(0)['title']} {vector}",
        lead=f"Ringkasan {vector}",
        body_html=f"<p>{paragraphs[0]}</p>{vector}<p>{paragraphs[1]}</p><p>{paragraphs[2]}</p>",
        category=f"nasional {vector}"[:200],
        author=f"Redaksi {vector}"[:200],
        tags=["nasional", vector[:100]],
        published_at=when.isoformat(),
    )


def test_no_corpus_vector_comes_out_executable_in_any_format(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    integrations: Integrations,
) -> None:
    corpus = vectors()
    assert len(corpus) >= 50
    start = datetime.now(UTC) - timedelta(hours=12)  # inside the news sitemap's two days
    problems: dict[str, list[str]] = {}
    stored = 0

    def check(where: str, found: list[str]) -> None:
        if found:
            problems[where] = found

    for batch in range(0, len(corpus), FEED_SIZE):
        ids: list[str] = []
        for n in range(batch, min(batch + FEED_SIZE, len(corpus))):
            payload = _payload(n, corpus[n], when=start + timedelta(seconds=n))
            response = client.post("/api/v1/articles", json=payload, headers=auth)
            assert response.status_code < 500, (corpus[n], response.text)
            if response.status_code in (200, 201):
                ids.append(str(payload["external_id"]))
        stored += len(ids)
        translate_queued(services, integrations)
        for external_id in ids:
            article = client.get(f"/api/v1/articles/{external_id}", headers=auth)
            check(f"{external_id} api article", json_html_problems(article.json()))
            article_id = services.store.get_article(site_id=1, external_id=external_id).id
            for lang in (Lang.ID, TARGET_LANGS[int(external_id.rsplit("-", 1)[1]) % 5]):
                if lang is not Lang.ID:
                    edition = client.get(
                        f"/api/v1/articles/{external_id}/editions/{lang.value}?segments=true",
                        headers=auth,
                    )
                    assert edition.status_code == 200, edition.text
                    check(f"{external_id} api {lang}", json_html_problems(edition.json()))
                page = client.get(f"/{lang.value}/{article_id}")
                assert page.status_code == 200, (external_id, lang, page.status_code)
                check(f"{external_id} /{lang.value}/", executable_markup(page.text, page=True))
        for lang in Lang:
            for kind in ("rss", "atom"):
                feed = client.get(f"/{lang.value}/{kind}.xml")
                assert feed.status_code == 200
                check(f"batch {batch} /{lang.value}/{kind}.xml", feed_problems(feed.content))
    assert stored > len(corpus) // 2  # most vectors are cleaned, not refused

    listing = client.get("/api/v1/articles", params={"limit": 200}, headers=auth)
    check("api list", json_html_problems(listing.json()))
    for lang in Lang:
        front = client.get(f"/{lang.value}/")
        check(f"/{lang.value}/ front", executable_markup(front.text, page=True))
    for path in ("/sitemap.xml", "/news-sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200
        check(path, xml_problems(response.content, namespaces=SITEMAP_NS))
    assert problems == {}
