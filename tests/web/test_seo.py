"""What search engines read: hreflang, canonical, JSON-LD, Open Graph, sitemaps, feeds."""

from __future__ import annotations

import json

import feedparser
import pytest
from lxml import etree  # type: ignore[import-untyped]
from selectolax.lexbor import LexborHTMLParser
from tests.web.conftest import LiveSite
from tests.web.sitedata import marker
from tests.web.test_pages import article_page, canonical_path

from warta.languages import TARGET_LANGS, Lang
from warta.web.i18n import DISCLAIMER, load_catalogues
from warta.web.locales import LOCALES, SITE_LANGS

BASE = "http://testserver"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}
T = load_catalogues()


def alternates(doc: LexborHTMLParser) -> dict[str, str]:
    return {
        str(link.attributes["hreflang"]): str(link.attributes["href"])
        for link in doc.css('head link[rel="alternate"][hreflang]')
    }


def json_ld(doc: LexborHTMLParser) -> dict[str, object]:
    scripts = doc.css('script[type="application/ld+json"]')
    assert len(scripts) == 1
    data = json.loads(scripts[0].text())
    assert isinstance(data, dict)
    return data


def og(doc: LexborHTMLParser) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in doc.css("meta[property]"):
        found.setdefault(str(meta.attributes["property"]), []).append(
            str(meta.attributes["content"])
        )
    return found


def test_every_published_edition_is_an_alternate_plus_x_default(site: LiveSite) -> None:
    full = site.sample.full
    urls = {LOCALES[lang].html_lang: BASE + canonical_path(site, lang, full) for lang in SITE_LANGS}
    for lang in SITE_LANGS:
        doc = article_page(site, lang, full)
        assert alternates(doc) == {**urls, "x-default": urls["id"]}
        canonical = doc.css_first('link[rel="canonical"]')
        assert canonical is not None
        assert canonical.attributes["href"] == urls[LOCALES[lang].html_lang]


def test_unpublished_editions_are_not_alternates(site: LiveSite) -> None:
    review = site.sample.review
    doc = article_page(site, Lang.EN, review)
    assert set(alternates(doc)) == {"id", "en", "fr", "x-default"}
    assert alternates(article_page(site, Lang.ID, site.sample.pending)) == {
        "id": BASE + canonical_path(site, Lang.ID, site.sample.pending),
        "x-default": BASE + canonical_path(site, Lang.ID, site.sample.pending),
    }


def test_list_pages_exist_in_all_six_languages(site: LiveSite) -> None:
    doc = site.html("/ja/sports/".replace("sports", "olahraga"))
    assert alternates(doc) == {
        "id": f"{BASE}/id/olahraga/",
        "en": f"{BASE}/en/sports/",
        "zh-Hans": f"{BASE}/zh/olahraga/",
        "ja": f"{BASE}/ja/olahraga/",
        "ar": f"{BASE}/ar/olahraga/",
        "fr": f"{BASE}/fr/sport/",
        "x-default": f"{BASE}/id/olahraga/",
    }


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_json_ld_of_a_translation_points_to_the_indonesian_article(
    site: LiveSite, lang: Lang
) -> None:
    full = site.sample.full
    data = json_ld(article_page(site, lang, full))
    original = BASE + canonical_path(site, Lang.ID, full)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["inLanguage"] == LOCALES[lang].html_lang
    assert data["url"] == BASE + canonical_path(site, lang, full)
    assert str(data["headline"]).startswith(marker(lang))
    assert data["isBasedOn"] == original
    work = data["translationOfWork"]
    assert isinstance(work, dict)
    assert work["@id"] == original
    assert work["inLanguage"] == "id"
    assert data["translator"] == {
        "@type": "SoftwareApplication",
        "name": f"test (test-edition-id-{lang.value})",
    }
    assert data["articleSection"] == T[lang].category("tajuk utama")
    assert str(data["datePublished"]).startswith("2017-03-28T04:15:36")


def test_json_ld_of_the_indonesian_article_lists_its_translations(site: LiveSite) -> None:
    data = json_ld(article_page(site, Lang.ID, site.sample.review))
    assert data["inLanguage"] == "id"
    assert "translationOfWork" not in data
    assert data["workTranslation"] == [
        {
            "@type": "NewsArticle",
            "@id": BASE + canonical_path(site, lang, site.sample.review),
            "url": BASE + canonical_path(site, lang, site.sample.review),
            "inLanguage": lang.value,
        }
        for lang in (Lang.EN, Lang.FR)
    ]


def test_a_pending_page_describes_the_indonesian_original(site: LiveSite) -> None:
    doc = article_page(site, Lang.JA, site.sample.pending)
    data = json_ld(doc)
    assert data["inLanguage"] == "id"
    assert data["url"] == BASE + canonical_path(site, Lang.ID, site.sample.pending)
    assert og(doc)["og:locale"] == ["id_ID"]
    assert "og:locale:alternate" not in og(doc)


def test_json_ld_cannot_break_out_of_its_script(site: LiveSite) -> None:
    from warta.web.seo import json_ld as encode

    encoded = str(encode({"headline": "</script><script>alert(1)</script> & \u2028"}))
    assert "</script>" not in encoded
    assert "<" not in encoded
    assert "&" not in encoded
    assert json.loads(encoded)["headline"] == "</script><script>alert(1)</script> & \u2028"


def test_open_graph_tags(site: LiveSite) -> None:
    doc = article_page(site, Lang.FR, site.sample.review)
    tags = og(doc)
    assert tags["og:type"] == ["article"]
    assert tags["og:locale"] == ["fr_FR"]
    assert sorted(tags["og:locale:alternate"]) == ["en_US", "id_ID"]
    assert tags["og:url"] == [BASE + canonical_path(site, Lang.FR, site.sample.review)]
    assert tags["og:title"][0].startswith(f"SPANYOL – {marker(Lang.FR)}")  # dateline kept
    assert tags["og:site_name"] == ["Warta Demo"]
    assert tags["article:section"] == ["Sport"]
    assert tags["og:description"][0]


def sitemap_urls(site: LiveSite) -> dict[str, list[tuple[str, str]]]:
    response = site.client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS['s']}}}urlset"
    found = {}
    for url in root.findall("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc is not None
        assert url.findtext("s:lastmod", namespaces=NS)
        found[loc] = [
            (link.get("hreflang"), link.get("href")) for link in url.findall("xhtml:link", NS)
        ]
    return found


def test_sitemap_lists_published_editions_with_their_alternates(site: LiveSite) -> None:
    urls = sitemap_urls(site)
    full = {lang: BASE + canonical_path(site, lang, site.sample.full) for lang in SITE_LANGS}
    for url in full.values():
        assert dict(urls[url]) == {
            **{LOCALES[lang].html_lang: u for lang, u in full.items()},
            "x-default": full[Lang.ID],
        }
    review = {lang: BASE + canonical_path(site, lang, site.sample.review) for lang in SITE_LANGS}
    assert review[Lang.EN] in urls
    assert review[Lang.FR] in urls
    for lang in (Lang.ZH, Lang.JA, Lang.AR):
        assert review[lang] not in urls
    pending = {lang: BASE + canonical_path(site, lang, site.sample.pending) for lang in SITE_LANGS}
    assert urls[pending[Lang.ID]] == []  # only one language: no alternates to list
    assert all(pending[lang] not in urls for lang in TARGET_LANGS)
    assert f"{BASE}/ar/" in urls
    assert f"{BASE}/fr/sport/" in urls
    # every article URL listed answers 200
    for url in list(urls)[:40]:
        assert site.client.get(url.removeprefix(BASE)).status_code == 200


def test_news_sitemap_lists_recent_articles_in_their_languages(site: LiveSite) -> None:
    response = site.client.get("/news-sitemap.xml")
    root = etree.fromstring(response.content)
    entries = {
        url.findtext("s:loc", namespaces=NS): (
            url.findtext("news:news/news:publication/news:language", namespaces=NS),
            url.findtext("news:news/news:title", namespaces=NS),
        )
        for url in root.findall("s:url", NS)
    }
    recent = site.sample.recent
    assert set(entries) == {
        BASE + canonical_path(site, Lang.ID, recent),
        BASE + canonical_path(site, Lang.EN, recent),
    }
    language, title = entries[BASE + canonical_path(site, Lang.EN, recent)]
    assert language == "en"
    assert title is not None
    assert title.startswith(marker(Lang.EN))


def test_robots_txt_names_the_sitemaps(site: LiveSite) -> None:
    text = site.client.get("/robots.txt").text
    assert f"Sitemap: {BASE}/sitemap.xml" in text
    assert f"Sitemap: {BASE}/news-sitemap.xml" in text


@pytest.mark.parametrize("lang", SITE_LANGS)
def test_rss_feeds_parse_and_list_only_translations(site: LiveSite, lang: Lang) -> None:
    response = site.client.get(f"/{lang.value}/rss.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.findtext("channel/language") == LOCALES[lang].news_lang
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    published = {
        Lang.ID: len(site.sample.articles),
        Lang.EN: 3,  # full, review (needs review), recent
        Lang.FR: 2,  # full, review
    }.get(lang, 1)
    assert len(titles) == published
    if lang is not Lang.ID:
        assert all(marker(lang) in t for t in titles)
        assert all(T[lang].gettext(DISCLAIMER) in e.description for e in parsed.entries)


def test_atom_feed_links_each_translation_to_its_original(site: LiveSite) -> None:
    response = site.client.get("/ar/atom.xml")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    entries = root.findall("atom:entry", NS)
    assert len(entries) == 1
    related = entries[0].find('atom:link[@rel="related"]', NS)
    assert related is not None
    assert related.get("href") == BASE + canonical_path(site, Lang.ID, site.sample.full)
    assert related.get("hreflang") == "id"
    content = entries[0].findtext("atom:content", namespaces=NS)
    assert content is not None
    assert T[Lang.AR].gettext(DISCLAIMER) in content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    assert parsed.feed.language == "ar"
    assert parsed.entries[0].link == BASE + canonical_path(site, Lang.AR, site.sample.full)
