"""The translation pipeline with a real (tiny, random-weight) CTranslate2 model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from tests.markup_helpers import block_structure, inline_markup
from tests.paths import TEST_DATA

from warta import __version__
from warta.domain import EditionStatus, Glossary, GlossaryTerm, MemoryEntry, SegmentOrigin
from warta.engines.base import Hypothesis
from warta.engines.fake import FakeEngine
from warta.ingest.htmldoc import draft_from_html
from warta.languages import TARGET_LANGS, Lang
from warta.pipeline import WorkItem, document_for, translate_items
from warta.services import Services
from warta.text import SEGMENTER_VERSION


@pytest.fixture
def article_document():
    page = (TEST_DATA / "article-with-markup.html").read_text(encoding="utf-8")
    draft = draft_from_html(page, site="demo", stem="article-with-markup")
    return draft, document_for(title=draft.title, lead=draft.lead, body_html=draft.body_html)


@pytest.mark.parametrize("lang", TARGET_LANGS)
def test_tiny_model_edition_keeps_links_bold_and_block_structure(
    services: Services, register_tiny: Callable[..., object], article_document, lang: Lang
):
    register_tiny(lang)
    draft, document = article_document
    item = WorkItem(key="a", document=document, memory={}, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=services.engine(), target=lang)

    assert inline_markup(outcome.content.body_html) == inline_markup(draft.body_html)
    assert block_structure(outcome.content.body_html) == block_structure(draft.body_html)
    assert 'href="https://www.dephub.go.id/"' in outcome.content.body_html
    assert outcome.status in (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
    engine_segments = [s for s in outcome.segments if s.origin is SegmentOrigin.ENGINE]
    assert engine_segments
    assert all(s.score is not None and s.score <= 0 for s in engine_segments)


def test_provenance_records_model_checksum_decoding_glossary_and_versions(
    services: Services,
    register_tiny: Callable[..., object],
    article_document,
    shared_tiny_model: Path,
):
    (model,) = register_tiny(Lang.EN)
    _, document = article_document
    glossary = Glossary(
        version=7, terms=(GlossaryTerm(source="Zulkifli Hasan", do_not_translate=True),)
    )
    item = WorkItem(key="a", document=document, memory={}, glossary=glossary)

    (outcome,) = translate_items([item], engine=services.engine(), target=Lang.EN)

    prov = outcome.provenance
    assert prov.engine == "ctranslate2"
    assert [(m.name, m.checksum) for m in prov.models] == [("tiny-random", model.checksum)]
    assert model.checksum.startswith("sha256:")
    assert len(model.checksum) == 71
    assert dict(prov.decoding)["beam"] == 1
    assert dict(prov.decoding)["max_len"] == 40
    assert prov.glossary_version == 7
    assert prov.segmenter_version == SEGMENTER_VERSION
    assert prov.app_version == __version__
    assert prov.compute_type == "int8"
    assert prov.device == "cpu"
    assert "glossary:7" in prov.signature()
    assert model.checksum[:19] in prov.signature()


def test_do_not_translate_term_survives_a_random_model_verbatim(
    services: Services, register_tiny: Callable[..., object], article_document
):
    register_tiny(Lang.FR)
    _, document = article_document
    glossary = Glossary(version=1, terms=(GlossaryTerm(source="Zulkifli", do_not_translate=True),))
    item = WorkItem(key="a", document=document, memory={}, glossary=glossary)

    (outcome,) = translate_items([item], engine=services.engine(), target=Lang.FR)

    sources_with_term = [s for s in outcome.segments if "Zulkifli" in s.source_html]
    assert sources_with_term
    assert all("Zulkifli" in s.target_html for s in sources_with_term)


def test_memory_hits_are_reused_and_never_sent_to_the_engine(article_document):
    _, document = article_document
    engine = FakeEngine()
    first = next(s for s in document.segments if s.translate and s.index > 0)
    memory = {
        first.html: MemoryEntry(
            source_html=first.html, target_html="Edited by a human.", origin=SegmentOrigin.HUMAN
        )
    }
    item = WorkItem(key="a", document=document, memory=memory, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    sent = [text for _, _, texts in engine.calls for text in texts]
    assert first.text not in sent
    assert outcome.segments[first.index].origin is SegmentOrigin.HUMAN
    assert outcome.segments[first.index].target_html == "Edited by a human."
    assert "Edited by a human." in (
        outcome.content.title + outcome.content.lead + outcome.content.body_html
    )
    assert all(m.source_html != first.html for m in outcome.new_memory)


def test_articles_of_one_language_share_one_engine_call(article_document):
    _, document = article_document
    engine = FakeEngine()
    items = [
        WorkItem(key=i, document=document, memory={}, glossary=Glossary.empty()) for i in range(3)
    ]

    outcomes = translate_items(items, engine=engine, target=Lang.JA)

    assert len(engine.calls) == 1
    alone = FakeEngine()
    (single,) = translate_items(items[:1], engine=alone, target=Lang.JA)
    # the same article three times: each distinct sentence is sent once
    assert engine.calls[0][2] == alone.calls[0][2]
    assert [o.key for o in outcomes] == [0, 1, 2]
    assert all(o.content == single.content for o in outcomes)


REPEATED = (
    "<p>Harga beras naik di pasar Jakarta. Pedagang mengeluh sepi pembeli. "
    "Harga beras naik di pasar Jakarta.</p><p>Harga beras naik di pasar Jakarta.</p>"
    "<p>Harga beras naik di pasar Jakarta.</p>"
)


@pytest.mark.parametrize("context_sentences", [0, 1])
def test_a_repeated_sentence_is_translated_once_and_every_copy_gets_its_translation(
    context_sentences: int,
):
    from warta.engines.base import Decoding

    document = document_for(title="Harga beras", lead="", body_html=REPEATED)
    engine = FakeEngine(decoding=Decoding(context_sentences=context_sentences))
    item = WorkItem(key="a", document=document, memory={}, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    (call,) = engine.calls
    repeated = "Harga beras naik di pasar Jakarta."
    # without context: once; with context, once per distinct sentence before it (the title,
    # the other sentence, itself)
    assert call[2].count(repeated) == (1 if context_sentences == 0 else 3)
    assert len(call[2]) == (3 if context_sentences == 0 else 5)
    copies = [s for s in outcome.segments if s.source_html == repeated]
    assert len(copies) == 4
    echo = FakeEngine().translate([repeated], source=Lang.ID, target=Lang.EN)[0].text
    assert {s.target_html for s in copies} == {echo}
    assert outcome.content.body_html.count(echo) == 4
    assert len(outcome.new_memory) == 6  # every segment still remembered, as before


def test_dateline_is_copied_verbatim_not_translated(article_document):
    _, document = article_document
    engine = FakeEngine()
    item = WorkItem(key="a", document=document, memory={}, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    verbatim = [s for s in outcome.segments if s.origin is SegmentOrigin.VERBATIM]
    assert [s.target_html for s in verbatim] == ["JAKARTA -"]
    sent = [text for _, _, texts in engine.calls for text in texts]
    assert not any(text.startswith("JAKARTA -") for text in sent)


class _NBestEngine(FakeEngine):
    """Returns the source unchanged as the best candidate and a real sentence as the 2nd best."""

    def translate(self, texts, *, source, target):
        return [
            Hypothesis(
                text=text,
                score=-0.1,
                alternatives=(Hypothesis(text=ENGLISH, score=-0.9),),
            )
            for text in texts
        ]


ENGLISH = "The minister said the rules will be announced next week."


def test_nbest_reranking_prefers_the_candidate_quality_estimation_trusts(services: Services):
    document = document_for(
        title="Menteri mengatakan aturan baru akan diumumkan pekan depan",
        lead="",
        body_html="<p>Menteri mengatakan aturan baru akan diumumkan pekan depan.</p>",
    )
    item = WorkItem(key="a", document=document, memory={}, glossary=Glossary.empty())

    with_qe = translate_items(
        [item], engine=_NBestEngine(), target=Lang.EN, estimator=services.estimator
    )[0]
    without_qe = translate_items([item], engine=_NBestEngine(), target=Lang.EN)[0]

    assert [s.target_html for s in with_qe.segments] == [ENGLISH, ENGLISH]
    assert all(not s.flags for s in with_qe.segments)
    assert without_qe.segments[0].target_html.startswith("Menteri")


def test_ctranslate2_engine_returns_nbest_alternatives(shared_tiny_model: Path):
    from warta.domain import RegisteredModel
    from warta.engines.base import Decoding
    from warta.engines.ctranslate2 import CTranslate2Engine
    from warta.engines.models import inspect_model_dir

    family, checksum = inspect_model_dir(shared_tiny_model)
    model = RegisteredModel(
        name="tiny",
        path=str(shared_tiny_model),
        source=Lang.ID,
        target=Lang.EN,
        family=family,
        checksum=checksum,
    )
    engine = CTranslate2Engine(
        [model], decoding=Decoding(beam_size=3, num_hypotheses=3, max_decoding_length=20)
    )

    (hyp,) = engine.translate(
        ["Pemerintah menaikkan harga bahan bakar."], source=Lang.ID, target=Lang.EN
    )

    assert len(hyp.alternatives) == 2
    assert hyp.score is not None
    assert all(a.score is not None and a.score <= hyp.score + 1e-6 for a in hyp.alternatives)
    assert ("nbest", 3) in engine.describe(source=Lang.ID, target=Lang.EN).decoding.as_items()


def test_markup_in_a_title_or_lead_goes_through_the_allowlist():
    document = document_for(
        title="Judul <img src=x onerror=alert(1)> berita <b>penting</b> dari Jakarta",
        lead='Lead <a href="javascript:alert(1)" onclick="x()">tautan</a> di sini',
        body_html="<p>Pemerintah menaikkan harga bahan bakar minyak pada hari Senin.</p>",
    )

    html = " ".join(s.html for s in document.segments)
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<b>penting</b>" in html


def test_document_context_sends_each_sentence_the_one_before_it(article_document):
    from warta.engines.base import Decoding

    _, document = article_document
    engine = FakeEngine(decoding=Decoding(context_sentences=1))
    first = next(s for s in document.segments if s.translate and s.index > 0)
    memory = {  # a sentence from memory is not sent, but is still the next one's context
        first.html: MemoryEntry(
            source_html=first.html, target_html="From memory.", origin=SegmentOrigin.HUMAN
        )
    }
    item = WorkItem(key="a", document=document, memory=memory, glossary=Glossary.empty())

    translate_items([item], engine=engine, target=Lang.EN)

    translatable = [s for s in document.segments if s.translate]
    expected = {
        s.index: (None if n == 0 else translatable[n - 1].text) for n, s in enumerate(translatable)
    }
    sent_indexes = [s.index for s in translatable if s.html not in memory]
    (contexts,) = engine.contexts
    assert contexts == tuple(expected[i] for i in sent_indexes)
    assert contexts[0] is None  # the title opens the article
    assert first.text in contexts


def test_without_document_context_no_context_is_sent(article_document):
    _, document = article_document
    engine = FakeEngine()  # Decoding() has context_sentences=0
    item = WorkItem(key="a", document=document, memory={}, glossary=Glossary.empty())
    translate_items([item], engine=engine, target=Lang.EN)
    assert engine.contexts == [None]


# --- translation memory keyed by what made it ----------------------------------------------------

MEMORY_DOC = document_for(
    title="Pertamina menaikkan harga bahan bakar",
    lead="",
    body_html=(
        "<p>Pertamina menaikkan harga bahan bakar mulai Senin. Warga diminta tetap tenang.</p>"
    ),
)
TERM = GlossaryTerm(source="Pertamina", do_not_translate=True)


def _first_run(engine: FakeEngine, *, glossary: Glossary, check=None):
    item = WorkItem(key="a", document=MEMORY_DOC, memory={}, glossary=glossary)
    checks = [check] if check is not None else []
    (outcome,) = translate_items([item], engine=engine, target=Lang.EN, checks=checks)
    return outcome, {m.source_html: m for m in outcome.new_memory}


def _sent(engine: FakeEngine) -> list[str]:
    return [text for _, _, texts in engine.calls for text in texts]


def _always_doubtful(source, hypothesis, target_html, target):
    return ("doubtful",)


def test_every_engine_translation_is_remembered_with_its_keys_and_flags():
    from warta.pipeline import engine_key

    engine = FakeEngine()
    outcome, memory = _first_run(engine, glossary=Glossary.empty(), check=_always_doubtful)

    translated = [s for s in outcome.segments if s.origin is SegmentOrigin.ENGINE]
    assert len(memory) == len(translated) == 3
    key = engine_key(engine.describe(source=Lang.ID, target=Lang.EN))
    for segment in translated:
        entry = memory[segment.source_html]
        assert entry.flags == ("doubtful",)
        assert (entry.engine_key, entry.glossary_key) == (key, "")
        assert entry.provenance_key == outcome.provenance.key()
        assert segment.provenance_key == outcome.provenance.key()


def test_a_flagged_translation_is_reused_with_its_flags_while_the_keys_hold():
    _, memory = _first_run(FakeEngine(), glossary=Glossary.empty(), check=_always_doubtful)
    engine = FakeEngine()
    item = WorkItem(key="b", document=MEMORY_DOC, memory=memory, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    assert engine.calls == []
    assert {s.origin for s in outcome.segments} == {SegmentOrigin.MEMORY}
    assert all(s.flags == ("doubtful",) for s in outcome.segments)
    assert all(s.provenance_key == memory[s.source_html].provenance_key for s in outcome.segments)
    assert outcome.status is EditionStatus.NEEDS_REVIEW
    assert "doubtful" in outcome.reason
    assert outcome.new_memory == ()


def test_adding_a_glossary_term_retranslates_only_the_sentences_containing_it():
    _, memory = _first_run(FakeEngine(), glossary=Glossary.empty())
    engine = FakeEngine()
    glossary = Glossary(version=2, terms=(TERM,))
    item = WorkItem(key="b", document=MEMORY_DOC, memory=memory, glossary=glossary)

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    containing = [s for s in MEMORY_DOC.segments if "Pertamina" in s.text]
    assert len(containing) == 2  # the title and the first sentence
    assert len(_sent(engine)) == 2
    origins = {s.source_html: s.origin for s in outcome.segments}
    assert all(origins[s.html] is SegmentOrigin.ENGINE for s in containing)
    assert origins["Warga diminta tetap tenang."] is SegmentOrigin.MEMORY
    # the new translations are remembered under the new glossary key
    assert all(m.glossary_key for m in outcome.new_memory)


def test_a_term_that_does_not_occur_changes_nothing():
    _, memory = _first_run(FakeEngine(), glossary=Glossary.empty())
    engine = FakeEngine()
    other = Glossary(version=5, terms=(GlossaryTerm(source="Surabaya", do_not_translate=True),))
    item = WorkItem(key="b", document=MEMORY_DOC, memory=memory, glossary=other)

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    assert engine.calls == []
    assert outcome.provenance.glossary_version == 5


def test_another_model_or_decoding_retranslates_what_the_old_one_made():
    from warta.engines.base import Decoding

    _, memory = _first_run(FakeEngine(), glossary=Glossary.empty())
    engine = FakeEngine(decoding=Decoding(beam_size=2))
    item = WorkItem(key="b", document=MEMORY_DOC, memory=memory, glossary=Glossary.empty())

    translate_items([item], engine=engine, target=Lang.EN)

    assert len(_sent(engine)) == 3


def test_a_fresh_item_ignores_engine_memory_but_keeps_corrections():
    _, memory = _first_run(FakeEngine(), glossary=Glossary.empty())
    corrected = "Warga diminta tetap tenang."
    memory[corrected] = MemoryEntry(
        source_html=corrected, target_html="Residents were asked to stay calm.",
        origin=SegmentOrigin.HUMAN,
    )  # fmt: skip
    engine = FakeEngine()
    item = WorkItem(
        key="b", document=MEMORY_DOC, memory=memory, glossary=Glossary.empty(), fresh=True
    )

    (outcome,) = translate_items([item], engine=engine, target=Lang.EN)

    assert len(_sent(engine)) == 2
    kept = next(s for s in outcome.segments if s.source_html == corrected)
    assert (kept.origin, kept.target_html) == (
        SegmentOrigin.HUMAN,
        "Residents were asked to stay calm.",
    )


def test_engine_key_names_what_makes_the_output_and_nothing_else():
    from warta.domain import ModelProvenance
    from warta.engines.base import Decoding, EngineInfo
    from warta.pipeline import engine_key

    model = ModelProvenance(name="m", checksum="sha256:aa", source=Lang.ID, target=Lang.EN)
    info = EngineInfo(
        engine="ctranslate2", models=(model,), decoding=Decoding(), device="cpu",
        compute_type="int8",
    )  # fmt: skip
    key = engine_key(info)
    assert len(key) == 16
    assert engine_key(replace(info, device="cuda")) == key
    assert engine_key(replace(info, decoding=Decoding(batch_tokens=64))) == key  # speed only
    other_weights = replace(model, checksum="sha256:bb")
    assert engine_key(replace(info, models=(other_weights,))) != key
    assert engine_key(replace(info, decoding=Decoding(beam_size=2))) != key
    assert engine_key(replace(info, compute_type="float16")) != key


def test_an_edited_sentence_that_was_corrected_is_flagged_with_the_correction_suggested():
    from warta.domain import SegmentTranslation

    earlier = tuple(
        SegmentTranslation(
            index=s.index,
            block=s.block,
            source_html=s.html,
            target_html="Residents were asked to stay calm." if "Warga" in s.html else "x",
            origin=SegmentOrigin.HUMAN if "Warga" in s.html else SegmentOrigin.ENGINE,
        )
        for s in MEMORY_DOC.segments
    )
    edited = document_for(
        title="Pertamina menaikkan harga bahan bakar",
        lead="",
        body_html=(
            "<p>Pertamina menaikkan harga bahan bakar mulai Senin. "
            "Warga diminta tetap tenang dan hemat.</p>"
        ),
    )
    item = WorkItem(key="b", document=edited, memory={}, glossary=Glossary.empty(), earlier=earlier)

    (outcome,) = translate_items([item], engine=FakeEngine(), target=Lang.EN)

    changed = next(s for s in outcome.segments if "hemat" in s.source_html)
    assert changed.origin is SegmentOrigin.ENGINE
    assert "source_changed_since_correction" in changed.flags
    assert changed.suggestion_html == "Residents were asked to stay calm."
    assert outcome.status is EditionStatus.NEEDS_REVIEW
    assert all(
        "source_changed_since_correction" not in m.flags for m in outcome.new_memory
    )  # a fact about the article, not about the translation
    others = [s for s in outcome.segments if s is not changed]
    assert all(s.suggestion_html is None for s in others)


class _AligningEngine(FakeEngine):
    """The fake engine with the CTranslate2 engine's optional parts: tokenising ahead, and an
    alignment only where asked (None elsewhere, as CTranslate2 gives)."""

    def __init__(self) -> None:
        super().__init__()
        self.aligned: list[tuple[bool, ...]] = []
        self.ahead: list[tuple[str, ...]] = []

    def pretokenize(self, texts, *, source, target):
        self.ahead.append(tuple(texts))

    def translate(self, texts, *, source, target, contexts=None, groups=None, aligned=None):
        hypotheses = super().translate(
            texts, source=source, target=target, contexts=contexts, groups=groups
        )
        self.aligned.append(tuple(aligned) if aligned is not None else ())
        return [
            h if aligned is None or aligned[i] else replace(h, alignment=None)
            for i, h in enumerate(hypotheses)
        ]


MIXED_DOC = document_for(
    title="Harga beras",
    lead="",
    body_html=(
        "<p>Harga <b>beras</b> naik di pasar. Pedagang mengeluh sepi pembeli. "
        "Harga naik 5 persen sejak Senin.</p>"
    ),
)


def test_attention_is_asked_only_for_sentences_with_markup_or_placeholders():
    engine = _AligningEngine()
    item = WorkItem(key="a", document=MIXED_DOC, memory={}, glossary=Glossary.empty())

    (outcome,) = translate_items([item], engine=engine, target=Lang.FR)

    (texts,) = [call[2] for call in engine.calls]
    (aligned,) = engine.aligned
    needs = dict(zip(texts, aligned, strict=True))
    assert needs["Harga beras"] is False  # the title: plain text
    assert needs["Harga beras naik di pasar."] is True  # <b> to carry over
    assert needs["Pedagang mengeluh sepi pembeli."] is False
    assert needs["Harga naik {0} persen sejak Senin."] is True  # the number's placeholder
    # and the edition is the one a fully aligned call makes
    (full,) = translate_items([item], engine=FakeEngine(), target=Lang.FR)
    assert outcome.content == full.content
    assert "<b>" in outcome.content.body_html


def test_planning_tokenises_the_batch_ahead_for_engines_that_can():
    engine = _AligningEngine()
    items = [
        WorkItem(key=i, document=MIXED_DOC, memory={}, glossary=Glossary.empty()) for i in (1, 2)
    ]

    translate_items(items, engine=engine, target=Lang.FR)

    (ahead,) = engine.ahead
    (texts,) = [call[2] for call in engine.calls]
    assert ahead == texts  # each distinct text once, in the order the engine gets them
