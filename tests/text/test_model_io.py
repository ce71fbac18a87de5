"""prepare() and finish(): what the engine sees, and the translation put back together."""

from __future__ import annotations

import pytest

from warta.domain import Glossary, GlossaryTerm
from warta.engines.base import AlignedToken, Hypothesis
from warta.errors import FieldError
from warta.languages import Lang
from warta.text import PreparedSegment, analyse, finish, prepare


def prepared(
    html: str, *, target: Lang = Lang.EN, glossary: Glossary | None = None
) -> PreparedSegment:
    document = analyse(title="Judul", lead="", body_html=f"<p>{html}</p>")
    (segment,) = document.segments[1:]
    return prepare(segment, target=target, glossary=glossary or Glossary.empty())


def align(target: str, source: str, pairs: list[tuple[str, str]]) -> tuple[AlignedToken, ...]:
    """Tokens for (target word, source word) pairs, each target word searched after the last."""
    tokens = []
    cursor = 0
    for target_word, source_word in pairs:
        t = target.index(target_word, cursor)
        s = source.index(source_word)
        tokens.append(AlignedToken(t, t + len(target_word), s, s + len(source_word)))
        cursor = t + len(target_word)
    return tuple(tokens)


def test_model_text_has_no_tags_and_placeholders_for_items() -> None:
    p = prepared('Kata <a href="u">dia</a>, harga <b>270.000</b> rupiah di https://x.id.')
    assert p.model_text == "Kata dia, harga {0} rupiah di {1}."
    assert [(i.source, i.rendering) for i in p.items] == [
        ("270.000", "270,000"),
        ("https://x.id", "https://x.id"),
    ]
    assert [(s.start, s.end, s.span.tag) for s in p.spans] == [(5, 8, "a"), (16, 19, "b")]


SOURCE = (
    'Presiden <a href="https://setkab.go.id/?a=1&amp;b=2">Joko Widodo</a> meresmikan jembatan '
    "<b>baru</b> senilai Rp 270.000 juta."
)
ENGLISH = "President Joko Widodo inaugurated a new bridge worth Rp {0} million."
PAIRS = [
    ("President", "Presiden"), ("Joko", "Joko"), ("Widodo", "Widodo"),
    ("inaugurated", "meresmikan"), ("new", "baru"), ("bridge", "jembatan"),
    ("worth", "senilai"), ("Rp", "Rp"), ("{0}", "{0}"), ("million", "juta"), (".", "."),
]  # fmt: skip


def test_finish_carries_links_and_markup_through_the_alignment() -> None:
    p = prepared(SOURCE)
    done = finish(
        p, Hypothesis(ENGLISH, alignment=align(ENGLISH, p.model_text, PAIRS)), target=Lang.EN
    )
    assert done.html == (
        'President <a href="https://setkab.go.id/?a=1&amp;b=2">Joko Widodo</a> inaugurated a '
        "<b>new</b> bridge worth Rp 270,000 million."
    )
    assert done.text == "President Joko Widodo inaugurated a new bridge worth Rp 270,000 million."
    assert done.flags == ()


def test_one_stray_alignment_does_not_stretch_a_link() -> None:
    p = prepared(SOURCE)
    pairs = [*PAIRS, ("million", "Widodo")]  # a second, far-away token attends to the link text
    tokens = align(ENGLISH, p.model_text, PAIRS) + align(
        ENGLISH, p.model_text, [("million", "Widodo")]
    )
    done = finish(p, Hypothesis(ENGLISH, alignment=tokens), target=Lang.EN)
    assert len(pairs) == len(PAIRS) + 1
    assert '<a href="https://setkab.go.id/?a=1&amp;b=2">Joko Widodo</a>' in done.html


def test_without_alignment_markup_goes_to_the_same_relative_place() -> None:
    p = prepared("Harga <b>beras</b> naik tajam hari ini.")
    done = finish(p, Hypothesis("The price of rice rose sharply today."), target=Lang.EN)
    # Approximate by nature: the word whose middle falls in the span's relative range.
    assert done.html == "The price <b>of</b> rice rose sharply today."
    assert done.flags == ()


def test_link_around_a_url_stays_around_the_url_without_alignment() -> None:
    p = prepared('Baca di <a href="https://x.id/a">https://x.id/a</a> sekarang juga.')
    done = finish(p, Hypothesis("Read it right now at {0}."), target=Lang.EN)
    assert done.html == 'Read it right now at <a href="https://x.id/a">https://x.id/a</a>.'


def test_glossary_renderings_replace_their_placeholders() -> None:
    glossary = Glossary(
        version=1,
        terms=(
            GlossaryTerm(
                "Komisi Pemberantasan Korupsi", {Lang.EN: "Corruption Eradication Commission"}
            ),
            GlossaryTerm("Setya Novanto", do_not_translate=True),
        ),
    )
    p = prepared("Komisi Pemberantasan Korupsi memanggil Setya Novanto.", glossary=glossary)
    assert p.model_text == "{0} memanggil {1}."
    done = finish(p, Hypothesis("{0} summoned {1}."), target=Lang.EN)
    assert done.text == "Corruption Eradication Commission summoned Setya Novanto."


@pytest.mark.parametrize(
    ("hypothesis", "text", "flags"),
    [
        # Sent back as sent.
        ("Worth Rp {0} million.", "Worth Rp 270,000 million.", ()),
        # Spaces inside, full-width braces, Arabic-Indic digits: still ours, no doubt.
        ("Worth Rp { 0 } million.", "Worth Rp 270,000 million.", ()),
        ("Worth Rp ｛0｝ million.", "Worth Rp 270,000 million.", ()),
        ("Worth Rp {٠} million.", "Worth Rp 270,000 million.", ()),
        # A brace lost: restored, but flagged.
        ("Worth Rp {0 million.", "Worth Rp 270,000 million.", ("placeholder_mangled",)),
        ("Worth Rp 0} million.", "Worth Rp 270,000 million.", ("placeholder_mangled",)),
        # Written twice: one copy restored, the other removed.
        ("Worth Rp {0} {0} million.", "Worth Rp 270,000 million.", ("placeholder_duplicated",)),
        # A placeholder the input did not have: removed.
        ("Worth Rp {0} million {3}.", "Worth Rp 270,000 million.", ("placeholder_unknown",)),
        # Lost, no alignment: inserted at the end, before the final full stop.
        ("Worth Rp million.", "Worth Rp million 270,000.", ("placeholder_lost",)),
    ],
)
def test_placeholders_the_model_mangled(hypothesis: str, text: str, flags: tuple[str, ...]) -> None:
    p = prepared("Senilai Rp 270.000 juta.")
    done = finish(p, Hypothesis(hypothesis), target=Lang.EN)
    assert (done.text, done.flags) == (text, flags)
    assert "{" not in done.html
    assert "}" not in done.html


def test_lost_placeholder_goes_where_the_alignment_points() -> None:
    p = prepared("Senilai Rp 270.000 juta.")
    hyp = "Worth Rp million."
    tokens = align(hyp, p.model_text, [("Worth", "Senilai"), ("Rp", "Rp"), ("million", "juta")])
    done = finish(p, Hypothesis(hyp, alignment=tokens), target=Lang.EN)
    assert (done.text, done.flags) == ("Worth Rp 270,000 million.", ("placeholder_lost",))


def test_lost_placeholder_keeps_its_link() -> None:
    p = prepared('Lihat <a href="https://x.id">https://x.id</a> sekarang.')
    done = finish(p, Hypothesis("See it now."), target=Lang.EN)
    assert done.html == 'See it now <a href="https://x.id">https://x.id</a>.'
    assert done.flags == ("placeholder_lost",)


def test_chinese_markup_snaps_to_characters() -> None:
    p = prepared("<b>Jokowi</b> meresmikan jembatan.", target=Lang.ZH)
    hyp = "佐科维为大桥揭幕。"
    tokens = (
        AlignedToken(0, 3, 0, 6),  # 佐科维 <- Jokowi
        AlignedToken(3, 4, 7, 17),
        AlignedToken(4, 6, 18, 26),  # 大桥 <- jembatan
        AlignedToken(6, 8, 7, 17),
        AlignedToken(8, 9, 26, 27),
    )
    done = finish(p, Hypothesis(hyp, alignment=tokens), target=Lang.ZH)
    assert done.html == "<b>佐科维</b>为大桥揭幕。"


def test_japanese_markup_inside_a_word_run_without_spaces() -> None:
    p = prepared("Harga <i>beras</i> naik.", target=Lang.JA)
    hyp = "米の価格が上昇した。"
    tokens = (AlignedToken(0, 1, 6, 11), AlignedToken(2, 4, 0, 5), AlignedToken(5, 9, 12, 16))
    done = finish(p, Hypothesis(hyp, alignment=tokens), target=Lang.JA)
    assert done.html == "<i>米</i>の価格が上昇した。"


def test_line_break_and_image_are_placed() -> None:
    document = analyse(
        title="J", lead="", body_html='<p>Baca juga <img src="i.png">berita ini<br>Lalu pulang.</p>'
    )
    first = document.segments[1]
    assert first.html == 'Baca juga <img src="i.png">berita ini<br>'
    p = prepare(first, target=Lang.EN, glossary=Glossary.empty())
    hyp = "Also read this news"
    tokens = align(
        hyp, p.model_text, [("Also", "juga"), ("read", "Baca"), ("this", "ini"), ("news", "berita")]
    )
    done = finish(p, Hypothesis(hyp, alignment=tokens), target=Lang.EN)
    assert done.html == 'Also read this <img src="i.png">news<br>'
    assert done.text == "Also read this news\n"


def test_empty_output_keeps_no_empty_element() -> None:
    p = prepared("Kata <b>dia</b>.")
    done = finish(p, Hypothesis(""), target=Lang.EN)
    assert (done.html, done.flags) == ("", ("markup_lost",))


def test_finish_refuses_another_target() -> None:
    p = prepared("Kata dia.", target=Lang.EN)
    with pytest.raises(FieldError):
        finish(p, Hypothesis("He said."), target=Lang.FR)


def test_invalid_alignment_tokens_are_ignored() -> None:
    p = prepared("Harga <b>beras</b> naik.")
    tokens = (AlignedToken(5, 2, 0, 3), AlignedToken(0, 99, 0, 3), AlignedToken(-1, 2, 6, 11))
    done = finish(p, Hypothesis("Rice prices rose.", alignment=tokens), target=Lang.EN)
    assert done.html.count("<b>") == 1
    assert done.html.count("</b>") == 1
