"""Inline HTML <-> text and spans, in canonical form."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from warta.text.inline import clip, extract, render
from warta.text.records import Span


def read(fragment: str) -> tuple[str, tuple[Span, ...]]:
    body = LexborHTMLParser(fragment).body
    assert body is not None
    return extract(list(body.iter(include_text=True)))


CANONICAL = [
    # Kept tags and their attributes survive, text is escaped once.
    (
        'Kata <a href="https://x.id/?a=1&amp;b=2">dia</a> &amp; <b>kami</b>.',
        'Kata <a href="https://x.id/?a=1&amp;b=2">dia</a> &amp; <b>kami</b>.',
    ),
    # Whitespace collapses as a browser shows it; spaces move out of elements.
    ("  Harga \n\t naik <b> tajam </b> hari ini  ", "Harga naik <b>tajam</b> hari ini"),
    # Tags outside the kept set are dropped to their text.
    (
        "Ini <small>kecil</small> dan <mark>tanda</mark>, <font color=red>merah</font>.",
        "Ini kecil dan tanda, merah.",
    ),
    # <br> keeps its place; spaces around it go; leading and trailing breaks go.
    ("<br>Baris satu <br> baris dua<br>", "Baris satu<br>baris dua"),
    # Empty elements disappear; an image inside one stays.
    ('Foto <b> </b><a href="x"><img src="a.jpg"></a> ini', 'Foto <img src="a.jpg">ini'),
    # Nesting and attribute order are kept; valueless attributes get "".
    (
        '<span class="n" data-x><em>sangat</em> penting</span>',
        '<span class="n" data-x=""><em>sangat</em> penting</span>',
    ),
    # Quotes in attribute values are escaped.
    ("<a title='kata \"dia\"' href=u>x</a>", '<a title="kata &quot;dia&quot;" href="u">x</a>'),
    # Comments and scripts are not text.
    ("Satu <!-- catatan --> dua <script>alert(1)</script>tiga", "Satu dua tiga"),
    # Misnested tags are read as a browser reads them.
    ("<b>tebal <i>miring</b> biasa</i>", "<b>tebal <i>miring</i></b> <i>biasa</i>"),
    # No-break spaces are text, not collapsible whitespace.
    ("Rp\xa05.000", "Rp\xa05.000"),
]


@pytest.mark.parametrize(("source", "expected"), CANONICAL)
def test_renders_the_canonical_form(source: str, expected: str) -> None:
    assert render(*read(source)) == expected


def test_extracts_text_and_spans() -> None:
    text, spans = read('Kata <a href="u">dia</a>.<br>Lalu <img src="i.png"> pulang')
    assert text == "Kata dia.\nLalu pulang"
    assert spans == (
        Span(5, 8, "a", (("href", "u"),)),
        Span(9, 10, "br"),
        Span(15, 15, "img", (("src", "i.png"),)),
    )


def test_render_repairs_crossing_spans_and_drops_empty_ones() -> None:
    spans = [Span(0, 6, "b"), Span(3, 9, "i"), Span(4, 4, "em"), Span(2, 2, "img")]
    assert render("abcdefghi", spans) == "<b>ab<img>c<i>def</i></b>ghi"


def test_render_escapes_text() -> None:
    assert render("a < b & c > d", [Span(0, 1, "b")]) == "<b>a</b> &lt; b &amp; c &gt; d"


def test_clip_keeps_the_spans_of_a_piece() -> None:
    text, spans = read("<b>Satu dua. Tiga</b> empat.<br>Lima<img src=x>")
    assert text == "Satu dua. Tiga empat.\nLima"
    cuts = [(0, 9), (10, 22), (22, 26)]
    owners = [10, 22, 27]
    pieces = [
        render(text[lo:hi], clip(text, spans, start=lo, end=hi, owns_until=own))
        for (lo, hi), own in zip(cuts, owners, strict=True)
    ]
    assert pieces == ["<b>Satu dua.</b>", "<b>Tiga</b> empat.<br>", 'Lima<img src="x">']
