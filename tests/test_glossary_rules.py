from __future__ import annotations

import pytest

from warta.domain import GlossaryTerm
from warta.errors import FieldError, UnknownLanguageError
from warta.glossary_rules import MAX_SOURCE_CHARS, check_term, clash, first_clash
from warta.languages import Lang


def test_a_term_is_tidied_and_its_renderings_ordered_by_language() -> None:
    term = check_term(
        GlossaryTerm(
            source="  Dewan\u00a0 Perwakilan\nRakyat ",
            translations={Lang.FR: " Chambre des représentants ", Lang.EN: "House"},
        )
    )
    assert term == GlossaryTerm(
        source="Dewan Perwakilan Rakyat",
        translations={Lang.EN: "House", Lang.FR: "Chambre des représentants"},
    )
    assert list(term.translations) == [Lang.EN, Lang.FR]


@pytest.mark.parametrize(
    ("term", "words"),
    [
        # nothing to match
        (GlossaryTerm(source=" \t", do_not_translate=True), "needs its Indonesian text"),
        # keep-as-is and renderings at once: the translator could honour only one
        (
            GlossaryTerm(source="DPR", translations={Lang.EN: "House"}, do_not_translate=True),
            "marked keep-as-is and also has renderings (en)",
        ),
        # neither keep-as-is nor a rendering
        (GlossaryTerm(source="DPR"), "says nothing"),
        # an empty rendering
        (GlossaryTerm(source="DPR", translations={Lang.JA: "  "}), "empty rendering for ja"),
        # a rendering for the source language
        (GlossaryTerm(source="DPR", translations={Lang.ID: "DPR"}), "rendering for Indonesian"),
        # markup: a tag in the source, a character reference in the source or a rendering
        (GlossaryTerm(source="<b>DPR</b>", do_not_translate=True), "contains markup ('<b')"),
        (GlossaryTerm(source="Tom &amp; Jerry", do_not_translate=True), "contains markup"),
        (
            GlossaryTerm(source="DPR", translations={Lang.EN: "<i>House</i>"}),
            "the en rendering of 'DPR' contains markup",
        ),
        # a control character pasted in
        (GlossaryTerm(source="DPR\x07", do_not_translate=True), "control character"),
        # longer than any term
        (
            GlossaryTerm(source="kata " * 41, do_not_translate=True),
            f"over the limit of {MAX_SOURCE_CHARS}",
        ),
    ],
)
def test_a_bad_term_is_refused_with_what_is_wrong(term: GlossaryTerm, words: str) -> None:
    with pytest.raises(FieldError) as err:
        check_term(term)
    assert words in err.value.message
    assert err.value.hint


def test_plain_text_that_only_looks_like_markup_is_a_term() -> None:
    assert check_term(GlossaryTerm(source="AT&T", do_not_translate=True)).source == "AT&T"
    assert check_term(GlossaryTerm(source="a < b", do_not_translate=True)).source == "a < b"


def test_a_rendering_for_an_unknown_language_names_it() -> None:
    with pytest.raises(UnknownLanguageError) as err:
        check_term(GlossaryTerm(source="DPR", translations={"de": "Parlament"}))  # type: ignore[dict-item]
    assert "'de'" in err.value.message
    assert err.value.hint == "give renderings for en, zh, ja, ar, fr only"


@pytest.mark.parametrize(
    ("a", "b", "clashes"),
    [
        (GlossaryTerm("DPR"), GlossaryTerm("DPR"), True),  # the same source
        (GlossaryTerm("DPR"), GlossaryTerm("dpr"), False),  # both match case: told apart
        (GlossaryTerm("DPR"), GlossaryTerm("dpr", case_sensitive=False), True),
        (GlossaryTerm("DPR", case_sensitive=False), GlossaryTerm("dpr"), True),
        (GlossaryTerm("DPR", case_sensitive=False), GlossaryTerm("MPR"), False),
    ],
)
def test_terms_clash_when_the_translator_could_not_tell_them_apart(
    a: GlossaryTerm, b: GlossaryTerm, clashes: bool
) -> None:
    assert clash(a, b) is clashes
    assert clash(b, a) is clashes


def test_first_clash_gives_the_earlier_and_the_later_index() -> None:
    terms = [
        GlossaryTerm("Jokowi"),
        GlossaryTerm("DPR"),
        GlossaryTerm("dpr"),
        GlossaryTerm("Dpr", case_sensitive=False),
    ]
    assert first_clash(terms) == (1, 3)
    assert first_clash(terms[:3]) is None
