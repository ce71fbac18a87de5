"""One installation, several sites: the Host header chooses, the default site answers the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import SampleSite, draft_from, populate, sample_records

from warta.config import Settings
from warta.domain import Article
from warta.languages import TARGET_LANGS
from warta.services import Services, build_services
from warta.web.app import create_app
from warta.web.state import SiteResolver


@pytest.fixture
def two_sites(tmp_path: Path) -> Iterator[tuple[Services, SampleSite, Article]]:
    settings = Settings(home=tmp_path, site_hosts={"kabar.example": "kabar", "KABAR.test": "kabar"})
    services = build_services(settings)
    try:
        sample = populate(services)
        services.store.create_site(slug="kabar", name="Kabar Nusantara")
        draft = replace(draft_from(sample_records(30)[29]), site="kabar")
        kabar = services.store.save_article(draft, targets=TARGET_LANGS).article
        yield services, sample, kabar
    finally:
        services.close()


def brand(response_text: str) -> str:
    node = LexborHTMLParser(response_text).css_first(".brand")
    assert node is not None
    return node.text().strip()


def test_the_host_header_chooses_the_site(two_sites: tuple[Services, SampleSite, Article]) -> None:
    services, sample, kabar = two_sites
    with TestClient(create_app(services), follow_redirects=False) as client:
        default = client.get("/id/")
        other = client.get("/id/", headers={"host": "kabar.example:8443"})
        assert brand(default.text) == "Warta Demo"
        assert brand(other.text) == "Kabar Nusantara"
        assert f"/id/{kabar.id}-" in other.text
        assert f"/id/{kabar.id}-" not in default.text
        assert client.get(f"/id/{kabar.id}", headers={"host": "kabar.example"}).status_code == 301
        # an article belongs to its site only
        assert client.get(f"/id/{kabar.id}").status_code == 404
        assert (
            client.get(f"/id/{sample.full.id}", headers={"host": "kabar.example"}).status_code
            == 404
        )
        # absolute URLs name the host asked for
        sitemap = client.get("/sitemap.xml", headers={"host": "kabar.example"}).text
        assert "http://kabar.example/id/" in sitemap
        assert "testserver" not in sitemap


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("kabar.example", "kabar"),
        ("KABAR.EXAMPLE:80", "kabar"),
        ("kabar.test", "kabar"),
        ("www.kabar.example", "demo"),
        ("[::1]:8000", "demo"),
        ("", "demo"),
        (None, "demo"),
    ],
)
def test_host_names_are_matched_without_port_or_case(
    two_sites: tuple[Services, SampleSite, Article], host: str | None, slug: str
) -> None:
    services, _, _ = two_sites
    assert SiteResolver(services=services).slug_for(host) == slug


def test_a_missing_site_answers_404_pages_not_errors(tmp_path: Path) -> None:
    services = build_services(Settings(home=tmp_path, default_site="nowhere"))
    try:
        with TestClient(create_app(services)) as client:
            for path in ("/id/", "/en/rss.xml", "/sitemap.xml", "/fr/1-x"):
                response = client.get(path)
                assert response.status_code == 404, path
                assert response.headers["content-type"].startswith("text/html")
            assert "Page introuvable" in client.get("/fr/").text
    finally:
        services.close()


def test_an_empty_site_has_a_front_page(tmp_path: Path) -> None:
    services = build_services(Settings(home=tmp_path))
    try:
        services.store.create_site(slug="demo", name="Warta Demo")
        with TestClient(create_app(services)) as client:
            page = client.get("/ja/")
            assert page.status_code == 200
            assert "まだ記事はありません。" in page.text
            assert client.get("/ja/rss.xml").status_code == 200
    finally:
        services.close()


def test_a_configured_public_url_makes_absolute_links_whatever_the_host_header(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, public_urls={"demo": "https://berita.example/"})
    services = build_services(settings)
    try:
        sample = populate(services)
        with TestClient(create_app(services), follow_redirects=False) as client:
            for host in ("attacker.example", "127.0.0.1:8000"):
                page = client.get(f"/en/{sample.full.id}-", headers={"host": host})
                if page.status_code == 301:
                    page = client.get(page.headers["location"], headers={"host": host})
                doc = LexborHTMLParser(page.text)
                canonical = doc.css_first('link[rel="canonical"]')
                assert canonical is not None
                assert str(canonical.attributes["href"]).startswith("https://berita.example/en/")
                alternates = doc.css('link[rel="alternate"][hreflang]')
                assert alternates
                assert all(
                    str(a.attributes["href"]).startswith("https://berita.example/")
                    for a in alternates
                )
                sitemap = client.get("/sitemap.xml", headers={"host": host}).text
                assert "https://berita.example/id/" in sitemap
                assert host not in sitemap
                robots = client.get("/robots.txt", headers={"host": host}).text
                assert "Sitemap: https://berita.example/sitemap.xml" in robots
    finally:
        services.close()


@pytest.mark.parametrize(
    "url", ["berita.example", "https://berita.example/news", "ftp://berita.example", "https://"]
)
def test_a_public_url_that_is_not_a_base_url_is_refused_with_the_fix(url: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="give scheme and host only"):
        Settings(public_urls={"demo": url})
