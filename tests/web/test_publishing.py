"""The site under each publishing policy: a held edition is shown exactly like a pending one and
is absent from hreflang, sitemaps and feeds; approving it makes it appear at once (the page cache
follows). The same rule as the API's and the webhooks' (warta.publishing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import feedparser
import pytest
import sqlalchemy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import SampleSite, marker

from warta.domain import Article, PublishingPolicy
from warta.languages import Lang
from warta.services import Services
from warta.store.approvals import ApprovalStore
from warta.store.policies import PolicyStore
from warta.web.i18n import load_catalogues
from warta.web.state import WebState

T = load_catalogues()
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
EN, FR = Lang.EN, Lang.FR


def _page(client: TestClient, lang: Lang, article: Article) -> LexborHTMLParser:
    response = client.get(f"/{lang.value}/{article.id}", follow_redirects=True)
    assert response.status_code == 200
    return LexborHTMLParser(response.text)


def _shown_as_translation(client: TestClient, lang: Lang, article: Article) -> bool:
    doc = _page(client, lang, article)
    story = doc.css_first("article.story")
    assert story is not None
    translated = story.attributes.get("lang") != "id"
    notice = doc.css_first(".notice")
    robots = doc.css_first('meta[name="robots"]')
    # a held page is exactly a pending page: Indonesian, the notice, noindex
    assert (notice is None) is translated
    assert (robots is None) is translated
    if not translated:
        assert notice is not None
        assert T[lang].gettext("Translation pending") in notice.text()
        assert robots is not None
        assert robots.attributes["content"] == "noindex, follow"
    return translated


def _hreflangs(client: TestClient, article: Article) -> set[str]:
    doc = _page(client, Lang.ID, article)
    return {str(a.attributes["hreflang"]) for a in doc.css('head link[rel="alternate"][hreflang]')}


def _sitemap(client: TestClient) -> set[str]:
    root = etree.fromstring(client.get("/sitemap.xml").content)
    return {str(url.findtext("s:loc", namespaces=NS)) for url in root.findall("s:url", NS)}


def _in_sitemap(client: TestClient, lang: Lang, article: Article) -> bool:
    prefix = f"http://testserver/{lang.value}/{article.id}-"
    return any(url.startswith(prefix) for url in _sitemap(client))


def _news(client: TestClient) -> str:
    return client.get("/news-sitemap.xml").text


def _feed_titles(client: TestClient, lang: Lang) -> list[str]:
    parsed = feedparser.parse(client.get(f"/{lang.value}/rss.xml").content)
    return [entry.title for entry in parsed.entries]


def _policy(services: Services, sample: SampleSite, lang: Lang, policy: PublishingPolicy) -> None:
    PolicyStore(services.db).set_policy(
        site_id=sample.site.id, lang=lang, policy=policy, actor="cli"
    )


def _approve(services: Services, article: Article, lang: Lang) -> None:
    revision = services.store.get_current_revision(article.id)
    edition = services.store.get_edition(revision_id=revision.id, lang=lang)
    ApprovalStore(services.db).approve(edition, editor_id=None)


def test_under_approval_nothing_is_published_until_approved_then_at_once_everywhere(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    full, recent = sample.full, sample.recent
    assert _shown_as_translation(client, EN, full)  # auto: published (and cached now)
    assert "en" in _hreflangs(client, full)
    assert len(_feed_titles(client, EN)) == 3

    _policy(services, sample, EN, PublishingPolicy.APPROVAL)
    assert not _shown_as_translation(client, EN, full)  # the cached page did not linger
    assert not _shown_as_translation(client, EN, recent)
    assert _hreflangs(client, full) == {"id", "zh-Hans", "ja", "ar", "fr", "x-default"}
    assert not _in_sitemap(client, EN, full)
    assert f"/en/{recent.id}-" not in _news(client)
    assert _feed_titles(client, EN) == []
    assert _shown_as_translation(client, FR, full)  # French stays auto

    _approve(services, full, EN)
    assert _shown_as_translation(client, EN, full)
    assert "en" in _hreflangs(client, full)
    assert _in_sitemap(client, EN, full)
    titles = _feed_titles(client, EN)
    assert len(titles) == 1
    assert marker(EN) in titles[0]
    assert not _shown_as_translation(client, EN, recent)  # approving one approves one
    _approve(services, recent, EN)
    assert f"/en/{recent.id}-" in _news(client)


def test_the_front_page_lists_held_editions_in_indonesian(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    def teaser_langs() -> set[str]:
        doc = LexborHTMLParser(client.get("/en/").text)
        return {
            str(node.attributes.get("lang")) for node in doc.css("[lang]") if node.css("h2, h3")
        }

    before = client.get("/en/").text
    assert marker(EN) in before
    _policy(services, sample, EN, PublishingPolicy.APPROVAL)
    after = client.get("/en/").text
    assert marker(EN) not in after
    _approve(services, sample.full, EN)
    assert marker(EN) in client.get("/en/").text


def test_under_clean_an_edition_with_a_flagged_sentence_is_held(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    review = sample.review  # English needs review (two flagged sentences), French translated
    assert _shown_as_translation(client, EN, review)
    _policy(services, sample, EN, PublishingPolicy.CLEAN)
    assert not _shown_as_translation(client, EN, review)
    assert _shown_as_translation(client, EN, sample.full)  # translated, nothing flagged
    assert not _in_sitemap(client, EN, review)
    assert _in_sitemap(client, EN, sample.full)
    assert _hreflangs(client, review) == {"id", "fr", "x-default"}
    _approve(services, review, EN)  # an approval does not make a flagged edition clean
    assert not _shown_as_translation(client, EN, review)


@pytest.mark.parametrize("policy", list(PublishingPolicy))
def test_a_rejected_edition_is_held_under_every_policy(
    client: TestClient, services: Services, sample: SampleSite, policy: PublishingPolicy
) -> None:
    full = sample.full
    _policy(services, sample, FR, policy)
    _approve(services, full, FR)
    assert _shown_as_translation(client, FR, full)
    in_feed = len(_feed_titles(client, FR))
    revision = services.store.get_current_revision(full.id)
    edition = services.store.get_edition(revision_id=revision.id, lang=FR)
    ApprovalStore(services.db).reject(edition, editor_id=None, actor="cli", note="keliru")
    assert not _shown_as_translation(client, FR, full)
    assert "fr" not in _hreflangs(client, full)
    assert not _in_sitemap(client, FR, full)
    assert len(_feed_titles(client, FR)) == in_feed - 1


def test_a_cached_held_page_changes_right_after_the_approval(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    state = app.state.web
    assert isinstance(state, WebState)
    _policy(services, sample, EN, PublishingPolicy.APPROVAL)
    path = client.get(f"/en/{sample.full.id}").headers["location"]
    held = client.get(path)
    hits = state.cache.stats().hits
    assert client.get(path).content == held.content
    assert state.cache.stats().hits == hits + 1  # served from the cache
    _approve(services, sample.full, EN)
    live = client.get(path, follow_redirects=True)
    assert live.status_code == 200
    assert marker(EN) in live.text
    assert marker(EN) not in held.text


def _selects(services: Services, read: Callable[[int], object], n: int) -> int:
    """How many SELECTs ``read(n)`` makes."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sqlalchemy.event.listen(services.db, "before_cursor_execute", count)
    try:
        read(n)
    finally:
        sqlalchemy.event.remove(services.db, "before_cursor_execute", count)
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


def test_lists_feeds_and_sitemaps_read_in_a_fixed_number_of_queries(
    app: FastAPI, services: Services, sample: SampleSite
) -> None:
    state = app.state.web
    assert isinstance(state, WebState)
    reader, site = state.reader, sample.site
    _policy(services, sample, EN, PublishingPolicy.CLEAN)
    for read in (
        lambda n: reader.latest(site, lang=EN, limit=n),
        lambda n: reader.feed_items(site, lang=EN, limit=n, scan=n),
        lambda n: reader.published(site, limit=n),
    ):
        few, many = _selects(services, read, 2), _selects(services, read, 13)
        assert few == many > 0


def test_a_correction_after_an_approval_takes_the_edition_out_of_sitemaps_and_feeds(
    client: TestClient, services: Services, sample: SampleSite
) -> None:
    # Lists decide coverage from the stored content hash, which the correction must update.
    full = sample.full
    _policy(services, sample, EN, PublishingPolicy.APPROVAL)
    _approve(services, full, EN)
    assert _in_sitemap(client, EN, full)
    assert len(_feed_titles(client, EN)) == 1
    revision = services.store.get_current_revision(full.id)
    edition = services.store.get_edition(revision_id=revision.id, lang=EN)
    services.store.history.correct(
        revision_id=revision.id,
        lang=EN,
        index=edition.segments[0].index,
        target_html="A corrected title.",
        base_version=None,
        actor="test",
    )
    assert not _in_sitemap(client, EN, full)
    assert _feed_titles(client, EN) == []
    assert not _shown_as_translation(client, EN, full)


def _statements(services: Services, read: Callable[[], object]) -> list[str]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    sqlalchemy.event.listen(services.db, "before_cursor_execute", record)
    try:
        read()
    finally:
        sqlalchemy.event.remove(services.db, "before_cursor_execute", record)
    return seen


def _whole_bodies(statements: list[str]) -> list[str]:
    """Statements that read a whole body column (not only its first characters)."""
    return [
        s
        for s in statements
        if any(
            "substr(" not in s[max(0, at - 40) : at].lower()
            for at in (i for i in range(len(s)) if s.startswith("body_html", i))
        )
        and s.lstrip().upper().startswith("SELECT")
    ]


def test_lists_sitemaps_and_feeds_read_no_segment_and_no_whole_body_they_do_not_show(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    state = app.state.web
    assert isinstance(state, WebState)
    _policy(services, sample, EN, PublishingPolicy.APPROVAL)
    _approve(services, sample.full, EN)  # coverage is checked on every list
    reads = {
        "front": lambda: client.get("/en/"),
        "sitemap": lambda: client.get("/sitemap.xml"),
        "news": lambda: client.get("/news-sitemap.xml"),
        "teasers": lambda: state.reader.latest(sample.site, lang=EN, limit=20),
        "sitemap items": lambda: state.reader.published(sample.site, limit=20),
    }
    for name, read in reads.items():
        statements = _statements(services, read)
        assert statements, name
        assert not [s for s in statements if "edition_segments" in s], name  # not even flags
        assert _whole_bodies(statements) == [], name
    # Under ``clean`` flags are counted (one aggregate), still without reading segments' text.
    _policy(services, sample, EN, PublishingPolicy.CLEAN)
    counted = _statements(services, lambda: client.get("/sitemap.xml"))
    assert [s for s in counted if "count(edition_segments.id)" in s]
    assert not [s for s in counted if "edition_segments.target_html" in s]
    # A feed carries whole bodies, of its entries only; an article page reads them: the checks
    # above can fail.
    feed = _statements(services, lambda: client.get("/en/rss.xml"))
    assert _whole_bodies(feed)
    page = _statements(services, lambda: client.get(f"/en/{sample.full.id}", follow_redirects=True))
    assert _whole_bodies(page)


def test_the_news_sitemap_is_cached_and_still_drops_articles_after_two_days(
    app: FastAPI, client: TestClient, services: Services, sample: SampleSite
) -> None:
    import time_machine

    state = app.state.web
    assert isinstance(state, WebState)
    first = client.get("/news-sitemap.xml")
    hits = state.cache.stats().hits
    again = client.get("/news-sitemap.xml")
    assert again.content == first.content
    assert state.cache.stats().hits == hits + 1
    assert f"/en/{sample.recent.id}-" in first.text
    published = sample.recent.published_at
    assert published is not None
    with time_machine.travel(published + timedelta(days=2, minutes=2), tick=False):
        later = client.get("/news-sitemap.xml")
    assert f"/en/{sample.recent.id}-" not in later.text
