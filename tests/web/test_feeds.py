"""The feed builders turn hostile text into text, never into markup a feed reader runs.

Checked with feedparser with its sanitiser off (a reader that renders what the feed says), over
every vector of the corpus (tests/ingest/data/xss.txt) placed in every text field of an entry.
The end-to-end run over the site's twelve feeds is tests/api/test_hostile_output.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import feedparser
import pytest
from tests.executable import executable_markup, feed_problems, vectors

from warta.web import feeds

WHEN = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
BASE = "https://kabar.example"


def _meta(*, disclaimer: str = "") -> feeds.FeedMeta:
    return feeds.FeedMeta(
        title="Kabar <b>(English)</b>",
        description="Berita & analisis",
        home_url=f"{BASE}/en/",
        self_url=f"{BASE}/en/rss.xml",
        html_lang="en",
        rss_lang="en",
        publisher="Kabar",
        updated=WHEN,
        disclaimer=disclaimer,
        original_label="Original (Indonesian)",
    )


def _entry(n: int, text: str) -> feeds.FeedEntry:
    return feeds.FeedEntry(
        id_url=f"{BASE}/en/{n}",
        url=f"{BASE}/en/{n}-banjir",
        title=f"Banjir {text}",
        summary=f"Ringkasan {text}",
        body_html="<p>Banjir melanda Jakarta.</p>",  # sanitised by the store
        published=WHEN,
        updated=WHEN,
        category=f"Nasional {text}",
        category_term=f"nasional {text}",
        author=f"Redaksi {text}",
        original_url=f"{BASE}/id/{n}-banjir",
    )


def test_an_rss_description_holding_html_reaches_the_reader_as_text() -> None:
    """Issue 14: "RSS item descriptions carry the lead's HTML escaped once"."""
    lead = "Ringkasan <img src=x onerror=alert(1)> & <b>tebal</b>"
    entry = dataclasses.replace(_entry(1, ""), summary=lead)
    body = feeds.rss(_meta(disclaimer="Machine translation."), [entry])
    assert b"&lt;img" not in body  # escaped once: a reader would render <img onerror>
    assert b"&amp;lt;img src=x onerror=alert(1)&amp;gt;" in body
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    description = parsed.entries[0].description
    assert executable_markup(description) == []
    # ... and the reader shows the lead as it was written, then the disclaimer
    assert description == (
        "<p>Ringkasan &lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;tebal&lt;/b&gt;</p>"
        "<p>Machine translation.</p>"
    )


def test_the_feed_checker_finds_an_executable_description() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>x</title><description>Ringkasan &lt;img src=x onerror=alert(1)&gt;"
        b"</description></item></channel></rss>"
    )
    problems = feed_problems(body)
    assert problems
    assert all("<img onerror=...>" in p for p in problems), problems


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("disclaimer", ["", "Machine translation <i>by AI</i>."])
def test_no_corpus_vector_becomes_markup_in_a_feed(kind: str, disclaimer: str) -> None:
    entries = [_entry(n, vector) for n, vector in enumerate(vectors())]
    build = feeds.rss if kind == "rss" else feeds.atom
    body = build(_meta(disclaimer=disclaimer), entries)
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert len(parsed.entries) == len(entries)
    assert feed_problems(body) == []


def test_an_rss_title_that_looks_like_html_reaches_the_reader_as_text() -> None:
    """feedparser reads a title holding a closing tag as HTML: it must hold only text."""
    entry = dataclasses.replace(_entry(1, ""), title="Banjir <a onmouseover=alert(1)>x</a> & co")
    parsed = feedparser.parse(
        feeds.rss(_meta(), [entry]), sanitize_html=False, resolve_relative_uris=False
    )
    title = parsed.entries[0].title_detail
    assert executable_markup(title.value) == []
    if "html" in title.type:  # what an HTML-reading reader shows
        assert title.value == "Banjir &lt;a onmouseover=alert(1)&gt;x&lt;/a&gt; &amp; co"
    else:
        assert title.value == "Banjir <a onmouseover=alert(1)>x</a> & co"
