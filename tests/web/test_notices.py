"""What the site tells a reader about how its pages were made: the AI disclaimer only over
translations, why editions wait (no model yet), and editions made by a test model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import SITE_NAME, SITE_SLUG, draft_from, sample_records, store_test_edition

from warta.config import Settings
from warta.domain import Article, Edition, RegisteredModel
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services
from warta.web.app import create_app
from warta.web.i18n import load_catalogues

T = load_catalogues()
NO_MODEL = "No translation model is installed yet."
TEST_MODEL = "Test model"


@pytest.fixture
def fresh(tmp_path) -> Iterator[tuple[Services, list[Article]]]:
    """A site with three articles, nothing translated, no model: a new installation."""
    services = build_services(Settings(home=tmp_path))
    try:
        services.store.create_site(slug=SITE_SLUG, name=SITE_NAME)
        articles = [
            services.store.save_article(draft_from(r), targets=TARGET_LANGS).article
            for r in sample_records(3)
        ]
        yield services, articles
    finally:
        services.close()


def _get(services: Services, path: str) -> LexborHTMLParser:
    with TestClient(create_app(services)) as client:  # a new app: nothing cached
        response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return LexborHTMLParser(response.text)


def _texts(doc: LexborHTMLParser, selector: str) -> list[str]:
    return [" ".join(node.text().split()) for node in doc.css(selector)]


def _register(services: Services, lang: Lang) -> None:
    services.store.add_model(
        RegisteredModel(
            name="opus-mt-id-x",
            path="/models/opus-mt-id-x",
            source=Lang.ID,
            target=lang,
            family="marian",
            checksum="sha256:" + "1" * 64,
        )
    )


def _as_test_model(edition: Edition) -> Edition:
    assert edition.provenance is not None
    models = tuple(replace(m, random_weights=True) for m in edition.provenance.models)
    return replace(edition, provenance=replace(edition.provenance, models=models))


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_a_front_page_with_nothing_translated_has_no_disclaimer_and_says_why(
    fresh: tuple[Services, list[Article]], lang: Lang
) -> None:
    services, _ = fresh
    doc = _get(services, f"/{lang.value}/")
    assert doc.css_first("aside.disclaimer") is None
    assert T[lang].gettext(NO_MODEL) in _texts(doc, ".notice .notice-reason")
    assert T[lang].gettext(NO_MODEL) != NO_MODEL or lang is Lang.EN  # localised


def test_the_indonesian_front_page_never_says_a_model_is_missing(
    fresh: tuple[Services, list[Article]],
) -> None:
    services, _ = fresh
    doc = _get(services, "/id/")
    assert doc.css_first(".notice") is None


def test_one_translated_article_brings_the_disclaimer_and_a_model_ends_the_notice(
    fresh: tuple[Services, list[Article]],
) -> None:
    services, articles = fresh
    store_test_edition(services.store, articles[0], Lang.EN)
    _register(services, Lang.EN)
    doc = _get(services, "/en/")
    assert doc.css_first("aside.disclaimer") is not None
    assert doc.css_first(".notice") is None  # a model is installed: the rest is just queued
    # French has neither: no disclaimer, and the reason.
    french = _get(services, "/fr/")
    assert french.css_first("aside.disclaimer") is None
    assert T[Lang.FR].gettext(NO_MODEL) in _texts(french, ".notice-reason")


def test_a_pending_article_says_no_model_is_installed_until_one_is(
    fresh: tuple[Services, list[Article]],
) -> None:
    services, articles = fresh
    path = f"/ja/{articles[1].id}"
    with TestClient(create_app(services), follow_redirects=True) as client:
        before = LexborHTMLParser(client.get(path).text)
    assert T[Lang.JA].gettext(NO_MODEL) in _texts(before, ".notice .notice-reason")
    _register(services, Lang.JA)
    with TestClient(create_app(services), follow_redirects=True) as client:
        after = LexborHTMLParser(client.get(path).text)
    assert after.css_first(".notice") is not None  # still pending, queued for the model
    assert after.css_first(".notice-reason") is None


def test_an_edition_of_a_test_model_is_marked_and_not_indexed(
    fresh: tuple[Services, list[Article]],
) -> None:
    services, articles = fresh
    made = store_test_edition(services.store, articles[0], Lang.FR)
    services.store.save_edition(_as_test_model(made))
    store_test_edition(services.store, articles[1], Lang.FR)  # a real model's edition
    with TestClient(create_app(services), follow_redirects=True) as client:
        test_page = LexborHTMLParser(client.get(f"/fr/{articles[0].id}").text)
        real_page = LexborHTMLParser(client.get(f"/fr/{articles[1].id}").text)
        front = LexborHTMLParser(client.get("/fr/").text)

    notice = _texts(test_page, ".notice-test-model")
    assert len(notice) == 1
    assert T[Lang.FR].gettext(TEST_MODEL) in notice[0]
    assert "aléatoires" in notice[0]  # in the page's language
    robots = test_page.css_first('meta[name="robots"]')
    assert robots is not None
    assert "noindex" in robots.attributes["content"]
    assert test_page.css_first("aside.disclaimer") is not None  # still machine output

    assert real_page.css_first(".notice-test-model") is None
    assert real_page.css_first('meta[name="robots"]') is None

    # Its teasers (in the latest news and in its section) carry the badge, the other's do not.
    badged = [
        node.css_first(".teaser-title a").attributes["href"]
        for node in front.css("article.teaser")
        if node.css_first(".badge-test-model") is not None
    ]
    assert badged
    assert all(href.startswith(f"/fr/{articles[0].id}") for href in badged if href)
    assert set(_texts(front, ".badge-test-model")) == {T[Lang.FR].gettext(TEST_MODEL)}
