"""analyse() and assemble(): blocks, segments, skeleton; the edition rebuilt in the same shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warta.domain import BlockKind, Glossary
from warta.engines.base import AlignedToken, Hypothesis
from warta.errors import EmptyArticleError, FieldError, MarkupError
from warta.languages import Lang
from warta.text import SourceDocument, analyse, assemble, finish, plain_text, prepare

SAMPLE = Path(__file__).parents[2] / "src" / "warta" / "demo" / "indosum-sample.jsonl"

BODY = (
    '<p class="lead">JAKARTA - Presiden <a href="https://x.id/a?b=1&amp;c=2">Joko Widodo</a> '
    "meresmikan jembatan. Warga senang.</p>"
    "<h2>Latar</h2>"
    '<figure class="photo"><img src="j.jpg" alt="Jembatan"><figcaption>Jembatan baru '
    "<em>(Foto: Antara)</em></figcaption></figure>"
    "<ul><li>Panjang 2,5 km.</li><li>Biaya Rp 270.000 juta.</li></ul>"
    "<blockquote><p>Kami bangga.</p><p>Terima kasih.</p></blockquote>"
    "<blockquote>Kutipan tanpa paragraf.</blockquote>"
    "Teks lepas di badan."
    "<div><h1>Judul dalam badan</h1><pre>kode  tetap</pre></div>"
)


def segments_of(document: SourceDocument) -> list[tuple[int, str, str, bool]]:
    kinds = {b.index: b.kind for b in document.blocks}
    return [(s.block, kinds[s.block], s.html, s.translate) for s in document.segments]


def test_blocks_and_segments_follow_the_structure() -> None:
    document = analyse(title="Jembatan baru diresmikan", lead="Warga menyambut.", body_html=BODY)
    assert segments_of(document) == [
        (0, BlockKind.HEADLINE, "Jembatan baru diresmikan", True),
        (1, BlockKind.LEAD, "Warga menyambut.", True),
        (
            2,
            BlockKind.PARAGRAPH,
            'JAKARTA - Presiden <a href="https://x.id/a?b=1&amp;c=2">'
            "Joko Widodo</a> meresmikan jembatan.",
            True,
        ),
        (2, BlockKind.PARAGRAPH, "Warga senang.", True),
        (3, BlockKind.SUBHEAD, "Latar", True),
        (4, BlockKind.CAPTION, "Jembatan baru <em>(Foto: Antara)</em>", True),
        (5, BlockKind.LIST_ITEM, "Panjang 2,5 km.", True),
        (6, BlockKind.LIST_ITEM, "Biaya Rp 270.000 juta.", True),
        (7, BlockKind.BLOCKQUOTE, "Kami bangga.", True),
        (8, BlockKind.BLOCKQUOTE, "Terima kasih.", True),
        (9, BlockKind.BLOCKQUOTE, "Kutipan tanpa paragraf.", True),
        (10, BlockKind.PARAGRAPH, "Teks lepas di badan.", True),
        (11, BlockKind.SUBHEAD, "Judul dalam badan", True),
    ]
    assert [s.index for s in document.segments] == list(range(len(document.segments)))


def test_dateline_of_the_first_paragraph_is_a_verbatim_segment() -> None:
    document = analyse(title="Jembatan baru", lead="", body_html=BODY)
    first, second = document.segments[1:3]
    assert (first.html, first.translate) == ("JAKARTA -", False)
    assert second.text.startswith("Presiden Joko Widodo")
    assert second.translate is True


def test_dateline_in_an_indosum_style_title_is_verbatim() -> None:
    document = analyse(
        title="Jakarta, CNN Indonesia -- Bali lagi-lagi kedatangan tamu spesial.",
        lead="",
        body_html="<p>JAKARTA - lalu huruf kecil.</p><p>SURABAYA - Paragraf kedua.</p>",
    )
    assert [(s.text, s.translate) for s in document.segments] == [
        ("Jakarta, CNN Indonesia --", False),
        ("Bali lagi-lagi kedatangan tamu spesial.", True),
        ("JAKARTA - lalu huruf kecil.", True),  # a dateline is followed by a capital
        ("SURABAYA - Paragraf kedua.", True),  # only the first block after the headline
    ]


def test_skeleton_keeps_everything_but_block_text() -> None:
    document = analyse(title="Judul", lead="", body_html=BODY)
    assert document.skeleton == (
        '<p class="lead"><!--warta:block:1--></p><h2><!--warta:block:2--></h2>'
        '<figure class="photo"><img src="j.jpg" alt="Jembatan"><figcaption>'
        "<!--warta:block:3--></figcaption></figure><ul><li><!--warta:block:4--></li><li>"
        "<!--warta:block:5--></li></ul><blockquote><p><!--warta:block:6--></p><p>"
        "<!--warta:block:7--></p></blockquote><blockquote><!--warta:block:8--></blockquote>"
        "<!--warta:block:9--><div><h1><!--warta:block:10--></h1><!--warta:keep:0--></div>"
    )
    assert document.kept == ("<pre>kode  tetap</pre>",)


def test_assembling_the_source_segments_rebuilds_the_source() -> None:
    document = analyse(title="Judul &amp; isi", lead="", body_html=BODY)
    content = assemble(document, [s.html for s in document.segments], target=Lang.EN)
    assert content.body_html == (
        '<p class="lead">JAKARTA - Presiden <a href="https://x.id/a?b=1&amp;c=2">Joko Widodo</a> '
        "meresmikan jembatan. Warga senang.</p><h2>Latar</h2>"
        '<figure class="photo"><img src="j.jpg" alt="Jembatan"><figcaption>Jembatan baru '
        "<em>(Foto: Antara)</em></figcaption></figure>"
        "<ul><li>Panjang 2,5 km.</li><li>Biaya Rp 270.000 juta.</li></ul>"
        "<blockquote><p>Kami bangga.</p><p>Terima kasih.</p></blockquote>"
        "<blockquote>Kutipan tanpa paragraf.</blockquote>Teks lepas di badan."
        "<div><h1>Judul dalam badan</h1><pre>kode  tetap</pre></div>"
    )


def test_assemble_replaces_block_contents_with_the_translations() -> None:
    document = analyse(
        title="Harga naik", lead="Pasar ramai.", body_html="<p>Satu. Dua.</p><ul><li>Tiga</li></ul>"
    )
    content = assemble(
        document, ["Prices rise", "Busy market.", "One.", "Two.", "Three"], target=Lang.EN
    )
    assert (content.title, content.lead) == ("Prices rise", "Busy market.")
    assert content.body_html == "<p>One. Two.</p><ul><li>Three</li></ul>"


def test_assemble_joins_chinese_and_japanese_without_spaces() -> None:
    document = analyse(title="Harga naik", lead="", body_html="<p>Satu. Dua.</p>")
    for lang in (Lang.ZH, Lang.JA):
        content = assemble(document, ["价格上涨", "一。", "二。"], target=lang)
        assert content.body_html == "<p>一。二。</p>"


def test_plain_title_and_lead_stay_plain_text() -> None:
    document = analyse(title="A & B < C", lead="Film <Dilan> laris", body_html="<p>Isi.</p>")
    assert not document.title_is_html
    assert not document.lead_is_html
    assert [s.html for s in document.segments[:2]] == [
        "A &amp; B &lt; C",
        "Film &lt;Dilan&gt; laris",
    ]
    translated = ["A &amp; B &lt; C", "<i>Dilan</i> &lt;sells&gt;", "Body."]
    content = assemble(document, translated, target=Lang.EN)
    assert (content.title, content.lead) == ("A & B < C", "Dilan <sells>")


def test_nested_lists_paragraphs_in_items_and_tables() -> None:
    body = (
        "<ul><li>Butir satu<ul><li>Anak butir</li></ul></li><li><p>Butir dalam p</p></li></ul>"
        "<table><caption>Tabel harga</caption><tr><th>Barang</th><td>Beras <b>naik</b></td></tr>"
        "</table><dl><dt>Istilah</dt><dd>Arti</dd></dl>"
    )
    document = analyse(title="Judul", lead="", body_html=body)
    assert segments_of(document)[1:] == [
        (1, BlockKind.LIST_ITEM, "Butir satu", True),
        (2, BlockKind.LIST_ITEM, "Anak butir", True),
        (3, BlockKind.LIST_ITEM, "Butir dalam p", True),
        (4, BlockKind.CAPTION, "Tabel harga", True),
        (5, BlockKind.PARAGRAPH, "Barang", True),
        (6, BlockKind.PARAGRAPH, "Beras <b>naik</b>", True),
        (7, BlockKind.LIST_ITEM, "Istilah", True),
        (8, BlockKind.LIST_ITEM, "Arti", True),
    ]
    content = assemble(document, [s.html for s in document.segments], target=Lang.EN)
    assert content.body_html == body.replace("<tr>", "<tbody><tr>").replace(
        "</table>", "</tbody></table>"
    )


def test_title_and_lead_with_markup_keep_it() -> None:
    document = analyse(title="Film <i>Dilan</i> laris", lead="Kata <b>produser</b>.", body_html="")
    assert document.title_is_html
    assert document.lead_is_html
    assert [s.html for s in document.segments] == [
        "Film <i>Dilan</i> laris",
        "Kata <b>produser</b>.",
    ]
    content = assemble(
        document, ["<i>Dilan</i> sells", "Says the <b>producer</b>."], target=Lang.EN
    )
    assert (content.title, content.lead) == ("<i>Dilan</i> sells", "Says the <b>producer</b>.")


def test_article_without_text_is_refused() -> None:
    with pytest.raises(EmptyArticleError):
        analyse(title=" ", lead="", body_html="<p> </p><figure><img src=a.jpg></figure>")


def test_photo_only_body_is_kept() -> None:
    document = analyse(title="Galeri", lead="", body_html='<figure><img src="a.jpg"></figure>')
    assert document.skeleton == '<figure><img src="a.jpg"></figure>'
    assert assemble(document, ["Gallery"], target=Lang.EN).body_html == document.skeleton


@pytest.mark.parametrize(
    "body",
    [
        "<frameset><frame src=a></frameset>",  # no body content at all
        "<div>" * 20_000 + "teks" + "</div>" * 20_000,  # nested beyond reading
    ],
)
def test_unreadable_body_raises_markup_error(body: str) -> None:
    with pytest.raises(MarkupError) as caught:
        analyse(title="Judul", lead="", body_html=body)
    assert caught.value.hint


@pytest.mark.parametrize(
    "body",
    [
        "<p>tanpa penutup <b>tebal <i>miring",
        "</p></div>teks <<>> & &bogus; <p",
        "<table><tr><td>Sel <b>satu</b></td><td>Sel dua</td></tr></table>",
        "\x00\x01teks\ud800 aneh",
        '<p onclick="x()">teks</p><!-- <!--warta:block:0--> -->',
        "<svg><text>bukan teks</text></svg><p>teks</p>",
    ],
)
def test_broken_or_odd_html_is_read_as_a_browser_would(body: str) -> None:
    document = analyse(title="Judul", lead="", body_html=body)
    content = assemble(document, [s.html for s in document.segments], target=Lang.EN)
    again = analyse(title="Judul", lead="", body_html=content.body_html)
    assert [s.html for s in again.segments] == [s.html for s in document.segments]


def test_source_comment_cannot_pose_as_a_marker() -> None:
    document = analyse(title="Judul", lead="", body_html="<p>a</p><!--warta:block:0--><p>b</p>")
    content = assemble(document, ["T", "A", "B"], target=Lang.EN)
    assert content.body_html == "<p>A</p><p>B</p>"


def test_assemble_checks_the_number_of_segments() -> None:
    document = analyse(title="Judul", lead="", body_html="<p>Isi.</p>")
    with pytest.raises(FieldError):
        assemble(document, ["Title"], target=Lang.EN)


def test_plain_text_of_inline_and_block_html() -> None:
    assert plain_text("Kata <b>dia</b> &amp; kami") == "Kata dia & kami"
    assert plain_text("<p>Satu</p><ul><li>Dua</li></ul>") == "Satu\n\nDua"
    assert plain_text("Baris<br>dua") == "Baris\ndua"


def test_every_sample_article_round_trips() -> None:
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        body = "".join(f"<p>{p}</p>" for p in article["paragraphs"]).replace("&", "&amp;")
        document = analyse(title=article["title"], lead="", body_html=body)
        content = assemble(document, [s.html for s in document.segments], target=Lang.ID)
        assert content.title == article["title"]
        assert plain_text(content.body_html) == "\n\n".join(
            " ".join(p.split()) for p in article["paragraphs"]
        )


def test_translated_edition_keeps_links_numbers_and_structure() -> None:
    document = analyse(
        title="Harga naik",
        lead="",
        body_html='<p class="x">Kata <a href="https://x.id/?a=1&amp;b=2">Jokowi</a>, harga naik '
        "270.000 rupiah.</p><figure><img src=f.jpg><figcaption>Pasar</figcaption></figure>",
    )
    english = {
        "Harga naik": ("Prices rise", ()),
        "Kata Jokowi, harga naik {0} rupiah.": (
            "Jokowi said prices rose {0} rupiah.",
            ((0, 6, 5, 11), (7, 11, 0, 4), (24, 27, 24, 27)),
        ),
        "Pasar": ("Market", ()),
    }
    translated = []
    for segment in document.segments:
        prepared = prepare(segment, target=Lang.EN, glossary=Glossary.empty())
        text, pairs = english[prepared.model_text]
        alignment = tuple(AlignedToken(*p) for p in pairs)
        done = finish(prepared, Hypothesis(text, alignment=alignment), target=Lang.EN)
        translated.append(done.html)
    content = assemble(document, translated, target=Lang.EN)
    assert content.title == "Prices rise"
    assert content.body_html == (
        '<p class="x"><a href="https://x.id/?a=1&amp;b=2">Jokowi</a> said prices rose 270,000 '
        'rupiah.</p><figure><img src="f.jpg"><figcaption>Market</figcaption></figure>'
    )
