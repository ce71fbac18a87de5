"""Which glossary terms apply to a sentence: exactly those translation puts a placeholder for."""

from __future__ import annotations

from warta.domain import Glossary, GlossaryTerm
from warta.languages import Lang
from warta.text.glossary_key import applicable_terms, glossary_key
from warta.text.protect import find_items
from warta.text.records import ItemKind

SENTENCE = "Bank Indonesia menaikkan suku bunga acuan, kata Gubernur di Jakarta."
BANK = GlossaryTerm(source="Bank Indonesia", translations={Lang.EN: "Bank Indonesia (BI)"})
JAKARTA = GlossaryTerm(source="Jakarta", do_not_translate=True)


def glossary(*terms: GlossaryTerm, version: int = 1) -> Glossary:
    return Glossary(version=version, terms=terms)


def test_no_applicable_term_gives_an_empty_key() -> None:
    assert glossary_key(SENTENCE, glossary=Glossary.empty(), target=Lang.EN) == ""
    other = GlossaryTerm(source="Surabaya", do_not_translate=True)
    assert glossary_key(SENTENCE, glossary=glossary(other), target=Lang.EN) == ""


def test_terms_in_the_sentence_apply_in_order_of_appearance() -> None:
    found = applicable_terms(SENTENCE, glossary=glossary(JAKARTA, BANK), target=Lang.EN)
    assert [t.source for t in found] == ["Bank Indonesia", "Jakarta"]
    assert glossary_key(SENTENCE, glossary=glossary(JAKARTA, BANK), target=Lang.EN) != ""


def test_a_term_with_no_rendering_for_the_target_is_left_to_the_model() -> None:
    # Translation places no placeholder for it in French, so it cannot change that translation.
    assert applicable_terms(SENTENCE, glossary=glossary(BANK), target=Lang.FR) == ()
    assert glossary_key(SENTENCE, glossary=glossary(BANK), target=Lang.FR) == ""


def test_the_key_ignores_unrelated_terms_and_the_glossary_version() -> None:
    base = glossary_key(SENTENCE, glossary=glossary(JAKARTA, version=1), target=Lang.EN)
    unrelated = GlossaryTerm(source="Surabaya", do_not_translate=True)
    assert (
        glossary_key(SENTENCE, glossary=glossary(JAKARTA, unrelated, version=9), target=Lang.EN)
        == base
    )


def test_the_key_changes_with_the_terms_rendering_for_that_target_only() -> None:
    en = glossary_key(SENTENCE, glossary=glossary(BANK), target=Lang.EN)
    renamed = GlossaryTerm(
        source="Bank Indonesia", translations={Lang.EN: "Indonesia's central bank"}
    )
    assert glossary_key(SENTENCE, glossary=glossary(renamed), target=Lang.EN) != en
    with_french = GlossaryTerm(
        source="Bank Indonesia",
        translations={Lang.EN: "Bank Indonesia (BI)", Lang.FR: "Banque d'Indonésie"},
    )
    assert glossary_key(SENTENCE, glossary=glossary(with_french), target=Lang.EN) == en


def test_the_key_changes_when_a_term_is_kept_verbatim_instead_or_its_case_rule_changes() -> None:
    base = glossary_key(SENTENCE, glossary=glossary(JAKARTA), target=Lang.EN)
    translated = GlossaryTerm(source="Jakarta", translations={Lang.EN: "Jakarta"})
    any_case = GlossaryTerm(source="Jakarta", do_not_translate=True, case_sensitive=False)
    assert glossary_key(SENTENCE, glossary=glossary(translated), target=Lang.EN) != base
    assert glossary_key(SENTENCE, glossary=glossary(any_case), target=Lang.EN) != base


def test_a_shorter_term_inside_a_placed_longer_one_does_not_apply() -> None:
    # "Indonesia" is inside "Bank Indonesia", which translation places first (longest first).
    indonesia = GlossaryTerm(source="Indonesia", translations={Lang.EN: "Indonesia"})
    with_both = glossary(BANK, indonesia)
    assert [t.source for t in applicable_terms(SENTENCE, glossary=with_both, target=Lang.EN)] == [
        "Bank Indonesia"
    ]
    assert glossary_key(SENTENCE, glossary=with_both, target=Lang.EN) == glossary_key(
        SENTENCE, glossary=glossary(BANK), target=Lang.EN
    )


def test_a_term_inside_a_web_address_does_not_apply_as_translation_does_not_place_it() -> None:
    sentence = "Baca selengkapnya di kompas.com hari ini."
    kompas = GlossaryTerm(source="kompas", do_not_translate=True)
    items = find_items(sentence, glossary=glossary(kompas), target=Lang.EN)
    assert [i.kind for i in items] == [ItemKind.URL]
    assert applicable_terms(sentence, glossary=glossary(kompas), target=Lang.EN) == ()
    assert glossary_key(sentence, glossary=glossary(kompas), target=Lang.EN) == ""
