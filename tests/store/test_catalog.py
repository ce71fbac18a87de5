from __future__ import annotations

import pytest
import sqlalchemy
from tests.dbfixtures import FakeClock

from warta.domain import Glossary, GlossaryTerm, RegisteredModel, Site
from warta.errors import ConflictError, FieldError, NotFoundError, UnknownLanguageError
from warta.languages import Lang
from warta.store import catalog
from warta.store.audit import AuditStore
from warta.store.repository import Store
from warta.store.session import transaction, writer

JOKOWI = GlossaryTerm(source="Jokowi", do_not_translate=True)

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


def test_a_term_both_kept_and_rendered_is_refused_by_the_store(store: Store, site: Site) -> None:
    with pytest.raises(FieldError) as err:
        store.put_glossary_term(
            site_id=site.id,
            term=GlossaryTerm(source="DPR", translations={Lang.EN: "House"}, do_not_translate=True),
        )
    assert "keep-as-is and also has renderings" in err.value.message
    assert store.get_glossary(site.id).terms == ()


def test_a_term_clashing_with_a_stored_one_in_another_case_conflicts(
    store: Store, site: Site
) -> None:
    store.put_glossary_term(site_id=site.id, term=GlossaryTerm("DPR", do_not_translate=True))
    store.put_glossary_term(site_id=site.id, term=GlossaryTerm("dpr", do_not_translate=True))
    with pytest.raises(ConflictError) as err:
        store.put_glossary_term(
            site_id=site.id, term=GlossaryTerm("Dpr", do_not_translate=True, case_sensitive=False)
        )
    assert "clashes with the term" in err.value.message
    assert [t.source for t in store.get_glossary(site.id).terms] == ["DPR", "dpr"]


def test_each_change_is_one_version_and_one_audit_entry_in_its_transaction(
    engine: sqlalchemy.Engine, clock: FakeClock, site: Site
) -> None:
    now = clock()
    with transaction(writer(engine)) as session:
        added = catalog.put_term(session, site_id=site.id, term=JOKOWI, now=now, actor="a@x.id")
        same = catalog.put_term(session, site_id=site.id, term=JOKOWI, now=now, actor="a@x.id")
        changed = catalog.put_term(
            session,
            site_id=site.id,
            term=GlossaryTerm("Jokowi", translations={Lang.JA: "ジョコウィ"}),
            now=now,
            actor="a@x.id",
        )
        deleted = catalog.delete_term(session, site_id=site.id, source="Jokowi", now=now)
    assert added == catalog.TermChange(before=None, after=JOKOWI)
    assert same is None
    assert changed is not None
    assert changed.kind == "changed"
    assert (deleted.kind, deleted.before, deleted.after) == ("deleted", changed.after, None)
    entries = AuditStore(engine).entries(site_id=site.id)
    assert [(e.action, e.actor) for e in entries] == [
        ("glossary.term_deleted", "cli"),
        ("glossary.term_changed", "a@x.id"),
        ("glossary.term_added", "a@x.id"),
    ]
    with transaction(engine) as session:
        assert catalog.glossary(session, site.id).version == 3


def test_a_failed_transaction_leaves_neither_term_nor_audit_entry(
    engine: sqlalchemy.Engine, clock: FakeClock, site: Site
) -> None:
    def add_then_fail() -> None:
        with transaction(writer(engine)) as session:
            catalog.put_term(session, site_id=site.id, term=JOKOWI, now=clock(), actor="cli")
            catalog.delete_term(session, site_id=site.id, source="Tidak Ada", now=clock())

    with pytest.raises(NotFoundError):
        add_then_fail()
    assert AuditStore(engine).entries(site_id=site.id) == []
    with transaction(engine) as session:
        assert catalog.glossary(session, site.id) == Glossary(version=0)


def test_an_import_is_one_version_whatever_it_changes(
    engine: sqlalchemy.Engine, clock: FakeClock, site: Site
) -> None:
    mpr = GlossaryTerm("MPR", do_not_translate=True)
    dpr = GlossaryTerm("DPR", translations={Lang.EN: "House"})
    with transaction(writer(engine)) as session:
        catalog.put_term(session, site_id=site.id, term=mpr, now=clock(), actor="cli")
        changes = catalog.import_terms(
            session, site_id=site.id, terms=[JOKOWI, dpr], now=clock(), actor="cli"
        )
        again = catalog.import_terms(
            session, site_id=site.id, terms=[JOKOWI, dpr], now=clock(), actor="cli"
        )
        replaced = catalog.import_terms(
            session, site_id=site.id, terms=[dpr], now=clock(), actor="cli", replace=True
        )
        glossary = catalog.glossary(session, site.id)
    assert [(c.kind, c.source) for c in changes] == [("added", "Jokowi"), ("added", "DPR")]
    assert again == ()
    assert sorted((c.kind, c.source) for c in replaced) == [
        ("deleted", "Jokowi"),
        ("deleted", "MPR"),
    ]
    assert glossary == Glossary(version=3, terms=(dpr,))
    assert [e.action for e in AuditStore(engine).entries(site_id=site.id)] == [
        "glossary.imported",
        "glossary.imported",
        "glossary.term_added",
    ]


@pytest.mark.parametrize(
    ("terms", "words"),
    [
        # two entries for one term: the second is named with its line
        ([JOKOWI, GlossaryTerm("DPR", do_not_translate=True), JOKOWI], "line 9: the term 'Jokowi'"),
        # a bad term among good ones
        ([JOKOWI, GlossaryTerm("DPR")], "line 8: glossary term 'DPR' says nothing"),
    ],
)
def test_an_import_with_one_bad_term_imports_nothing(
    engine: sqlalchemy.Engine, clock: FakeClock, site: Site, terms: list[GlossaryTerm], words: str
) -> None:
    with pytest.raises(FieldError) as err, transaction(writer(engine)) as session:
        catalog.import_terms(
            session, site_id=site.id, terms=terms, lines=[7, 8, 9], now=clock(), actor="cli"
        )
    assert err.value.message.startswith(words)
    with transaction(engine) as session:
        assert catalog.glossary(session, site.id) == Glossary(version=0)


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
