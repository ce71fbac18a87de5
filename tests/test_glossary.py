"""The glossary service: changes, who may make them, CSV in and out, and what is queued again.

Runs on SQLite and PostgreSQL (the prefilter is SQL); the last tests run the real worker with
the fake engine to see which sentences a glossary change sends to the engine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
import sqlalchemy
from tests.dbfixtures import (
    FakeClock,
    backend,
    clock,
    db_url,
    engine,
    make_draft,
    make_edition,
    queue,
    site,
    store,
)

from warta.domain import ArticleDraft, EditorRole, Glossary, GlossaryTerm, JobPriority, Site
from warta.engines.fake import FakeEngine
from warta.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from warta.glossary import GlossaryService, affected_langs
from warta.glossary_csv import read
from warta.integrations import build_integrations
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services
from warta.store.audit import AuditStore
from warta.store.editors import Editor
from warta.store.repository import Store
from warta.workers.queue import SqlJobQueue
from warta.workers.runner import Worker

__all__ = ["backend", "clock", "db_url", "engine", "queue", "site", "store"]

ARTICLES = {
    # external id: (title, body)
    "anggaran": ("DPR menyetujui anggaran", "<p>Rapat berlangsung lama. DPR setuju.</p>"),
    "banjir": ("Banjir melanda Jakarta", "<p>Hujan deras sejak pagi. Ribuan warga mengungsi.</p>"),
    "kecil": ("Anggota dpr daerah berkunjung", "<p>Mereka datang pagi.</p>"),
    "dewan": (
        "Dewan Perwakilan Rakyat bersidang",
        "<p>Sidang <b>Dewan Perwakilan Rakyat</b> dimulai pukul 9.</p>",
    ),
    "rakyat": ("Rakyat menunggu keputusan", "<p>Keputusan diumumkan besok.</p>"),
}
ADMIN = "admin@kabar.id"
Publish = Callable[..., dict[str, int]]
Queued = Callable[[dict[str, int]], set[tuple[str, str]]]


@pytest.fixture
def service(engine: sqlalchemy.Engine, clock: FakeClock) -> GlossaryService:
    return GlossaryService(engine, targets=TARGET_LANGS, clock=clock)


@pytest.fixture
def publish(store: Store, queued: Queued, site: Site) -> Publish:
    """Store articles and record a translation of each into every language (jobs done)."""

    def run(*names: str, langs: tuple[Lang, ...] = TARGET_LANGS) -> dict[str, int]:
        revisions = {}
        for name in names or tuple(ARTICLES):
            title, body = ARTICLES[name]
            saved = store.save_article(
                make_draft(name, site=site.slug, title=title, body_html=body), targets=langs
            )
            revisions[name] = saved.revision.id
        queued(revisions)
        return revisions

    return run


@pytest.fixture
def queued(store: Store, queue: SqlJobQueue) -> Queued:
    """(article, lang) of every queued job; the jobs are then done, so the next check starts
    empty (as after a worker's run)."""

    def run(revisions: dict[str, int]) -> set[tuple[str, str]]:
        names = {revision: name for name, revision in revisions.items()}
        jobs = queue.claim(worker="w", limit=100, lease_seconds=60)
        for job in jobs:
            article = store.get_article_by_id(store.get_revision(job.revision_id).article_id)
            store.record_translation(
                job_id=job.id,
                worker="w",
                site_id=article.site_id,
                edition=make_edition(job.revision_id, job.lang),
                memory=(),
            )
        return {(names[job.revision_id], job.lang.value) for job in jobs}

    return run


DPR_EN = GlossaryTerm(source="DPR", translations={Lang.EN: "House of Representatives"})


# --- what a change queues again ----------------------------------------------------------------


def test_a_new_term_requeues_only_articles_with_it_in_the_languages_it_applies_to(
    service: GlossaryService, publish: Publish, queued: Queued, site: Site
) -> None:
    revisions = publish()

    change = service.put(site_id=site.id, term=DPR_EN, actor="cli")

    assert change.requeued == 1
    assert change.glossary.version == 1
    assert queued(revisions) == {("anggaran", "en")}  # not "dpr" (case), not zh..fr


def test_a_keep_as_is_term_requeues_every_language(
    service: GlossaryService, publish: Publish, queued: Queued, site: Site
) -> None:
    revisions = publish()

    change = service.put(
        site_id=site.id, term=GlossaryTerm(source="Jakarta", do_not_translate=True), actor="cli"
    )

    assert change.requeued == 5
    assert queued(revisions) == {("banjir", lang.value) for lang in TARGET_LANGS}


def test_a_term_ignoring_case_finds_every_spelling(
    service: GlossaryService, publish: Publish, queued: Queued, site: Site
) -> None:
    revisions = publish()

    service.put(
        site_id=site.id,
        term=GlossaryTerm(source="dpr", translations={Lang.FR: "Chambre"}, case_sensitive=False),
        actor="cli",
    )

    assert queued(revisions) == {("anggaran", "fr"), ("kecil", "fr")}


def test_changing_one_rendering_requeues_that_language_only(
    service: GlossaryService, publish: Publish, queued: Queued, site: Site
) -> None:
    revisions = publish()
    both = GlossaryTerm(source="DPR", translations={Lang.EN: "House", Lang.ZH: "人民代表会议"})
    service.put(site_id=site.id, term=both, actor="cli")
    queued(revisions)

    change = service.put(
        site_id=site.id,
        term=GlossaryTerm(source="DPR", translations={Lang.EN: "House", Lang.ZH: "国会"}),
        actor="cli",
    )

    assert change.requeued == 1
    assert queued(revisions) == {("anggaran", "zh")}


def test_deleting_a_term_requeues_what_it_applied_to(
    service: GlossaryService, publish: Publish, store: Store, queued: Queued, site: Site
) -> None:
    revisions = publish()
    service.put(site_id=site.id, term=DPR_EN, actor="cli")
    queued(revisions)

    change = service.delete(site_id=site.id, source=" DPR ", actor="cli")

    assert change.glossary.terms == ()
    assert change.glossary.version == 2
    assert (change.requeued, [c.kind for c in change.changes]) == (1, ["deleted"])
    assert queued(revisions) == {("anggaran", "en")}


def test_a_term_inside_a_longer_term_changes_nothing_there(
    service: GlossaryService, publish: Publish, store: Store, queued: Queued, site: Site
) -> None:
    revisions = publish("dewan", "rakyat")
    service.put(
        site_id=site.id,
        term=GlossaryTerm(source="Dewan Perwakilan Rakyat", translations={Lang.EN: "House"}),
        actor="cli",
    )
    assert queued(revisions) == {("dewan", "en")}

    service.put(
        site_id=site.id, term=GlossaryTerm("Rakyat", translations={Lang.EN: "People"}), actor="x"
    )

    # the translator places "Dewan Perwakilan Rakyat" (longest first), never "Rakyat" inside it
    assert queued(revisions) == {("rakyat", "en")}


def test_only_the_current_revision_of_the_site_s_articles_is_requeued(
    service: GlossaryService, publish: Publish, store: Store, queued: Queued, site: Site
) -> None:
    revisions = publish("anggaran", "banjir")
    other = store.create_site(slug="lain", name="Lain")
    saved = store.save_article(
        make_draft("anggaran", site=other.slug, title="DPR bersidang"), targets=TARGET_LANGS
    )
    newer = store.save_article(  # "anggaran" no longer mentions DPR; "banjir" now does
        make_draft("anggaran", site=site.slug, title="Anggaran disetujui"), targets=TARGET_LANGS
    )
    newest = store.save_article(
        make_draft("banjir", site=site.slug, title="DPR meninjau banjir"), targets=TARGET_LANGS
    )
    revisions |= {
        "other site": saved.revision.id,
        "anggaran v2": newer.revision.id,
        "banjir v2": newest.revision.id,
    }
    queued(revisions)

    change = service.put(site_id=site.id, term=DPR_EN, actor="cli")

    assert queued(revisions) == {("banjir v2", "en")}
    assert change.requeued == 1


def test_editions_not_translated_yet_are_left_to_their_queued_job(
    service: GlossaryService, store: Store, queue: SqlJobQueue, site: Site
) -> None:
    store.save_article(make_draft("a", title="DPR bersidang"), targets=(Lang.EN,))

    change = service.put(site_id=site.id, term=DPR_EN, actor="cli")

    assert (
        change.requeued == 0
    )  # its job, still queued: Queued, reads the new glossary when it runs
    assert [job.lang for job in queue.claim(worker="w", limit=10, lease_seconds=60)] == [Lang.EN]


def test_putting_the_same_term_again_changes_nothing(
    service: GlossaryService,
    publish: Publish,
    queued: Queued,
    engine: sqlalchemy.Engine,
    site: Site,
) -> None:
    revisions = publish("anggaran")
    service.put(site_id=site.id, term=DPR_EN, actor="cli")
    queued(revisions)

    again = service.put(site_id=site.id, term=DPR_EN, actor="cli")

    assert (again.glossary.version, again.requeued, again.changes) == (1, 0, ())
    assert queued(revisions) == set()
    assert len(AuditStore(engine).entries(site_id=site.id)) == 1


@pytest.mark.parametrize(
    ("before", "after", "langs"),
    [
        # a rendering added for one language
        ((), (DPR_EN,), (Lang.EN,)),
        # a term the article does not contain
        ((), (GlossaryTerm("MPR", do_not_translate=True),), ()),
        # only the rendering of a language the article is not translated into
        (
            (DPR_EN,),
            (GlossaryTerm("DPR", translations={**DPR_EN.translations, Lang.JA: "国会"}),),
            (),
        ),
        # from a rendering to keep-as-is: every language changes
        ((DPR_EN,), (GlossaryTerm("DPR", do_not_translate=True),), (Lang.EN, Lang.FR)),
    ],
)
def test_affected_languages_are_those_whose_sentence_keys_change(
    before: tuple[GlossaryTerm, ...], after: tuple[GlossaryTerm, ...], langs: tuple[Lang, ...]
) -> None:

    assert (
        affected_langs(
            title="DPR menyetujui anggaran",
            lead="",
            body_html="<p>Rapat berlangsung lama.</p>",
            before=Glossary(version=1, terms=before),
            after=Glossary(version=2, terms=after),
            langs=(Lang.EN, Lang.FR),
        )
        == langs
    )


# --- who may change it, and the audit log ------------------------------------------------------


def editor(site: Site, role: EditorRole, *, site_id: int | None = None) -> Editor:
    return Editor(
        id=7,
        site_id=site.id if site_id is None else site_id,
        site=site.slug,
        email=ADMIN if role is EditorRole.ADMIN else "editor@kabar.id",
        created_at=FakeClock().now,
        role=role,
    )


def test_an_editor_who_is_not_admin_is_forbidden_and_nothing_changes(
    service: GlossaryService, site: Site
) -> None:
    with pytest.raises(ForbiddenError) as err:
        service.put(site_id=site.id, term=DPR_EN, actor="editor@kabar.id", role=EditorRole.EDITOR)
    assert "only an admin" in err.value.message
    with pytest.raises(ForbiddenError):
        service.import_csv(
            site_id=site.id, data=b"source,keep\nDPR,yes\n", actor=editor(site, EditorRole.EDITOR)
        )
    with pytest.raises(ForbiddenError):
        service.delete(site_id=site.id, source="DPR", actor="e@kabar.id", role=EditorRole.EDITOR)
    assert service.terms(site_id=site.id).version == 0


def test_an_admin_of_another_site_finds_no_such_site(service: GlossaryService, site: Site) -> None:
    with pytest.raises(NotFoundError):
        service.put(
            site_id=site.id, term=DPR_EN, actor=editor(site, EditorRole.ADMIN, site_id=site.id + 1)
        )
    assert service.terms(site_id=site.id).version == 0


def test_every_change_is_in_the_audit_log_with_who_before_and_after(
    service: GlossaryService, engine: sqlalchemy.Engine, clock: FakeClock, site: Site
) -> None:
    admin = editor(site, EditorRole.ADMIN)
    service.put(site_id=site.id, term=DPR_EN, actor=admin)
    clock.advance(1)
    service.put(
        site_id=site.id, term=GlossaryTerm("DPR", translations={Lang.EN: "House"}), actor=admin
    )
    clock.advance(1)
    service.delete(site_id=site.id, source="DPR", actor="cli")
    clock.advance(1)
    service.import_csv(site_id=site.id, data=b"source,keep\nJokowi,yes\n", actor="cli")

    entries = AuditStore(engine).entries(site_id=site.id)
    assert [(e.action, e.actor) for e in entries] == [
        ("glossary.imported", "cli"),
        ("glossary.term_deleted", "cli"),
        ("glossary.term_changed", ADMIN),
        ("glossary.term_added", ADMIN),
    ]
    imported, deleted, changed, added = entries
    assert added.before is None
    assert json.loads(added.after or "") == {
        "source": "DPR",
        "keep": False,
        "case_sensitive": True,
        "translations": {"en": "House of Representatives"},
    }
    assert json.loads(changed.before or "")["translations"] == {"en": "House of Representatives"}
    assert json.loads(changed.after or "")["translations"] == {"en": "House"}
    assert (json.loads(deleted.before or "")["source"], deleted.after) == ("DPR", None)
    assert imported.subject == "glossary of kabar: 1 added, 0 changed, 0 deleted"
    assert [t["source"] for t in json.loads(imported.after or "")] == ["Jokowi"]


def test_a_term_clashing_with_a_stored_one_is_a_conflict(
    service: GlossaryService, site: Site
) -> None:
    service.put(site_id=site.id, term=DPR_EN, actor="cli")
    with pytest.raises(ConflictError) as err:
        service.put(
            site_id=site.id,
            term=GlossaryTerm("dpr", do_not_translate=True, case_sensitive=False),
            actor="cli",
        )
    assert "clashes with the term 'DPR'" in err.value.message
    assert service.terms(site_id=site.id).version == 1


def test_two_admins_adding_clashing_terms_at_once_store_one_of_them(
    engine: sqlalchemy.Engine, clock: FakeClock, site: Site
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(source: str) -> None:
        service = GlossaryService(engine, targets=TARGET_LANGS, clock=clock)
        term = GlossaryTerm(source, do_not_translate=True, case_sensitive=False)
        barrier.wait()
        try:
            service.put(site_id=site.id, term=term, actor=source)
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=add, args=(s,)) for s in ("BMKG", "bmkg")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "stored"]
    glossary = GlossaryService(engine, targets=TARGET_LANGS).terms(site_id=site.id)
    assert (glossary.version, len(glossary.terms)) == (1, 1)


# --- CSV ---------------------------------------------------------------------------------------

CSV = (
    "source,keep,case_sensitive,en,zh,ja,ar,fr\n"
    "DPR,no,no,House of Representatives,人民代表会议,国民議会,مجلس النواب,Chambre\n"
    "Jokowi,yes,yes,,,,,\n"
    'Bank Indonesia,,,"Bank Indonesia, the central bank",,,,\n'
).encode()


def test_export_then_import_gives_the_same_glossary(
    service: GlossaryService, store: Store, site: Site
) -> None:
    service.import_csv(site_id=site.id, data=CSV, actor="cli")
    exported = service.export_csv(site_id=site.id)
    other = store.create_site(slug="lain", name="Lain")

    service.import_csv(site_id=other.id, data=exported, actor="cli")
    again = service.import_csv(site_id=site.id, data=exported, actor="cli")

    assert service.terms(site_id=other.id).terms == service.terms(site_id=site.id).terms
    assert len(service.terms(site_id=site.id).terms) == 3
    assert (again.glossary.version, again.changes) == (1, ())  # nothing new: no new version
    assert service.export_csv(site_id=other.id) == exported


def test_a_csv_with_one_bad_row_imports_nothing_and_names_line_4(
    service: GlossaryService,
    publish: Publish,
    queued: Queued,
    engine: sqlalchemy.Engine,
    site: Site,
) -> None:
    revisions = publish("anggaran")
    bad = CSV.replace(b"Bank Indonesia,,", b"Bank Indonesia,yes,")  # keep and a rendering

    with pytest.raises(InputError) as err:
        service.import_csv(site_id=site.id, data=bad, actor="cli")

    assert "line 4" in err.value.message
    assert err.value.context["line"] == 4
    assert service.terms(site_id=site.id).terms == ()
    assert service.terms(site_id=site.id).version == 0
    assert AuditStore(engine).entries(site_id=site.id) == []
    assert queued(revisions) == set()


def test_an_import_is_one_version_one_audit_entry_and_requeues_what_it_affects(
    service: GlossaryService,
    publish: Publish,
    queued: Queued,
    engine: sqlalchemy.Engine,
    site: Site,
) -> None:
    revisions = publish()

    change = service.import_csv(site_id=site.id, data=CSV, actor="cli")

    assert change.glossary.version == 1
    assert sorted(c.source for c in change.changes) == ["Bank Indonesia", "DPR", "Jokowi"]
    expected = {(name, lang.value) for name in ("anggaran", "kecil") for lang in TARGET_LANGS}
    assert queued(revisions) == expected
    assert change.requeued == len(expected)
    assert [e.action for e in AuditStore(engine).entries(site_id=site.id)] == ["glossary.imported"]


def test_an_import_merges_unless_told_to_replace(service: GlossaryService, site: Site) -> None:
    service.put(site_id=site.id, term=GlossaryTerm("MPR", do_not_translate=True), actor="cli")

    merged = service.import_csv(site_id=site.id, data=CSV, actor="cli")
    replaced = service.import_csv(site_id=site.id, data=CSV, actor="cli", replace=True)

    assert "MPR" in {t.source for t in merged.glossary.terms}
    assert {t.source for t in replaced.glossary.terms} == {"Bank Indonesia", "DPR", "Jokowi"}
    assert [(c.kind, c.source) for c in replaced.changes] == [("deleted", "MPR")]
    assert replaced.glossary.version == 3


def test_an_imported_term_clashing_with_a_stored_one_names_its_line(
    service: GlossaryService, site: Site
) -> None:
    service.put(site_id=site.id, term=GlossaryTerm("dpr", do_not_translate=True), actor="cli")

    with pytest.raises(ConflictError) as err:
        service.import_csv(site_id=site.id, data=CSV, actor="cli")
    assert err.value.message.startswith("line 2: the term 'DPR' clashes with the term 'dpr'")

    replaced = service.import_csv(site_id=site.id, data=CSV, actor="cli", replace=True)
    assert [t.source for t in replaced.glossary.terms if t.source.lower() == "dpr"] == ["DPR"]


def test_the_exported_csv_is_what_the_reader_reads(service: GlossaryService, site: Site) -> None:
    service.import_csv(site_id=site.id, data=CSV, actor="cli")
    terms = {row.term.source: row.term for row in read(service.export_csv(site_id=site.id))}
    assert terms["DPR"].case_sensitive is False
    assert terms["DPR"].translations[Lang.AR] == "مجلس النواب"
    assert terms["Jokowi"].do_not_translate is True


# --- end to end: the worker re-translates only the sentences with the term ---------------------


def test_a_new_term_sends_only_the_sentences_with_it_to_the_engine(services: Services) -> None:

    demo = services.store.create_site(slug="demo", name="Demo")
    fake = FakeEngine()
    worker = Worker(
        store=services.store,
        queue=services.queue,
        engine=lambda: fake,
        targets=TARGET_LANGS,
        name="test-worker",
    )
    body = "<p>Rapat berlangsung lama. DPR setuju dengan usul itu. Warga menunggu kabar.</p>"
    saved = {}
    for external_id, title in (("a", "DPR menyetujui anggaran"), ("b", "Banjir melanda Jakarta")):
        saved[external_id] = services.newsroom.submit(
            ArticleDraft(
                site="demo",
                external_id=external_id,
                title=title,
                body_html=body if external_id == "a" else "<p>Hujan deras sejak pagi.</p>",
            )
        )
    worker.run_until_idle()
    fake.calls.clear()

    change = build_integrations(services).glossary.put(site_id=demo.id, term=DPR_EN, actor="cli")
    worker.run_until_idle()

    assert change.requeued == 1
    sent = [(target, text) for _, target, texts in fake.calls for text in texts]
    assert sent == [
        (Lang.EN, "{0} menyetujui anggaran"),
        (Lang.EN, "{0} setuju dengan usul itu."),
    ]
    english = services.store.get_edition(revision_id=saved["a"].revision.id, lang=Lang.EN)
    assert english.content is not None
    assert english.content.title == "[fake:en] House of Representatives menyetujui anggaran"


def test_a_glossary_change_requeues_as_a_re_translation_after_the_news(
    service: GlossaryService, publish: Publish, queue: SqlJobQueue, site: Site
) -> None:
    publish()

    service.put(site_id=site.id, term=DPR_EN, actor="cli")

    [job] = queue.claim(worker="w", limit=10, lease_seconds=60)
    assert (job.lang, job.priority, job.site_id) == (Lang.EN, JobPriority.RETRANSLATE, site.id)
