from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warta.errors import FieldError
from warta.ingest.htmldoc import draft_from_html

PAGE = """<!DOCTYPE html>
<html lang="id"><head>
<title>Ketua MPR: Mustahil Transportasi Bersaing Bebas - Contoh News</title>
<meta name="description" content="Ringkasan SEO yang tidak dipakai.">
<meta name="warta:id" content="kmp-1490674536">
<meta name="author" content="Ananda Wardhiati Teresia">
<meta property="article:section" content="Tajuk Utama">
<meta property="article:tag" content="transportasi"><meta property="article:tag" content="MPR">
<meta property="article:published_time" content="2017-03-27T14:00:00+07:00">
<link rel="canonical" href="https://kumparan.com/a">
<script>var tracker = 1;</script>
</head><body>
<nav><a href="/">Beranda</a></nav>
<header class="site">Contoh News</header>
<article>
  <header><h1>Ketua MPR: <span>Mustahil</span> Transportasi Bersaing Bebas</h1>
  <p class="lead">Zulkifli Hasan menyesalkan kisruh transportasi.</p></header>
  <p><strong>JAKARTA</strong> - Zulkifli menyarankan pertemuan bersama.</p>
  <aside>Baca juga: berita lain</aside>
  <p>Paragraf kedua.</p>
  <button>Bagikan</button>
  <footer>Editor: X</footer>
</article>
<footer>Hak cipta</footer>
</body></html>"""


def test_page_is_split_into_title_lead_body_and_metadata() -> None:
    draft = draft_from_html(PAGE, site="demo", stem="halaman")
    assert draft.external_id == "kmp-1490674536"
    assert draft.title == "Ketua MPR: Mustahil Transportasi Bersaing Bebas"
    assert draft.lead == "Zulkifli Hasan menyesalkan kisruh transportasi."
    body = " ".join(draft.body_html.split())
    assert body == (
        "<p><strong>JAKARTA</strong> - Zulkifli menyarankan pertemuan bersama.</p> "
        "<p>Paragraf kedua.</p>"
    )
    assert draft.category == "Tajuk Utama"
    assert draft.tags == ("transportasi", "MPR")
    assert draft.author == "Ananda Wardhiati Teresia"
    assert draft.published_at == datetime(2017, 3, 27, 14, tzinfo=timezone(timedelta(hours=7)))
    assert draft.source_url == "https://kumparan.com/a"


def test_bare_page_falls_back_to_title_element_body_and_file_stem() -> None:
    page = "<html><head><title>Judul dari title</title></head><body><p>Isi.</p></body></html>"
    draft = draft_from_html(page, site="demo", stem="berita-7")
    assert (draft.external_id, draft.title, draft.lead) == ("berita-7", "Judul dari title", "")
    assert draft.body_html == "<p>Isi.</p>"
    assert (draft.category, draft.tags, draft.published_at, draft.source_url) == (
        None,
        (),
        None,
        None,
    )


def test_main_is_used_when_there_is_no_article() -> None:
    page = "<body><nav>menu</nav><main><h1>Judul</h1><p>Isi.</p></main><p>Di luar.</p></body>"
    draft = draft_from_html(page, site="demo", stem="x")
    assert draft.title == "Judul"
    assert draft.body_html == "<p>Isi.</p>"


def test_og_url_is_the_fallback_source_url() -> None:
    page = '<head><meta property="og:url" content="https://contoh.id/b"></head><p>x</p>'
    assert draft_from_html(page, site="demo", stem="x").source_url == "https://contoh.id/b"


def test_bad_publication_time_names_the_meta_element() -> None:
    page = '<head><meta property="article:published_time" content="kemarin"></head><p>x</p>'
    with pytest.raises(FieldError) as info:
        draft_from_html(page, site="demo", stem="x")
    assert "article:published_time" in info.value.message
    assert info.value.context["field"] == "published_at"
