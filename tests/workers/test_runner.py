"""The worker loop end to end: ingest -> jobs -> engine -> stored editions, on real services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest

from warta.domain import (
    ArticleDraft,
    EditionStatus,
    JobErrorKind,
    JobPriority,
    JobStatus,
    SegmentOrigin,
)
from warta.engines.base import Engine
from warta.engines.fake import FakeEngine
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services
from warta.workers.queue import JobQueue, SqlJobQueue
from warta.workers.runner import Worker

BODY = (
    '<p>JAKARTA - Pemerintah menaikkan tarif ojek <a href="https://example.go.id/tarif">daring</a> '
    "sebesar 2,5 persen. Kebijakan itu berlaku mulai Senin.</p>"
    "<p>Menteri Perhubungan mengatakan aturan baru akan <b>diumumkan</b> pekan depan.</p>"
    "<p>Para pengemudi menyambut baik keputusan tersebut dan berharap pendapatan mereka naik.</p>"
)


def draft(body: str = BODY, *, external_id: str = "tarif-ojek") -> ArticleDraft:
    return ArticleDraft(
        site="demo",
        external_id=external_id,
        title="Pemerintah menaikkan tarif ojek daring mulai pekan depan",
        lead="Kenaikan tarif disambut baik oleh para pengemudi di Jakarta.",
        body_html=body,
        category="tajuk utama",
    )


def worker_with(
    services: Services, engine: Engine, *, queue: JobQueue | None = None, **kwargs: object
) -> Worker:
    return Worker(
        store=services.store,
        queue=queue or services.queue,
        engine=lambda: engine,
        targets=TARGET_LANGS,
        name="test-worker",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def demo_site(services: Services):
    return services.store.create_site(slug="demo", name="Demo")


def test_ingested_article_gets_five_stored_editions_with_provenance(
    services: Services, demo_site, register_tiny: Callable[..., object]
):
    register_tiny()
    result = services.newsroom.submit(draft())
    assert {job.lang for job in result.jobs} == set(TARGET_LANGS)

    summary = services.worker().run_until_idle()

    assert summary.editions == 5
    assert summary.failed == 0
    for lang in TARGET_LANGS:
        edition = services.store.get_edition(revision_id=result.revision.id, lang=lang)
        assert edition.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
        assert edition.content is not None
        assert 'href="https://example.go.id/tarif"' in edition.content.body_html
        assert edition.provenance is not None
        assert edition.provenance.models[0].checksum.startswith("sha256:")
    assert services.queue.counts()[JobStatus.DONE] == 5


def test_without_a_model_editions_stay_pending_with_the_reason_until_one_is_added(
    services: Services, demo_site, register_tiny: Callable[..., object]
):
    register_tiny(Lang.EN)
    result = services.newsroom.submit(draft())

    services.worker().run_until_idle()

    en = services.store.get_edition(revision_id=result.revision.id, lang=Lang.EN)
    ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert en.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
    assert ja.status is EditionStatus.PENDING
    assert "no translation model installed for Indonesian→Japanese" in ja.reason
    assert ja.content is None
    assert services.queue.counts()[JobStatus.QUEUED] == 4

    register_tiny(Lang.JA)
    services.worker().run_until_idle()
    ja = services.store.get_edition(revision_id=result.revision.id, lang=Lang.JA)
    assert ja.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)


def test_editing_one_paragraph_retranslates_only_what_changed(services: Services, demo_site):
    engine = FakeEngine()
    worker = worker_with(services, engine)
    first = services.newsroom.submit(draft())
    worker.run_until_idle()
    sent_first = sum(len(texts) for _, _, texts in engine.calls)
    engine.calls.clear()

    edited = BODY.replace("pekan depan.", "besok pagi.")
    second = services.newsroom.submit(draft(edited))
    assert second.new_revision
    assert second.revision.number == 2
    summary = worker.run_until_idle()

    sent_second = [text for _, _, texts in engine.calls for text in texts]
    assert len(sent_second) == 5  # one changed sentence, once per language
    assert all("besok pagi" in text for text in sent_second)
    assert sent_first > len(sent_second)
    en = services.store.get_edition(revision_id=second.revision.id, lang=Lang.EN)
    assert en.translated_segments == 1
    assert en.reused_segments == len([s for s in en.segments if s.origin is SegmentOrigin.MEMORY])
    assert en.reused_segments >= 4
    assert summary.segments_translated == 5
    rows = [r for r in services.store.status_rows() if r.lang is Lang.EN]
    assert (rows[0].revision_number, rows[0].translated) == (2, 1)
    assert first.revision.id != second.revision.id


def test_an_editors_correction_is_kept_in_the_next_revision(services: Services, demo_site):
    worker = worker_with(services, FakeEngine())
    first = services.newsroom.submit(draft())
    worker.run_until_idle()
    edition = services.store.get_edition(revision_id=first.revision.id, lang=Lang.FR)
    target = next(s for s in edition.segments if "Menteri" in s.source_html)

    services.newsroom.correct_segment(
        revision_id=first.revision.id,
        lang=Lang.FR,
        index=target.index,
        target_html=(
            "Le ministre a dit que les règles seront <b>annoncées</b> la semaine prochaine."
        ),
    )
    second = services.newsroom.submit(draft(BODY.replace("menaikkan tarif", "menurunkan tarif")))
    worker.run_until_idle()

    fr = services.store.get_edition(revision_id=second.revision.id, lang=Lang.FR)
    kept = fr.segments[target.index]
    assert kept.origin is SegmentOrigin.HUMAN
    assert kept.target_html.startswith("Le ministre a dit")
    assert fr.content is not None
    assert "<b>annoncées</b>" in fr.content.body_html


def test_unchanged_resubmission_creates_no_revision_and_no_work(services: Services, demo_site):
    engine = FakeEngine()
    worker = worker_with(services, engine)
    services.newsroom.submit(draft())
    worker.run_until_idle()
    engine.calls.clear()

    again = services.newsroom.submit(draft())

    assert not again.new_revision
    assert again.jobs == ()
    assert worker.run_until_idle().editions == 0
    assert engine.calls == []


def test_engine_failure_is_retried_then_marks_the_edition_failed_with_the_reason(
    services: Services, demo_site
):
    engine = FakeEngine(fail_targets={Lang.AR})
    # no backoff: the retry is due at once, so one run sees both attempts
    queue = SqlJobQueue(services.db, max_attempts=2, retry_base_seconds=0, retry_max_seconds=0)
    worker = worker_with(services, engine, queue=queue)
    result = services.newsroom.submit(draft())

    summary = worker.run_until_idle()

    ar = services.store.get_edition(revision_id=result.revision.id, lang=Lang.AR)
    assert ar.status is EditionStatus.FAILED
    assert "the fake engine was told to fail for ar" in ar.reason
    assert (summary.failed, summary.retried) == (1, 1)
    assert summary.editions == 4
    [dead] = queue.dead()
    assert (dead.lang, dead.attempts, dead.error_kind) == (Lang.AR, 2, JobErrorKind.TRANSIENT)
    assert services.queue.counts()[JobStatus.FAILED] == 1


def test_batches_jobs_of_one_language_into_one_engine_call(services: Services, demo_site):
    engine = FakeEngine(pairs={(Lang.ID, Lang.EN)})
    worker = worker_with(services, engine, jobs_per_batch=8)
    for i in range(3):
        body = BODY.replace("Senin", ["Selasa", "Rabu", "Kamis"][i])
        services.newsroom.submit(replace(draft(body), external_id=f"artikel-{i}"))

    worker.run_until_idle()

    assert len(engine.calls) == 1


class _SecondCallSignals(FakeEngine):
    """FakeEngine that signals when its second ``translate`` call (the second batch) begins."""

    def __init__(self) -> None:
        super().__init__()
        self.second_started = threading.Event()

    def translate(self, texts, *, source, target):  # type: ignore[no-untyped-def]
        if self.calls:
            self.second_started.set()
        return super().translate(texts, source=source, target=target)


def test_the_next_batch_is_translated_while_the_previous_one_is_stored(
    services: Services, demo_site
) -> None:
    # Two batches of one job each (jobs_per_batch=1). When the first batch's edition is stored,
    # the engine must already be working on the second: the engine never waits for storage.
    for n in range(2):
        services.store.save_article(draft(external_id=f"berita-{n}"), targets=[Lang.EN])
    engine = _SecondCallSignals()
    overlapped: list[bool] = []

    def on_recorded(edition: object, site_id: int) -> None:
        if not overlapped:
            overlapped.append(engine.second_started.wait(timeout=10))

    summary = worker_with(
        services, engine, jobs_per_batch=1, on_recorded=on_recorded
    ).run_until_idle()
    assert summary.batches == 2
    assert summary.editions == 2
    assert overlapped == [True]


def test_retranslating_an_article_queues_re_translations_behind_the_news(
    services: Services, demo_site
) -> None:
    services.newsroom.submit(draft())
    worker_with(services, FakeEngine()).run_until_idle()

    jobs = services.newsroom.retranslate(
        site_id=demo_site.id, external_id="tarif-ojek", langs=[Lang.EN, Lang.JA]
    )

    assert {(j.lang, j.priority, j.status) for j in jobs} == {
        (Lang.EN, JobPriority.RETRANSLATE, JobStatus.QUEUED),
        (Lang.JA, JobPriority.RETRANSLATE, JobStatus.QUEUED),
    }


def test_run_stops_after_max_batches_and_leaves_the_rest_queued(
    services: Services, demo_site
) -> None:
    for n in range(3):
        services.store.save_article(draft(external_id=f"berita-{n}"), targets=[Lang.EN])
    worker = worker_with(services, FakeEngine(), jobs_per_batch=1)
    assert worker.run(max_batches=2).editions == 2
    assert services.queue.pending_langs() == [Lang.EN]
    assert worker.run_once() is True
    assert worker.run_once() is False


def test_an_edit_before_translation_supersedes_the_old_revisions_queued_jobs(
    services: Services, demo_site
) -> None:
    first = services.store.save_article(draft(), targets=[Lang.EN, Lang.FR])
    edited = draft(body=BODY.replace("mulai Senin", "mulai Selasa"))
    second = services.store.save_article(edited, targets=[Lang.EN, Lang.FR])
    assert second.new_revision
    for job in first.jobs:
        old = services.queue.get(job.id)
        assert old.status is JobStatus.SUPERSEDED
        assert old.last_error == "superseded by revision 2"
    engine = FakeEngine()
    summary = worker_with(services, engine).run_until_idle()
    # Only the current revision is translated: no engine time on text nobody will read.
    assert summary.editions == 2
    assert {services.queue.get(j.id).status for j in second.jobs} == {JobStatus.DONE}
    sent = [text for _, _, texts in engine.calls for text in texts]
    assert not any("mulai Senin" in text for text in sent)
    assert services.queue.counts()[JobStatus.SUPERSEDED] == 2


# --- translation memory keyed by what made it (issue 12) -----------------------------------------


def _doubtful(source, hypothesis, target_html, target):
    """A quality check that doubts every sentence (as every sentence of a random model is)."""
    return ("doubtful",)


def _sent(engine: FakeEngine) -> list[str]:
    return [text for _, _, texts in engine.calls for text in texts]


def test_flagged_sentences_are_remembered_and_reused_flagged_by_the_next_revision(
    services: Services, demo_site
):
    engine = FakeEngine()
    worker = worker_with(services, engine, checks=[_doubtful])
    services.newsroom.submit(draft())
    worker.run_until_idle()
    engine.calls.clear()

    second = services.newsroom.submit(draft(BODY.replace("pekan depan.", "besok pagi.")))
    summary = worker.run_until_idle()

    assert len(_sent(engine)) == 5  # the edited sentence, once per language
    assert summary.segments_translated == 5
    en = services.store.get_edition(revision_id=second.revision.id, lang=Lang.EN)
    assert en.status is EditionStatus.NEEDS_REVIEW
    reused = [s for s in en.segments if s.origin is SegmentOrigin.MEMORY]
    assert len(reused) >= 4
    assert all(s.flags == ("doubtful",) and s.provenance_key for s in reused)
    (row,) = [r for r in services.store.status_rows() if r.lang is Lang.EN]
    assert (row.reused_engine, row.translated) == (len(reused), 1)
    assert row.flagged == len(reused) + 1


def test_a_new_glossary_term_retranslates_exactly_the_sentences_containing_it(
    services: Services, demo_site
):
    from warta.domain import GlossaryTerm

    engine = FakeEngine()
    worker = worker_with(services, engine)
    first = services.newsroom.submit(draft())
    worker.run_until_idle()
    engine.calls.clear()
    glossary = services.store.put_glossary_term(
        site_id=demo_site.id, term=GlossaryTerm(source="Menteri Perhubungan", do_not_translate=True)
    )

    services.newsroom.retranslate(site_id=demo_site.id, external_id="tarif-ojek")
    worker.run_until_idle()

    sent = _sent(engine)
    assert len(sent) == 5  # one sentence contains the term; it applies in every language
    assert all("{0}" in text for text in sent)  # sent with the term's placeholder
    for lang in TARGET_LANGS:
        edition = services.store.get_edition(revision_id=first.revision.id, lang=lang)
        assert edition.provenance is not None
        assert edition.provenance.glossary_version == glossary.version
        engine_made = [s for s in edition.segments if s.origin is SegmentOrigin.ENGINE]
        assert [s.source_html for s in engine_made] == [
            "Menteri Perhubungan mengatakan aturan baru akan <b>diumumkan</b> pekan depan."
        ]


def test_another_model_retranslates_what_the_previous_model_made(services: Services, demo_site):
    from warta.engines.base import Decoding

    first = services.newsroom.submit(draft())
    worker_with(services, FakeEngine()).run_until_idle()
    replaced = FakeEngine(decoding=Decoding(beam_size=8))

    services.newsroom.retranslate(site_id=demo_site.id, external_id="tarif-ojek", langs=[Lang.EN])
    worker_with(services, replaced).run_until_idle()

    en = services.store.get_edition(revision_id=first.revision.id, lang=Lang.EN)
    translatable = [s for s in en.segments if s.origin is not SegmentOrigin.VERBATIM]
    assert len(_sent(replaced)) == len(translatable)
    assert {s.origin for s in translatable} == {SegmentOrigin.ENGINE}


def test_a_job_sent_back_fresh_ignores_engine_memory_but_keeps_corrections(
    services: Services, demo_site
):
    first = services.newsroom.submit(draft())
    worker_with(services, FakeEngine()).run_until_idle()
    edition = services.store.get_edition(revision_id=first.revision.id, lang=Lang.FR)
    target = next(s for s in edition.segments if "Menteri" in s.source_html)
    services.newsroom.correct_segment(
        revision_id=first.revision.id,
        lang=Lang.FR,
        index=target.index,
        target_html="Le ministre a dit que les règles seront annoncées la semaine prochaine.",
    )
    engine = FakeEngine()

    job = services.queue.enqueue(revision_id=first.revision.id, lang=Lang.FR, fresh=True)
    assert job.fresh
    worker_with(services, engine).run_until_idle()

    fr = services.store.get_edition(revision_id=first.revision.id, lang=Lang.FR)
    translatable = [s for s in fr.segments if s.origin is not SegmentOrigin.VERBATIM]
    assert len(_sent(engine)) == len(translatable) - 1
    kept = fr.segments[target.index]
    assert kept.origin is SegmentOrigin.HUMAN
    assert kept.target_html.startswith("Le ministre a dit")


def test_a_corrected_sentence_edited_in_the_next_revision_is_flagged_with_its_correction(
    services: Services, demo_site
):
    worker = worker_with(services, FakeEngine())
    first = services.newsroom.submit(draft())
    worker.run_until_idle()
    edition = services.store.get_edition(revision_id=first.revision.id, lang=Lang.FR)
    target = next(s for s in edition.segments if "Menteri" in s.source_html)
    correction = "Le ministre a dit que les règles seront <b>annoncées</b> la semaine prochaine."
    services.newsroom.correct_segment(
        revision_id=first.revision.id, lang=Lang.FR, index=target.index, target_html=correction
    )

    second = services.newsroom.submit(draft(BODY.replace("pekan depan.", "bulan depan.")))
    worker.run_until_idle()

    fr = services.store.get_edition(revision_id=second.revision.id, lang=Lang.FR)
    edited = next(s for s in fr.segments if "bulan depan" in s.source_html)
    assert edited.origin is SegmentOrigin.ENGINE
    assert "source_changed_since_correction" in edited.flags
    assert edited.suggestion_html == correction
    assert fr.status is EditionStatus.NEEDS_REVIEW
    assert all(s.suggestion_html is None for s in fr.segments if s is not edited)
    en = services.store.get_edition(revision_id=second.revision.id, lang=Lang.EN)
    assert all(not s.flags for s in en.segments)  # no correction was made in English


def test_status_json_gives_segments_reused_by_origin_translated_and_flagged(
    services: Services, demo_site
):
    import json

    from click.testing import CliRunner

    from warta.cli import cli

    worker = worker_with(services, FakeEngine())
    first = services.newsroom.submit(draft())
    worker.run_until_idle()
    edition = services.store.get_edition(revision_id=first.revision.id, lang=Lang.EN)
    target = next(s for s in edition.segments if "Menteri" in s.source_html)
    services.newsroom.correct_segment(
        revision_id=first.revision.id, lang=Lang.EN, index=target.index, target_html="Fixed."
    )
    services.newsroom.submit(draft(BODY.replace("mulai Senin", "mulai Selasa")))
    worker.run_until_idle()

    result = CliRunner().invoke(
        cli, ["--home", str(services.settings.home), "status", "--format", "json"]
    )

    assert result.exit_code == 0, result.output
    en = next(r for r in json.loads(result.stdout)["editions"] if r["lang"] == "en")
    translatable = sum(1 for s in edition.segments if s.origin is not SegmentOrigin.VERBATIM)
    assert en["revision"] == 2
    assert en["segments_reused_human"] == 1
    assert en["segments_translated"] == 1
    assert en["segments_reused_engine"] == translatable - 2
    assert en["segments_reused"] == translatable - 1
    assert en["segments_flagged"] == 0
    table = CliRunner().invoke(cli, ["--home", str(services.settings.home), "status"])
    assert table.exit_code == 0, table.output
    assert "flagged" in table.output


class _DuringFirstCall(FakeEngine):
    """FakeEngine that runs ``during`` (once) while its first batch is being translated: what
    an editor does while the worker holds the job."""

    def __init__(self, during: Callable[[], object]) -> None:
        super().__init__()
        self._during: Callable[[], object] | None = during

    def translate(self, texts, *, source, target):  # type: ignore[no-untyped-def]
        during, self._during = self._during, None
        if during is not None:
            during()
        return super().translate(texts, source=source, target=target)


MINISTER = "Menteri Perhubungan mengatakan aturan baru akan <b>diumumkan</b> pekan depan."


@pytest.mark.parametrize(
    ("source", "follows"),
    [("Menteri Perhubungan", True), ("Gubernur Jawa Barat", False)],
)
def test_a_glossary_change_while_the_edition_is_translated_queues_a_follow_up_if_it_matters(
    services: Services, demo_site, source: str, follows: bool
) -> None:
    from warta.domain import GlossaryTerm
    from warta.glossary import GlossaryService

    glossary = GlossaryService(services.db, targets=TARGET_LANGS)
    changes = []
    saved = services.store.save_article(draft(), targets=[Lang.EN])

    def add_term() -> None:  # the edition's job is running: the change cannot queue it again
        term = GlossaryTerm(source=source, do_not_translate=True)
        changes.append(glossary.put(site_id=demo_site.id, term=term, actor="cli"))

    worker_with(services, _DuringFirstCall(add_term)).run_until_idle()

    (change,) = changes
    assert change.requeued == 0
    recorded = services.store.get_edition(revision_id=saved.revision.id, lang=Lang.EN)
    assert recorded.provenance is not None
    assert recorded.provenance.glossary_version < change.glossary.version
    assert services.queue.pending_langs() == ([Lang.EN] if follows else [])
    engine = FakeEngine()

    worker_with(services, engine).run_until_idle()

    expected = ["{0} mengatakan aturan baru akan diumumkan pekan depan."] if follows else []
    assert _sent(engine) == expected
    if follows:
        en = services.store.get_edition(revision_id=saved.revision.id, lang=Lang.EN)
        assert en.provenance is not None
        assert en.provenance.glossary_version == change.glossary.version
        engine_made = [s.source_html for s in en.segments if s.origin is SegmentOrigin.ENGINE]
        assert engine_made == [MINISTER]
    assert services.queue.pending_langs() == []  # no follow-up of the follow-up


def test_sending_back_an_edition_while_it_is_translated_queues_a_fresh_follow_up(
    services: Services, demo_site
) -> None:
    saved = services.store.save_article(draft(), targets=[Lang.EN])
    sent_back = []

    def send_back() -> None:
        sent_back.append(
            services.newsroom.send_back(
                revision_id=saved.revision.id, lang=Lang.EN, editor_email="desk@demo.id"
            )
        )

    worker_with(services, _DuringFirstCall(send_back)).run_until_idle()

    (running,) = sent_back
    assert (running.status, running.fresh) == (JobStatus.RUNNING, True)
    assert services.queue.counts()[JobStatus.DONE] == 1
    assert services.queue.pending_langs() == [Lang.EN]  # the fresh job, after the running one
    [follow_up] = services.queue.listed(statuses=(JobStatus.QUEUED,))
    assert (follow_up.fresh, follow_up.priority) == (True, JobPriority.RETRANSLATE)
    engine = FakeEngine()

    worker_with(services, engine).run_until_idle()

    en = services.store.get_edition(revision_id=saved.revision.id, lang=Lang.EN)
    translatable = [s for s in en.segments if s.origin is not SegmentOrigin.VERBATIM]
    assert len(_sent(engine)) == len(translatable)  # fresh: no engine memory reused
    assert {s.origin for s in translatable} == {SegmentOrigin.ENGINE}
    assert services.queue.counts()[JobStatus.DONE] == 2
    assert services.queue.pending_langs() == []


def test_a_run_starts_with_a_small_batch_so_the_engine_starts_sooner_then_claims_full_batches(
    services: Services, demo_site
) -> None:
    from warta.workers.runner import FIRST_BATCH

    for n in range(FIRST_BATCH + 20):
        services.newsroom.submit(draft(external_id=f"tarif-{n}"))
    sizes: list[int] = []
    worker = worker_with(services, FakeEngine(), jobs_per_batch=16)
    worker.run(lang=Lang.EN, progress=lambda s: sizes.append(s.editions))
    batches = [b - a for a, b in zip([0, *sizes], sizes, strict=False)]
    assert batches[0] == FIRST_BATCH
    assert batches[1] == 16
    assert sum(batches) == FIRST_BATCH + 20
