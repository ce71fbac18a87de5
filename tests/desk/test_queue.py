"""The review queue: the editor's site only, filters by language, status and flags, order, pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock, make_draft
from tests.desk.conftest import Stored, log_in
from tests.store.machine import machine_edition

from warta.domain import PublishingPolicy, Site
from warta.integrations import Integrations
from warta.languages import Lang
from warta.store.repository import Store

ROW = re.compile(
    r'<tr class="queue-row" data-lang="(\w+)" data-status="(\w+)">\s*<td><a href="([^"]+)"'
)


def rows(page: str) -> list[tuple[str, str, str]]:
    return [(href, lang, status) for lang, status, href in ROW.findall(page)]


def test_the_queue_lists_the_editions_of_the_editors_site(
    client: TestClient, accounts: None, article: Stored, store: Store, other_site: Site
) -> None:
    store.save_article(make_draft("lain-1", site=other_site.slug), targets=(Lang.EN,))
    log_in(client)
    page = client.get("/desk/")
    assert page.status_code == 200
    assert sorted(rows(page.text)) == [
        ("/desk/articles/berita-1/ar", "ar", "translated"),
        ("/desk/articles/berita-1/en", "en", "needs_review"),
    ]
    assert "lain-1" not in page.text
    assert "Banjir melanda Jakarta" in page.text  # the Indonesian title
    assert "1 / 4" in page.text  # flagged / segments of the English edition


def test_filters_by_language_status_and_flags(
    client: TestClient, accounts: None, article: Stored
) -> None:
    log_in(client)
    assert rows(client.get("/desk/?lang_filter=ar").text) == [
        ("/desk/articles/berita-1/ar", "ar", "translated")
    ]
    assert rows(client.get("/desk/?status=needs_review").text) == [
        ("/desk/articles/berita-1/en", "en", "needs_review")
    ]
    assert rows(client.get("/desk/?flagged=yes").text) == [
        ("/desk/articles/berita-1/en", "en", "needs_review")
    ]
    assert rows(client.get("/desk/?flagged=no").text) == [
        ("/desk/articles/berita-1/ar", "ar", "translated")
    ]
    empty = client.get("/desk/?status=failed&lang=en")
    assert rows(empty.text) == []
    assert "Nothing to review with these filters." in empty.text
    chosen = client.get("/desk/?status=held&lang_filter=en")
    assert '<option value="held" selected>' in chosen.text  # the form shows the filter in force


def test_unknown_filter_values_are_ignored_not_an_error(
    client: TestClient, accounts: None, article: Stored
) -> None:
    log_in(client)
    page = client.get("/desk/?lang_filter=xx&status=bogus&flagged=maybe&order=random&page=-3")
    assert page.status_code == 200
    assert len(rows(page.text)) == 2


def test_most_flagged_first_and_newest_first(
    client: TestClient, accounts: None, store: Store, site: Site, clock: FakeClock
) -> None:
    flagged = store.save_article(make_draft("banyak-tanda"), targets=(Lang.EN,)).revision
    store.save_edition(
        machine_edition(flagged, Lang.EN, flags={0: ("untranslated",), 1: ("repetition",)})
    )
    clock.advance(3600)
    fresh = store.save_article(make_draft("terbaru"), targets=(Lang.EN,)).revision
    store.save_edition(machine_edition(fresh, Lang.EN))
    log_in(client)
    newest = [href for href, _, _ in rows(client.get("/desk/?lang_filter=en").text)]
    assert newest == ["/desk/articles/terbaru/en", "/desk/articles/banyak-tanda/en"]
    most = [href for href, _, _ in rows(client.get("/desk/?lang_filter=en&order=flagged").text)]
    assert most == ["/desk/articles/banyak-tanda/en", "/desk/articles/terbaru/en"]


def test_pages_of_twenty_five(
    client: TestClient, accounts: None, store: Store, site: Site, clock: FakeClock
) -> None:
    for n in range(27):
        clock.advance(60)
        store.save_article(make_draft(f"berita-{n:02d}"), targets=(Lang.EN,))
    log_in(client)
    first = client.get("/desk/")
    assert len(rows(first.text)) == 25
    assert 'rel="next" href="/desk/?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get("/desk/?page=2")
    assert len(rows(second.text)) == 2
    assert 'rel="prev" href="/desk/?page=1"' in second.text
    assert 'rel="next"' not in second.text


def test_held_editions_are_found_by_the_held_filter(
    client: TestClient, accounts: None, article: Stored, integrations: Integrations, site: Site
) -> None:
    integrations.policies.set_policy(
        site_id=site.id, lang=Lang.AR, policy=PublishingPolicy.APPROVAL, actor="cli"
    )
    log_in(client)
    page = client.get("/desk/?status=held")
    assert rows(page.text) == [("/desk/articles/berita-1/ar", "ar", "held")]
    assert "belum terbit" in page.text
