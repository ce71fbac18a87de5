"""Feed import from real RSS and Atom feeds served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pytest
from tests.integrations.fixtures import indosum
from tests.integrations.servers import Document, serving
from tests.integrations.servers import Site as WebSite
from tests.paths import DATA

from warta.domain import Site
from warta.errors import IngestError
from warta.ingest.markup import plain_text
from warta.integrations import Integrations
from warta.integrations.feeds import feed_external_id
from warta.services import Services
from warta.store.feeds import EntryOutcome


def _paragraphs(n: int, count: int = 4) -> list[str]:
    return [str(p) for p in indosum(n)["paragraphs"][:count]]


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _english() -> str:
    lines = (DATA / "flores101-dev" / "en.txt").read_text(encoding="utf-8").splitlines()
    return _html(lines[:6])


def _rss_item(guid: str, *, title: str, link: str, content: str | None, summary: str) -> str:
    encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    return (
        f'<item><guid isPermaLink="false">{escape(guid)}</guid><title>{escape(title)}</title>'
        f"<link>{escape(link)}</link><description>{escape(summary)}</description>"
        f"<category>nasional</category><pubDate>Mon, 10 Mar 2025 09:30:00 +0700</pubDate>"
        f"{encoded}</item>"
    )


def _rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Kabar</title><link>https://kabar.example/</link>"
        "<description>Berita</description>" + "".join(items) + "</channel></rss>"
    ).encode()


def _page(paragraphs: list[str]) -> bytes:
    return (
        "<!doctype html><html><head><title>Kabar</title></head><body>"
        "<nav><a href='/'>Beranda</a> <a href='/olahraga'>Olahraga</a></nav>"
        f"<article><h1>{escape(indosum(1)['title'])}</h1>{_html(paragraphs)}</article>"
        "<footer>Hak cipta Kabar Nusantara. Semua hak dilindungi.</footer></body></html>"
    ).encode()


@pytest.fixture
def portal() -> WebSite:
    return WebSite()


def _rss_feed(portal: WebSite, *, first_body: str | None = None, extra: Sequence[str] = ()) -> None:
    one = _paragraphs(0)
    items = [
        _rss_item(
            "kabar-1",
            title=str(indosum(0)["title"]),
            link=portal.url("/artikel/1"),
            content=first_body or _html(one),
            summary=one[0],
        ),
        # Only a summary: the article page is fetched and reduced to its text.
        _rss_item(
            "kabar-2",
            title=str(indosum(1)["title"]),
            link=portal.url("/artikel/2"),
            content=None,
            summary=_paragraphs(1)[0][:120],
        ),
        # The first story again under another GUID: a duplicate.
        _rss_item(
            "kabar-1-lagi",
            title=str(indosum(0)["title"]),
            link=portal.url("/artikel/1?utm=feed"),
            content=_html(one),
            summary=one[0],
        ),
        # Not Indonesian: refused, with the reason remembered.
        _rss_item(
            "kabar-en",
            title="Scientists announce a new diagnostic tool",
            link=portal.url("/artikel/en"),
            content=_english(),
            summary="English",
        ),
        *extra,
    ]
    portal.documents["/rss.xml"] = Document(_rss(items), "application/rss+xml")
    portal.documents["/artikel/2"] = Document(_page(_paragraphs(1, 6)), "text/html; charset=utf-8")


def test_rss_import_stores_new_articles_skips_duplicates_and_refuses_other_languages(
    integrations: Integrations, services: Services, site: Site, portal: WebSite
) -> None:
    with serving(portal):
        _rss_feed(portal)
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/rss.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            report = integrations.feed_importer(http).poll(feed)
    assert report.stored == [feed_external_id("kabar-1"), feed_external_id("kabar-2")]
    assert report.duplicates == 1
    assert [guid for guid, _ in report.refused] == ["kabar-en"]
    assert "Indonesian" in report.refused[0][1] or "indonesia" in report.refused[0][1].lower()
    assert portal.served["/artikel/2"] == 1

    summary_only = services.store.get_current_revision(
        services.store.get_article(site_id=site.id, external_id=feed_external_id("kabar-2")).id
    )
    # The full text came from the page (all six paragraphs), without its menu and footer.
    assert _paragraphs(1, 6)[-1][:40] in plain_text(summary_only.body_html)
    assert len(_paragraphs(1, 6)) > 1
    assert "Hak cipta" not in summary_only.body_html
    assert "Beranda" not in summary_only.body_html
    article = services.store.get_article(site_id=site.id, external_id=feed_external_id("kabar-1"))
    assert article.source_url == portal.url("/artikel/1")
    assert article.tags == ("nasional",)
    assert article.published_at is not None
    assert article.published_at.hour == 2  # 09:30 WIB
    assert len(services.store.list_articles(site_id=site.id)) == 2


def test_second_poll_sends_the_validators_and_honours_304(
    integrations: Integrations, site: Site, portal: WebSite
) -> None:
    with serving(portal):
        _rss_feed(portal)
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/rss.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            importer = integrations.feed_importer(http)
            importer.poll(feed)
            polled = integrations.feeds.get(feed.id)
            assert polled.etag == portal.documents["/rss.xml"].etag
            assert polled.last_modified == "Mon, 10 Mar 2025 08:00:00 GMT"
            again = importer.poll(polled)
    assert again.not_modified
    assert again.summary() == "not modified"
    assert portal.served["/rss.xml"] == 1
    assert portal.not_modified["/rss.xml"] == 1
    assert integrations.feeds.get(feed.id).etag == polled.etag


def test_a_changed_feed_imports_only_what_is_new_or_changed(
    integrations: Integrations, services: Services, site: Site, portal: WebSite
) -> None:
    with serving(portal):
        _rss_feed(portal)
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/rss.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            importer = integrations.feed_importer(http)
            importer.poll(feed)
            new_item = _rss_item(
                "kabar-3",
                title=str(indosum(2)["title"]),
                link=portal.url("/artikel/3"),
                content=_html(_paragraphs(2)),
                summary="ringkas",
            )
            _rss_feed(portal, extra=[new_item])
            added = importer.poll(integrations.feeds.get(feed.id))
            _rss_feed(portal, first_body=_html(_paragraphs(0, 6)), extra=[new_item])
            changed = importer.poll(integrations.feeds.get(feed.id))
    assert (added.stored, added.updated, added.unchanged) == ([feed_external_id("kabar-3")], [], 4)
    assert portal.served["/artikel/2"] == 1  # an unchanged summary-only entry is not refetched
    assert (changed.stored, changed.updated) == ([], [feed_external_id("kabar-1")])
    article = services.store.get_article(site_id=site.id, external_id=feed_external_id("kabar-1"))
    assert article.current_revision == 2
    seen = integrations.feeds.seen(feed_id=feed.id, guid="kabar-en")
    assert seen is not None
    assert seen.outcome is EntryOutcome.REFUSED


def test_atom_feed_is_imported_with_its_times_and_full_text(
    integrations: Integrations, services: Services, site: Site, portal: WebSite
) -> None:
    with serving(portal):
        entries = "".join(
            f"<entry><id>urn:kabar:{n}</id><title>{escape(str(indosum(n)['title']))}</title>"
            f'<link href="{portal.url(f"/a/{n}")}"/>'
            f"<updated>2025-03-1{n}T01:00:00Z</updated><published>2025-03-1{n}T00:00:00Z"
            f"</published><author><name>Redaksi</name></author>"
            f'<category term="ekonomi"/>'
            + (
                f'<content type="html">{escape(_html(_paragraphs(n)))}</content>'
                if n == 4
                else f"<summary>{escape(_paragraphs(n)[0][:100])}</summary>"
            )
            + "</entry>"
            for n in (4, 5)
        )
        atom = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Kabar</title><id>urn:kabar</id><updated>2025-03-15T01:00:00Z</updated>"
            f"{entries}</feed>"
        ).encode()
        portal.documents["/atom.xml"] = Document(atom, "application/atom+xml")
        portal.documents["/a/5"] = Document(_page(_paragraphs(5, 6)), "text/html")
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/atom.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            report = integrations.feed_importer(http).poll(feed)
    assert report.stored == [feed_external_id("urn:kabar:4"), feed_external_id("urn:kabar:5")]
    four = services.store.get_article(site_id=site.id, external_id=feed_external_id("urn:kabar:4"))
    assert four.published_at is not None
    assert four.published_at.isoformat().startswith("2025-03-14T00:00")
    assert (four.author, four.category) == ("Redaksi", "ekonomi")
    five = services.store.get_current_revision(
        services.store.get_article(site_id=site.id, external_id=feed_external_id("urn:kabar:5")).id
    )
    assert _paragraphs(5, 6)[-1][:40] in plain_text(five.body_html)


@pytest.mark.parametrize(
    ("path", "document", "message"),
    [
        ("/missing.xml", None, "HTTP 404"),
        (
            "/page.html",
            Document(b"<html><body><p>Bukan feed</p></body></html>", "text/html"),
            "cannot be read as RSS or Atom",
        ),
    ],
)
def test_an_unreadable_feed_is_an_ingest_error_and_its_status_is_recorded(
    integrations: Integrations,
    site: Site,
    portal: WebSite,
    path: str,
    document: Document | None,
    message: str,
) -> None:
    with serving(portal):
        if document is not None:
            portal.documents[path] = document
        feed = integrations.feeds.add(site=site.slug, url=portal.url(path))
        with (
            integrations.http_client(follow_redirects=True) as http,
            pytest.raises(IngestError) as err,
        ):
            integrations.feed_importer(http).poll(feed)
    assert message in err.value.message
    assert err.value.context["feed_id"] == feed.id
    assert integrations.feeds.get(feed.id).etag is None


def test_an_entry_whose_feed_data_changed_but_not_its_text_makes_no_new_revision(
    integrations: Integrations, services: Services, site: Site, portal: WebSite
) -> None:
    with serving(portal):
        _rss_feed(portal)
        feed = integrations.feeds.add(site=site.slug, url=portal.url("/rss.xml"))
        with integrations.http_client(follow_redirects=True) as http:
            importer = integrations.feed_importer(http)
            importer.poll(feed)
            # Only the summary (not imported: the full content is) changes in the feed.
            document = portal.documents["/rss.xml"]
            portal.documents["/rss.xml"] = Document(
                document.body.replace(b"<description>", b"<description>Diperbarui: ", 1),
                document.content_type,
            )
            again = importer.poll(integrations.feeds.get(feed.id))
    assert (again.stored, again.updated, again.unchanged) == ([], [], 4)
    article = services.store.get_article(site_id=site.id, external_id=feed_external_id("kabar-1"))
    assert article.current_revision == 1
