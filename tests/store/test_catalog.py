from __future__ import annotations

import pytest

from warta.domain import GlossaryTerm, RegisteredModel, Site
from warta.errors import ConflictError, FieldError, NotFoundError, UnknownLanguageError
from warta.languages import Lang
from warta.store.repository import Store

# --- sites ---------------------------------------------------------------------------------------


def test_site_is_created_and_found_by_slug(store: Store) -> None:
    created = store.create_site(slug="kabar-24", name="Kabar 24 Jam")
    assert store.get_site("kabar-24") == created
    assert created.glossary_version == 0
    assert [s.slug for s in store.list_sites()] == ["kabar-24"]


def test_taken_slug_conflicts(store: Store, site: Site) -> None:
    with pytest.raises(ConflictError):
        store.create_site(slug=site.slug, name="Another")


@pytest.mark.parametrize("slug", ["Kabar", "kabar news", "", "-kabar", "kabar_24", "berita/kabar"])
def test_invalid_slug_is_refused(store: Store, slug: str) -> None:
    with pytest.raises(FieldError):
        store.create_site(slug=slug, name="Kabar")


def test_unknown_site_names_the_command_that_creates_it(store: Store) -> None:
    with pytest.raises(NotFoundError) as err:
        store.get_site("tidak-ada")
    assert err.value.hint == "create it with `warta sites create tidak-ada`"


def test_get_or_create_site_returns_the_existing_site(store: Store, site: Site) -> None:
    assert store.get_or_create_site(slug=site.slug, name="Renamed?") == site
    made = store.get_or_create_site(slug="baru", name="Baru")
    assert [s.slug for s in store.list_sites()] == ["baru", "kabar"]
    assert store.get_site("baru") == made


# --- glossary ------------------------------------------------------------------------------------


def test_every_glossary_change_bumps_the_version(store: Store, site: Site) -> None:
    assert store.get_glossary(site.id).version == 0
    g1 = store.put_glossary_term(
        site_id=site.id, term=GlossaryTerm(source="Jokowi", do_not_translate=True)
    )
    g2 = store.put_glossary_term(
        site_id=site.id,
        term=GlossaryTerm(
            source="DPR",
            translations={Lang.EN: "House of Representatives", Lang.ZH: "人民代表会议"},
        ),
    )
    g3 = store.put_glossary_term(
        site_id=site.id,
        term=GlossaryTerm(source="DPR", translations={Lang.EN: "parliament"}, case_sensitive=False),
    )
    g4 = store.delete_glossary_term(site_id=site.id, source="Jokowi")

    assert [g.version for g in (g1, g2, g3, g4)] == [1, 2, 3, 4]
    assert g4.terms == (
        GlossaryTerm(source="DPR", translations={Lang.EN: "parliament"}, case_sensitive=False),
    )
    assert store.get_glossary(site.id) == g4
    assert store.get_site(site.slug).glossary_version == 4


def test_putting_an_identical_term_changes_nothing(store: Store, site: Site) -> None:
    term = GlossaryTerm(
        source="Bank Indonesia",
        translations={Lang.AR: "بنك إندونيسيا", Lang.JA: "インドネシア銀行"},
    )
    first = store.put_glossary_term(site_id=site.id, term=term)
    again = store.put_glossary_term(site_id=site.id, term=term)
    assert again == first
    assert again.version == 1
    assert again.terms[0].translations == {Lang.AR: "بنك إندونيسيا", Lang.JA: "インドネシア銀行"}


def test_glossaries_are_per_site(store: Store, site: Site) -> None:
    other = store.create_site(slug="lain", name="Lain")
    store.put_glossary_term(
        site_id=site.id, term=GlossaryTerm(source="Jokowi", do_not_translate=True)
    )
    assert store.get_glossary(other.id).terms == ()
    assert store.get_glossary(other.id).version == 0


@pytest.mark.parametrize(
    ("term", "error"),
    [
        (GlossaryTerm(source="  "), FieldError),  # no source text
        (GlossaryTerm(source="DPR"), FieldError),  # neither renderings nor do-not-translate
        (
            GlossaryTerm(source="DPR", translations={Lang.ID: "DPR"}),
            FieldError,
        ),  # the source language
        (GlossaryTerm(source="DPR", translations={Lang.EN: " "}), FieldError),  # empty rendering
        (GlossaryTerm(source="DPR", translations={"xx": "?"}), UnknownLanguageError),  # type: ignore[dict-item]
    ],
)
def test_glossary_term_that_says_nothing_useful_is_refused(
    store: Store, site: Site, term: GlossaryTerm, error: type[Exception]
) -> None:
    with pytest.raises(error):
        store.put_glossary_term(site_id=site.id, term=term)
    assert store.get_glossary(site.id).version == 0


def test_deleting_a_missing_term_is_not_found(store: Store, site: Site) -> None:
    with pytest.raises(NotFoundError) as err:
        store.delete_glossary_term(site_id=site.id, source="Tidak Ada")
    assert "warta glossary list" in err.value.hint
    assert store.get_glossary(site.id).version == 0


# --- registered models ---------------------------------------------------------------------------


def model(target: Lang, name: str = "opus-mt-id-en") -> RegisteredModel:
    return RegisteredModel(
        name=name,
        path=f"/models/{name}",
        source=Lang.ID,
        target=target,
        family="marian",
        checksum="sha256:" + "0" * 64,
    )


def test_models_are_registered_one_per_language_pair(store: Store) -> None:
    store.add_model(model(Lang.FR, "opus-mt-id-fr"))
    first = store.add_model(model(Lang.EN, "opus-mt-id-en"))
    replaced = store.add_model(model(Lang.EN, "nllb-200-distilled-600M"))

    assert first.added_at is not None
    assert [(m.target, m.name) for m in store.list_models()] == [
        (Lang.EN, "nllb-200-distilled-600M"),
        (Lang.FR, "opus-mt-id-fr"),
    ]
    assert store.list_models()[0] == replaced


def test_removed_model_is_gone_and_removing_it_again_is_not_found(store: Store) -> None:
    store.add_model(model(Lang.EN))
    store.remove_model(source=Lang.ID, target=Lang.EN)
    assert store.list_models() == []
    with pytest.raises(NotFoundError):
        store.remove_model(source=Lang.ID, target=Lang.EN)


def test_model_from_a_language_to_itself_is_refused(store: Store) -> None:
    with pytest.raises(FieldError):
        store.add_model(model(Lang.ID))
