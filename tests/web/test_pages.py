"""The reader's pages over HTTP: languages, articles, pending editions, switcher, bad input."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser, LexborNode
from tests.web.conftest import LiveSite
from tests.web.sitedata import SampleSite, draft_from, marker, populate, sample_records

from warta.config import Settings
from warta.domain import Article
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services
from warta.web.app import create_app
from warta.web.i18n import DISCLAIMER, ORIGINAL_LINK, load_catalogues
from warta.web.locales import LOCALES, SITE_LANGS

T = load_catalogues()


def canonical_path(site: LiveSite, lang: Lang, article: Article) -> str:
    response = site.client.get(f"/{lang.value}/{article.id}")
    assert response.status_code == 301
    return str(response.headers["location"])


def article_page(site: LiveSite, lang: Lang, article: Article) -> LexborHTMLParser:
    return site.html(canonical_path(site, lang, article))


def attr(doc: LexborHTMLParser | LexborNode, selector: str, name: str) -> str | None:
    node = doc.css_first(selector)
    assert node is not None, selector
    return node.attributes.get(name)


def text(doc: LexborHTMLParser, selector: str) -> str:
    node = doc.css_first(selector)
    assert node is not None, selector
    return " ".join(node.text().split())


@pytest.mark.parametrize(
    ("accept", "location"),
    [(None, "/id/"), ("fr-FR,fr;q=0.9", "/fr/"), ("ar", "/ar/"), ("de", "/id/"), ("zh-CN", "/zh/")],
)
def test_root_chooses_the_front_page_by_accept_language(
    site: LiveSite, accept: str | None, location: str
) -> None:
    headers = {"accept-language": accept} if accept else {}
    response = site.client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["location"] == location
    assert response.headers["vary"] == "Accept-Language, Host"  # Host: warta.web.hosts


@pytest.mark.parametrize("lang", SITE_LANGS)
def test_front_page_in_each_language(site: LiveSite, lang: Lang) -> None:
    doc = site.html(f"/{lang.value}/")
    loc = LOCALES[lang]
    assert attr(doc, "html", "lang") == loc.html_lang
    assert attr(doc, "html", "dir") == ("rtl" if lang is Lang.AR else "ltr")
    assert text(doc, "#latest-heading") == T[lang].gettext("Latest news")
    menu = [a.text() for a in doc.css("nav.sections a")]
    assert T[lang].category("olahraga") in menu
    assert T[lang].category("tajuk utama") in menu
    switcher = doc.css("nav.languages a")
    assert [a.attributes["href"] for a in switcher] == [f"/{code.value}/" for code in SITE_LANGS]
    current = [a for a in switcher if a.attributes.get("aria-current") == "page"]
    assert [a.attributes["lang"] for a in current] == [loc.html_lang]
    disclaimer = doc.css_first("aside.disclaimer")
    if lang is Lang.ID:
        assert disclaimer is None
    else:
        assert disclaimer is not None
        assert T[lang].gettext(DISCLAIMER) in disclaimer.text()
        assert attr(doc, "aside.disclaimer a", "href") == "/id/"


def test_front_page_marks_articles_still_in_indonesian(site: LiveSite) -> None:
    doc = site.html("/en/")
    titles = {attr(h, "a", "href"): h for h in doc.css(".teaser-title")}
    full = canonical_path(site, Lang.EN, site.sample.full)
    pending = canonical_path(site, Lang.EN, site.sample.pending)
    assert titles[full].attributes["lang"] == "en"
    assert titles[full].text().startswith(marker(Lang.EN))
    assert titles[pending].attributes["lang"] == "id"
    badges = [b.text() for b in doc.css(".badge")]
    assert T[Lang.EN].gettext("Indonesian original: translation pending") in badges


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_translated_article_carries_the_disclaimer_in_its_language(
    site: LiveSite, lang: Lang
) -> None:
    doc = article_page(site, lang, site.sample.full)
    assert attr(doc, "html", "lang") == LOCALES[lang].html_lang
    assert attr(doc, "article.story", "lang") == LOCALES[lang].html_lang
    assert text(doc, "article.story h1").startswith(marker(lang))
    assert T[lang].gettext(DISCLAIMER) in text(doc, "aside.disclaimer")
    original = canonical_path(site, Lang.ID, site.sample.full)
    links = doc.css("aside.disclaimer a")
    assert [a.attributes["href"] for a in links] == [original]
    assert links[0].text() == T[lang].gettext(ORIGINAL_LINK)
    assert links[0].attributes["hreflang"] == "id"
    indonesian = site.html(original)
    assert attr(indonesian, "html", "lang") == "id"
    assert indonesian.css_first("aside.disclaimer") is None
    assert doc.css_first(".notice") is None


@pytest.mark.parametrize(
    ("lang", "which"),
    [(Lang.AR, "pending"), (Lang.JA, "pending"), (Lang.FR, "failed"), (Lang.ZH, "review")],
)
def test_unpublished_edition_shows_the_indonesian_original_with_a_notice(
    site: LiveSite, lang: Lang, which: str
) -> None:
    article: Article = getattr(site.sample, which)
    doc = article_page(site, lang, article)
    revision = site.services.store.get_current_revision(article.id)
    assert attr(doc, "html", "lang") == LOCALES[lang].html_lang
    assert attr(doc, "html", "dir") == LOCALES[lang].dir
    assert attr(doc, "article.story", "lang") == "id"
    assert attr(doc, "article.story", "dir") == "ltr"
    assert text(doc, "article.story h1") == " ".join(revision.title.split())
    assert T[lang].gettext("Translation pending") in text(doc, ".notice")
    assert doc.css_first("aside.disclaimer") is None
    assert doc.css(".story-body p"), "never an empty page"
    # not advertised as a translation
    assert attr(doc, 'link[rel="canonical"]', "href") == "http://testserver" + canonical_path(
        site, Lang.ID, article
    )
    assert doc.css('link[rel="alternate"][hreflang]') == []
    assert attr(doc, 'meta[name="robots"]', "content") == "noindex, follow"


def test_switcher_links_the_same_article_in_every_language(site: LiveSite) -> None:
    for lang in SITE_LANGS:
        doc = article_page(site, lang, site.sample.review)
        links = doc.css("nav.languages a")
        assert [a.attributes["href"] for a in links] == [
            canonical_path(site, code, site.sample.review) for code in SITE_LANGS
        ]
        pending = {a.attributes["lang"] for a in links if a.attributes.get("rel") == "nofollow"}
        assert pending == {"zh-Hans", "ja", "ar"}  # review: only en (needs review) and fr published
        assert [a.attributes["lang"] for a in links if a.attributes.get("aria-current")] == [
            LOCALES[lang].html_lang
        ]


def test_slugs_are_readable_per_language(site: LiveSite) -> None:
    full = site.sample.full
    paths = {lang: canonical_path(site, lang, full) for lang in SITE_LANGS}
    indonesian_slug = paths[Lang.ID].split("-", 1)[1]
    assert indonesian_slug.startswith("ketua-mpr-zulkifli-hasan")
    assert paths[Lang.EN].startswith(f"/en/{full.id}-en-test-edition-")
    assert paths[Lang.FR].startswith(f"/fr/{full.id}-fr-test-edition-")
    for lang in (Lang.ZH, Lang.JA, Lang.AR):
        assert paths[lang] == f"/{lang.value}/{full.id}-{indonesian_slug}"
    # an English edition not translated yet keeps the Indonesian slug
    assert (
        canonical_path(site, Lang.EN, site.sample.pending).split("-", 1)[1]
        == (canonical_path(site, Lang.ID, site.sample.pending).split("-", 1)[1])
    )


def test_a_wrong_slug_is_redirected_without_reading_segments_or_building_the_page(
    services: Services, sample: SampleSite, client: TestClient
) -> None:
    from sqlalchemy import event

    canonical = client.get(f"/en/{sample.full.id}").headers["location"]
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(services.db, "before_cursor_execute", record)
    try:
        response = client.get(f"/en/{sample.full.id}-wrong-slug")
        redirect = list(statements)
        statements.clear()
        assert client.get(canonical).status_code == 200  # not cached yet: built now
        page = list(statements)
    finally:
        event.remove(services.db, "before_cursor_execute", record)
    assert response.status_code == 301
    assert response.headers["location"] == canonical
    assert not [q for q in redirect if "edition_segments.target_html" in q]
    # building the page reads them (so the check above can fail)
    assert [q for q in page if "edition_segments.target_html" in q]


@pytest.mark.parametrize("suffix", ["", "-", "-wrong-slug", "-ketua-mpr", "/"])
def test_a_wrong_or_missing_slug_redirects_to_the_canonical_url(
    site: LiveSite, suffix: str
) -> None:
    canonical = canonical_path(site, Lang.JA, site.sample.full)
    response = site.client.get(f"/ja/{site.sample.full.id}{suffix}")
    assert response.status_code == 301
    location = response.headers["location"]
    if suffix == "/":
        assert location == f"/ja/{site.sample.full.id}"
    else:
        assert location == canonical
    assert site.client.get(canonical).status_code == 200


@pytest.mark.parametrize(
    ("path", "accept", "lang"),
    [
        ("/de/", None, Lang.ID),  # unknown language code: the reader's language...
        ("/de/12-slug", "fr-FR,fr", Lang.FR),  # ...by Accept-Language
        ("/EN/", "ja", Lang.JA),
        ("/en/999999-no-such-article", None, Lang.EN),
        ("/ar/999999", None, Lang.AR),
        ("/zh/" + "9" * 30 + "-too-long-for-an-id", None, Lang.ZH),
        ("/fr/rubrique-inconnue/", None, Lang.FR),
        ("/ja/12-slug/extra/segments", None, Lang.JA),
        ("/en/%00%ff", None, Lang.EN),
        ("/en/Sports/", None, Lang.EN),
        ("/en/sports/?page=0", None, Lang.EN),
        ("/en/sports/?page=abc", None, Lang.EN),
        ("/en/sports/?page=99", None, Lang.EN),  # past the last page
        ("/en/sports/?page=１", None, Lang.EN),  # fullwidth digit
        ("/no/such/page/at/all", "ar", Lang.AR),
        ("/static/missing.css", "en", Lang.EN),
    ],
)
def test_bad_input_answers_a_404_page_in_the_requested_language(
    site: LiveSite, path: str, accept: str | None, lang: Lang
) -> None:
    headers = {"accept-language": accept} if accept else {}
    response = site.client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    doc = LexborHTMLParser(response.text)
    assert attr(doc, "html", "lang") == LOCALES[lang].html_lang
    assert text(doc, "h1") == T[lang].gettext("Page not found")
    assert "Traceback" not in response.text


def test_the_api_keeps_its_json_errors(site: LiveSite) -> None:
    response = site.client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    unauthenticated = site.client.get("/api/v1/status")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["code"] == "unauthenticated"


def test_an_article_of_another_site_is_not_found(site: LiveSite) -> None:
    store = site.services.store
    store.create_site(slug="lain", name="Situs Lain")
    draft = replace(draft_from(sample_records(20)[19]), site="lain")
    saved = store.save_article(draft, targets=TARGET_LANGS)
    response = site.client.get(f"/id/{saved.article.id}")
    assert response.status_code == 404
    assert saved.article.site_id != site.sample.site.id


def test_category_pages_use_labels_and_slugs_of_the_language(site: LiveSite) -> None:
    doc = site.html("/en/sports/")
    assert text(doc, "h1") == "Sports"
    sports = [a for a in site.sample.articles if a.category == "olahraga"]
    assert len(doc.css(".teaser")) == len(sports)
    assert attr(doc, 'nav.sections a[aria-current="page"]', "href") == "/en/sports/"
    assert site.client.get("/en/olahraga/").headers["location"] == "/en/sports/"
    assert site.client.get("/fr/olahraga/?page=1").headers["location"] == "/fr/sport/"
    assert text(site.html("/zh/olahraga/"), "h1") == "体育"
    assert text(site.html("/ar/teknologi/"), "h1") == "تكنولوجيا"
    assert site.client.get("/en/sports").headers["location"] == "/en/sports/"


def test_doubtful_sentences_are_marked_for_readers(site: LiveSite) -> None:
    doc = article_page(site, Lang.EN, site.sample.review)
    spans = doc.css(".story-body span.doubtful")
    inner = [(s.html or "").split(">", 1)[1].rsplit("<", 1)[0] for s in spans]
    assert inner == list(site.sample.flagged)
    title = T[Lang.EN].gettext(
        "This sentence was flagged by automatic quality checks and may be inaccurate."
    )
    assert {s.attributes["title"] for s in spans} == {title}
    assert text(doc, ".doubt-legend").startswith("2 sentences")
    # French of the same article is translated without doubt: nothing marked
    assert article_page(site, Lang.FR, site.sample.review).css("span.doubtful") == []


def test_marking_doubtful_sentences_can_be_switched_off(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = Settings(home=tmp_path_factory.mktemp("nomark"), mark_doubtful_segments=False)
    services = build_services(settings)
    try:
        sample = populate(services)
        with TestClient(create_app(services)) as client:
            page = client.get(f"/en/{sample.review.id}")
            assert page.status_code == 200
            doc = LexborHTMLParser(page.text)
            assert doc.css("span.doubtful") == []
            assert doc.css_first(".doubt-legend") is None
            assert doc.css_first("aside.disclaimer") is not None
    finally:
        services.close()


def test_dates_are_localised(site: LiveSite) -> None:
    # sample.full was published 2017-03-28 04:15:36 UTC, 11:15 in Jakarta
    assert text(article_page(site, Lang.AR, site.sample.full), "time").startswith("28 مارس 2017")
    assert text(article_page(site, Lang.ZH, site.sample.full), "time").startswith("2017年3月28日")
    assert text(article_page(site, Lang.FR, site.sample.full), "time") == "28 mars 2017, 11:15"
    assert text(article_page(site, Lang.ID, site.sample.full), "time").startswith("28 Maret 2017")


def test_static_files_and_health(site: LiveSite) -> None:
    doc = site.html("/id/")
    css = attr(doc, 'link[rel="stylesheet"]', "href")
    assert css is not None
    response = site.client.get(css)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":lang(ar)" in response.text
    assert site.client.get("/healthz").json()["status"] == "ok"


def test_head_requests_are_answered_without_a_body(site: LiveSite) -> None:
    response = site.client.head("/fr/")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"]
