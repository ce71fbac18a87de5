"""Section 6: re-translating an article after a one-paragraph edit, against translating it whole.

Articles are translated once (the full cost), then one paragraph of each is edited (every
sentence in it changes) and submitted again: the new revision's jobs translate only the changed
sentences, the rest come from translation memory. Cost = worker time of the re-translation as a
fraction of the worker time of the full translation, same articles, same engine.

Section ``reuse`` (:func:`memory_reuse`) counts instead of timing, with a random-weight model
whose every sentence is flagged: after a one-paragraph edit, the share of segments sent to the
engine against the edited paragraphs' share; after a glossary term is added, the segments
re-translated against the sentences containing the term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from warta.bench.corpus import SITE
from warta.bench.model import BenchModel
from warta.bench.rig import (
    EngineSettings,
    ProgressFn,
    make_engine,
    make_estimator,
    rig,
    warm_up,
)
from warta.bench.timing import median, timed
from warta.domain import (
    ArticleDraft,
    Edition,
    GlossaryTerm,
    Revision,
    SegmentOrigin,
    SegmentTranslation,
)
from warta.engines.base import Engine
from warta.languages import Lang
from warta.pipeline import document_for
from warta.quality.estimator import QualityEstimator
from warta.services import Services
from warta.text import SourceDocument
from warta.workers.runner import RunSummary

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SENTENCE_END = re.compile(r"([^\s.])\.(\s|$)")


def edit_one_paragraph(draft: ArticleDraft) -> ArticleDraft:
    """Rewrite the middle paragraph: every sentence in it gains a word before its full stop."""
    paragraphs = list(_PARAGRAPH.finditer(draft.body_html))
    if not paragraphs:
        return replace(draft, body_html=draft.body_html + "<p>Berita ini diperbarui.</p>")
    target = paragraphs[len(paragraphs) // 2]
    edited, count = _SENTENCE_END.subn(r"\1 kemarin.\2", target.group(1))
    if not count:
        edited = target.group(1) + " Berita ini diperbarui."
    body = draft.body_html[: target.start(1)] + edited + draft.body_html[target.end(1) :]
    return replace(draft, body_html=body)


def incremental_retranslation(
    model: BenchModel,
    drafts: Sequence[ArticleDraft],
    settings: EngineSettings,
    *,
    rounds: int,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    engine = make_engine([model.registered(Lang.EN, quantization=settings.compute_type)], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    edited = [edit_one_paragraph(d) for d in drafts]
    runs: list[dict[str, float]] = []
    for r in range(rounds):
        progress(f"round {r + 1}/{rounds}: full translation, then the edit")
        runs.append(_one_round(engine, settings, drafts, edited, estimator=estimator, tmp=tmp))
    fractions = [run["edit_s"] / run["full_s"] for run in runs]
    first = runs[0]
    return {
        "articles": len(drafts),
        "target": "en",
        "settings": settings.to_dict(),
        "rounds": runs,
        "full_median_s": round(median([r["full_s"] for r in runs]), 3),
        "edit_median_s": round(median([r["edit_s"] for r in runs]), 3),
        "cost_fraction": round(median(fractions), 4),
        "segment_fraction": round(first["edit_segments_translated"] / first["full_segments"], 4),
        "segments_full": first["full_segments"],
        "segments_retranslated": first["edit_segments_translated"],
        "segments_reused": first["edit_segments_reused"],
    }


def _one_round(
    engine: Engine,
    settings: EngineSettings,
    drafts: Sequence[ArticleDraft],
    edited: Sequence[ArticleDraft],
    *,
    estimator: QualityEstimator,
    tmp: Path | None,
) -> dict[str, float]:
    with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as home:
        home.submit_all(drafts)
        full, full_time = timed(lambda: home.translate_all(engine, settings))
        home.submit_all(edited)
        again, edit_time = timed(lambda: home.translate_all(engine, settings))
    if again.segments_reused == 0 or again.editions != len(drafts):
        raise RuntimeError(
            "incremental section: the edited revisions reused no segment from memory "
            f"(translated {again.segments_translated}, reused {again.segments_reused})"
        )
    return {
        "full_s": full_time.wall,
        "edit_s": edit_time.wall,
        "full_segments": full.segments_translated,
        "edit_segments_translated": again.segments_translated,
        "edit_segments_reused": again.segments_reused,
    }


# --- what translation memory spares: counts, not times ---------------------------------------

REUSE_TERM = GlossaryTerm(source="Pertamina", do_not_translate=True)
"""The glossary term the reuse section adds: a company name, kept as is, in 13 sentences of the
60 demo articles (and in none of their URLs)."""


def build_reuse_model(out_dir: Path, drafts: Sequence[ArticleDraft]) -> Path:
    """warta's shipped tiny random-weight model, its tokenizers trained on ``drafts``' sentences.

    Random weights: the quality estimator flags every sentence it translates, which is the point
    (flagged sentences must be remembered and reused, not translated again).
    """
    from warta.engines.testing import build_tiny_model

    sentences = [
        s.text
        for d in drafts
        for s in document_for(title=d.title, lead=d.lead, body_html=d.body_html).segments
        if s.translate
    ]
    return build_tiny_model(out_dir, corpus=sentences)


def memory_reuse(
    drafts: Sequence[ArticleDraft],
    *,
    model_dir: Path,
    term: GlossaryTerm = REUSE_TERM,
    target: Lang = Lang.EN,
    jobs_per_batch: int = 64,
    progress: ProgressFn = lambda _: None,
    tmp: Path | None = None,
) -> dict[str, object]:
    """Translate ``drafts``, edit one paragraph of each and translate again, then add ``term`` to
    the glossary and translate every article again: how many segments went to the engine each
    time, against what changed. Real worker, store, memory and quality estimation; the model in
    ``model_dir`` (random weights, :func:`build_reuse_model`) flags every sentence.

    Every article is in one batch (``jobs_per_batch`` at least the number of articles), so a
    sentence repeated across articles is counted, and translated, once per article.
    """
    from warta.domain import RegisteredModel
    from warta.engines.base import Decoding
    from warta.engines.ctranslate2 import CTranslate2Engine
    from warta.engines.models import inspect_model_dir

    family, checksum = inspect_model_dir(model_dir)
    model = RegisteredModel(
        name="tiny-random", path=str(model_dir), source=Lang.ID, target=target,
        family=family, checksum=checksum,
    )  # fmt: skip
    engine = CTranslate2Engine([model], decoding=Decoding(beam_size=1, max_decoding_length=64))
    estimator = QualityEstimator()  # production's: random output is flagged, sentence by sentence
    with rig(targets=[target], estimator=estimator, parent=tmp) as home:
        services = home.services

        def translate() -> RunSummary:
            worker = services.worker(
                name="bench-reuse", engine=lambda: engine, targets=[target],
                jobs_per_batch=max(jobs_per_batch, len(drafts)), estimator=estimator,
            )  # fmt: skip
            return worker.run_until_idle()

        progress(f"reuse: translating {len(drafts)} articles")
        home.submit_all(drafts)
        full = translate()
        progress("reuse: one paragraph of each edited, translating again")
        home.submit_all([edit_one_paragraph(d) for d in drafts])
        edit = translate()
        after_edit = _current(services, drafts=drafts, target=target)
        progress(f"reuse: glossary term {term.source!r} added, translating every article again")
        site = services.store.get_site(SITE)
        services.store.put_glossary_term(site_id=site.id, term=term)
        for draft in drafts:
            services.newsroom.retranslate(
                site_id=site.id, external_id=draft.external_id, langs=[target]
            )
        glossary = translate()
        after_glossary = _current(services, drafts=drafts, target=target)
    segments = sum(a.segments for a in after_edit)
    in_edited = sum(a.in_edited_paragraphs for a in after_edit)
    pattern = _term_pattern(term)
    with_term = sum(1 for a in after_glossary for text in a.texts if pattern.search(text))
    engine_made = [
        (seg, a.text_of(seg)) for a in after_glossary for seg in a.edition.segments
        if seg.origin is SegmentOrigin.ENGINE
    ]  # fmt: skip
    return {
        "articles": len(drafts),
        "target": target.value,
        "model": "tiny random weights (warta.engines.testing.build_tiny_model); quality "
        "estimation flags its sentences",
        "full": {
            "segments_translated": full.segments_translated,
            "segments_flagged": full.segments_flagged,
        },
        "edit": {
            "segments": segments,
            "segments_in_edited_paragraphs": in_edited,
            "segments_changed": sum(a.changed for a in after_edit),
            "segments_retranslated": edit.segments_translated,
            "segments_reused": edit.segments_reused,
            "segments_reused_flagged": sum(
                1
                for a in after_edit
                for seg in a.edition.segments
                if seg.origin is SegmentOrigin.MEMORY and seg.flags
            ),
            "fraction_retranslated": round(edit.segments_translated / max(segments, 1), 4),
            "edited_paragraphs_share": round(in_edited / max(segments, 1), 4),
            "target_met": edit.segments_translated <= in_edited,
        },
        "glossary": {
            "term": term.source,
            "sentences_with_term": with_term,
            "segments_retranslated": glossary.segments_translated,
            "retranslated_without_term": sum(
                1 for _, text in engine_made if not pattern.search(text)
            ),
            "equal": glossary.segments_translated == with_term,
        },
    }


@dataclass(frozen=True, slots=True)
class _Current:
    """An article's current revision (analysed), its edition, and what changed since the first."""

    document: SourceDocument
    edition: Edition
    segments: int  # translatable segments
    in_edited_paragraphs: int  # of them, in a block where a sentence changed since revision 1
    changed: int  # of them, not in revision 1

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.document.segments if s.translate]

    def text_of(self, segment: SegmentTranslation) -> str:
        return next(s.text for s in self.document.segments if s.index == segment.index)


def _current(services: Services, *, drafts: Sequence[ArticleDraft], target: Lang) -> list[_Current]:
    """Each article as stored: current revision and edition, compared with its first revision."""
    store = services.store
    site = store.get_site(SITE)
    found: list[_Current] = []
    for draft in drafts:
        article = store.get_article(site_id=site.id, external_id=draft.external_id)
        revisions = store.list_revisions(article.id)
        first, current = _analysed(revisions[0]), _analysed(revisions[-1])
        old = {s.html for s in first.segments if s.translate}
        new = [s for s in current.segments if s.translate]
        changed_blocks = {s.block for s in new if s.html not in old}
        found.append(
            _Current(
                document=current,
                edition=store.get_edition(revision_id=revisions[-1].id, lang=target),
                segments=len(new),
                in_edited_paragraphs=sum(1 for s in new if s.block in changed_blocks),
                changed=sum(1 for s in new if s.html not in old),
            )
        )
    return found


def _analysed(revision: Revision) -> SourceDocument:
    return document_for(title=revision.title, lead=revision.lead, body_html=revision.body_html)


def _term_pattern(term: GlossaryTerm) -> re.Pattern[str]:
    """The term as a whole word (how an editor would count the sentences containing it)."""
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(term.source)}(?!\w)", flags)
