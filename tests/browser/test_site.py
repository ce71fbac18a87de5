"""Readers' paths through the site in Chromium: switcher, Arabic layout, disclaimer, pending.

Each language's article page is saved as ``artifacts/screenshots/<lang>.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from tests.browser.conftest import SCREENSHOTS, LiveServer
from tests.web.sitedata import marker

from warta.domain import Article
from warta.languages import TARGET_LANGS, Lang
from warta.web.i18n import DISCLAIMER, ORIGINAL_LINK, load_catalogues
from warta.web.locales import LOCALES, SITE_LANGS

T = load_catalogues()


def open_article(page: Page, server: LiveServer, lang: Lang, article: Article) -> None:
    response = page.goto(f"{server.base_url}/{lang.value}/{article.id}")
    assert response is not None
    assert response.ok
    assert page.url.startswith(f"{server.base_url}/{lang.value}/{article.id}-")  # slug redirect


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return {"left": found["x"], "right": found["x"] + found["width"], "width": found["width"]}


FIRST_LINE_JS = """(selector) => {
    const p = document.querySelector(selector);
    const range = document.createRange();
    range.selectNodeContents(p);
    const rects = Array.from(range.getClientRects()), box = p.getBoundingClientRect();
    const top = Math.min(...rects.map(r => r.top));
    const line = rects.filter(r => Math.abs(r.top - top) < 4);
    return [Math.min(...line.map(r => r.left)) - box.left,
            box.right - Math.max(...line.map(r => r.right))];
}"""


def first_line_edges(page: Page, selector: str) -> tuple[float, float]:
    """Gaps between the first line of text in ``selector`` and the element's left/right edges."""
    left, right = page.evaluate(FIRST_LINE_JS, selector)
    return float(left), float(right)


def test_switcher_walks_the_article_through_all_six_languages(
    page: Page, server: LiveServer
) -> None:
    article = server.sample.full
    open_article(page, server, Lang.ID, article)
    for lang in [*TARGET_LANGS, Lang.ID]:
        loc = LOCALES[lang]
        page.locator(f'nav.languages a[hreflang="{loc.html_lang}"]').click()
        page.wait_for_url(f"{server.base_url}/{lang.value}/{article.id}-*")
        assert page.locator("html").get_attribute("lang") == loc.html_lang
        current = page.locator('nav.languages a[aria-current="page"]')
        assert current.get_attribute("lang") == loc.html_lang
        heading = page.locator("article.story h1").inner_text()
        if lang is Lang.ID:
            assert "test edition" not in heading
        else:
            assert marker(lang) in heading


def test_arabic_page_is_right_to_left_and_mirrored(page: Page, server: LiveServer) -> None:
    open_article(page, server, Lang.EN, server.sample.full)
    english_brand, english_langs = box(page, ".brand"), box(page, "nav.languages")
    assert english_brand["left"] < english_langs["left"]
    left, right = first_line_edges(page, ".story-header .meta")  # a short line
    assert abs(left) < 2, "English text starts at the left edge"
    assert right > 100
    open_article(page, server, Lang.AR, server.sample.full)
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand, languages = box(page, ".brand"), box(page, "nav.languages")
    assert brand["left"] > languages["right"], "the masthead is mirrored: brand on the right"
    story = page.locator("article.story")
    assert story.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert story.evaluate("e => getComputedStyle(e).textAlign") in {"start", "right"}
    # the disclaimer's rule is on the reading-start side: the right in Arabic
    disclaimer = page.locator("aside.disclaimer")
    assert disclaimer.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
    assert disclaimer.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    # the date is written the Arabic way
    assert "مارس" in page.locator("article.story time").inner_text()
    # a short line of text starts at the right edge, leaving the left empty
    left, right = first_line_edges(page, ".story-header .meta")
    assert abs(right) < 2, "Arabic text starts at the right edge"
    assert left > 100


def test_indonesian_text_inside_the_arabic_page_stays_left_to_right(
    page: Page, server: LiveServer
) -> None:
    open_article(page, server, Lang.AR, server.sample.pending)
    story = page.locator("article.story")
    assert story.get_attribute("lang") == "id"
    assert story.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_disclaimer_in_the_page_language_links_the_indonesian_original(
    page: Page, server: LiveServer, lang: Lang
) -> None:
    article = server.sample.full
    open_article(page, server, lang, article)
    disclaimer = page.locator("aside.disclaimer")
    assert disclaimer.is_visible()
    assert T[lang].gettext(DISCLAIMER) in disclaimer.inner_text()
    link = disclaimer.get_by_role("link", name=T[lang].gettext(ORIGINAL_LINK))
    link.click()
    page.wait_for_url(f"{server.base_url}/id/{article.id}-*")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("aside.disclaimer").count() == 0


def test_a_pending_edition_shows_the_indonesian_original_with_a_notice(
    page: Page, server: LiveServer
) -> None:
    article = server.sample.pending
    open_article(page, server, Lang.JA, article)
    notice = page.locator(".notice")
    assert notice.is_visible()
    assert T[Lang.JA].gettext("Translation pending") in notice.inner_text()
    assert page.locator("article.story").get_attribute("lang") == "id"
    assert page.locator(".story-body p").first.inner_text().strip() != ""
    assert page.locator("aside.disclaimer").count() == 0
    pending_links = page.locator("nav.languages li.pending a")
    assert sorted(pending_links.evaluate_all("els => els.map(e => e.lang)")) == [
        "ar",
        "en",
        "fr",
        "ja",
        "zh-Hans",
    ]


def test_the_article_page_needs_no_javascript(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        open_article(page, server, Lang.FR, server.sample.review)
        assert marker(Lang.FR) in page.locator("article.story h1").inner_text()
        assert page.locator("aside.disclaimer").is_visible()
        assert page.locator(".story-body p").count() > 3
        scripts = page.locator("script").evaluate_all("els => els.map(e => e.type)")
        assert scripts == ["application/ld+json"]
    finally:
        context.close()


@pytest.mark.parametrize("lang", SITE_LANGS)
def test_screenshot_of_each_language(page: Page, server: LiveServer, lang: Lang) -> None:
    open_article(page, server, lang, server.sample.full)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{lang.value}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
