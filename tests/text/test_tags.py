"""Inline markup as numbered tags for engines that keep tags (LLMs, HTML-mode APIs)."""

from __future__ import annotations

import pytest

from warta.domain import Glossary
from warta.engines.base import Hypothesis
from warta.errors import FieldError
from warta.languages import Lang
from warta.text import analyse, prepare
from warta.text.records import PreparedSegment
from warta.text.tags import finish_tagged, to_tagged, untag


def prepared(body: str, target: Lang = Lang.EN) -> PreparedSegment:
    document = analyse(title="", lead="", body_html=body)
    segment = next(s for s in document.segments if s.translate)
    return prepare(segment, target=target, glossary=Glossary.empty())


def done(p: PreparedSegment, text: str, target: Lang = Lang.EN) -> tuple[str, tuple[str, ...]]:
    out = finish_tagged(p, Hypothesis(text=text), target=target)
    return out.html, out.flags


def test_spans_voids_and_items_become_tags_and_placeholders() -> None:
    p = prepared(
        '<p>Kata <b>tebal <i>miring</i></b> di <a href="https://a.id">situs</a> '
        '2024<img src="x.png"> &lt;ok&gt;.</p>'
    )
    assert (
        to_tagged(p) == "Kata <x1>tebal <x2>miring</x2></x1> di <x3>situs</x3> {0}<x4/> &lt;ok&gt;."
    )


def test_tags_come_back_as_the_source_elements_with_their_attributes() -> None:
    p = prepared('<p>Dia membaca <a href="https://a.id/x?y=1&amp;z=2">berita</a> pada 2024.</p>')
    html, flags = done(p, "On {0} he read the <x1>news</x1>.")
    assert html == 'On 2024 he read the <a href="https://a.id/x?y=1&amp;z=2">news</a>.'
    assert flags == ()


def test_reordered_and_nested_tags_are_kept() -> None:
    p = prepared("<p><b>Satu</b> dan <i>dua</i>.</p>")
    html, flags = done(p, "<x2>Two</x2> and <x1>one</x1>.")
    assert html == "<i>Two</i> and <b>one</b>."
    assert flags == ()


def test_a_missing_tag_is_flagged_and_its_element_dropped() -> None:
    p = prepared("<p><b>Satu</b> dan dua.</p>")
    assert done(p, "One and two.") == ("One and two.", ("markup_lost",))


def test_an_unclosed_tag_is_flagged_not_guessed() -> None:
    p = prepared("<p><b>Satu</b> dan dua.</p>")
    assert done(p, "<x1>One and two.") == ("One and two.", ("markup_lost",))


def test_extra_and_unknown_tags_are_flagged_and_dropped() -> None:
    p = prepared("<p><b>Satu</b> dan dua.</p>")
    assert done(p, "<x1>One</x1> <x9>and</x9> <x1>two</x1>.") == (
        "<b>One</b> and two.",
        ("markup_extra",),
    )


def test_a_lost_placeholder_is_put_before_the_final_punctuation_and_flagged() -> None:
    p = prepared("<p>Harga naik 15 persen.</p>")
    assert done(p, "Prices rose percent.") == ("Prices rose percent 15.", ("placeholder_lost",))


def test_duplicated_and_unknown_placeholders_are_removed_and_flagged() -> None:
    p = prepared("<p>Harga naik 15 persen.</p>")
    html, flags = done(p, "Prices rose {0} {0} percent {7}.")
    assert html == "Prices rose 15 percent."
    assert flags == ("placeholder_duplicated", "placeholder_unknown")


def test_a_line_break_comes_back_as_br() -> None:
    p = prepared("<p>Baris satu<br>baris dua.</p>")
    assert to_tagged(p) == "Baris satu<x1/>"
    assert done(p, "Line one <x1/>") == ("Line one<br>", ())


def test_escaped_text_is_unescaped_once() -> None:
    p = prepared("<p>A &amp; B &lt;C&gt;.</p>")
    assert done(p, "A &amp; B &lt;C&gt;.")[0] == "A &amp; B &lt;C&gt;."


def test_numbers_are_restored_in_the_targets_conventions() -> None:
    p = prepared("<p>Harga Rp 1.500.000 per ton.</p>", Lang.FR)
    html, _ = done(p, to_tagged(p), Lang.FR)
    assert "1.500.000" not in html


def test_the_wrong_target_is_refused() -> None:
    with pytest.raises(FieldError):
        finish_tagged(prepared("<p>Satu.</p>"), Hypothesis(text="One."), target=Lang.JA)


@pytest.mark.parametrize(
    "body",
    [
        "<p>Kata <b>tebal <i>miring</i></b> &amp; <a href='https://a.id'>situs</a> 2024.</p>",
        "<p>Satu<br>dua <img src='x.png'> tiga &lt;4&gt; {0} kompas.com.</p>",
        "<p><b>Semua tebal</b></p>",
    ],
)
def test_untag_gives_back_the_model_text(body: str) -> None:
    document = analyse(title="", lead="", body_html=body)
    for segment in document.segments:
        p = prepare(segment, target=Lang.ZH, glossary=Glossary.empty())
        assert untag(to_tagged(p)) == p.model_text
