"""From an Indonesian revision to translated editions: the pure core of translation.

No I/O of its own: callers pass the translation memory they looked up and the engine to call, and
store what comes back. Several articles for the same target language go to the engine in one call,
so the engine can batch their segments together (what keeps a GPU busy).

Steps per article and language::

    analyse (blocks, sentences, inline markup)
      -> translation memory: exact match of the sentence's inline HTML (editor corrections first)
      -> prepare (placeholders for URLs, numbers, glossary terms) -> engine
      -> finish (restore placeholders, project markup)
      -> assemble the edition in the source's block structure
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from warta import __version__
from warta.domain import (
    EditionContent,
    EditionStatus,
    Glossary,
    MemoryEntry,
    Provenance,
    SegmentOrigin,
    SegmentTranslation,
)
from warta.engines.base import Engine, EngineInfo, Hypothesis
from warta.ingest.sanitize import sanitize_html
from warta.languages import SOURCE_LANG, Lang
from warta.quality.article import summarise
from warta.quality.estimator import QualityEstimator
from warta.quality.rerank import rerank_index
from warta.text import (
    SEGMENTER_VERSION,
    PreparedSegment,
    SourceDocument,
    analyse,
    assemble,
    finish,
    prepare,
)

QualityCheck = Callable[[str, Hypothesis, str, Lang], tuple[str, ...]]
"""Extra per-segment check: (source model text, hypothesis, target html, target) -> flags."""


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One article revision to translate into one language."""

    key: object  # caller's handle (job id, file name), returned unchanged
    document: SourceDocument
    memory: Mapping[str, MemoryEntry]  # source sentence html -> stored translation
    glossary: Glossary


@dataclass(frozen=True, slots=True)
class Outcome:
    key: object
    status: EditionStatus
    reason: str
    content: EditionContent
    segments: tuple[SegmentTranslation, ...]
    provenance: Provenance
    new_memory: tuple[MemoryEntry, ...]  # engine translations worth remembering
    quality: float  # article-level quality estimate in [0, 1]


def provenance_for(info: EngineInfo, *, glossary: Glossary) -> Provenance:
    """The provenance record of a translation made with ``info`` under ``glossary``."""
    return Provenance(
        engine=info.engine,
        models=info.models,
        decoding=tuple(sorted(info.decoding.as_items())),
        device=info.device,
        compute_type=info.compute_type,
        glossary_version=glossary.version,
        segmenter_version=SEGMENTER_VERSION,
        app_version=__version__,
    )


def document_for(*, title: str, lead: str, body_html: str) -> SourceDocument:
    """Analyse a revision. Titles and leads are plain text, but ``analyse`` reads one that contains
    markup as inline HTML, so such a one goes through the same allowlist as bodies first."""
    return analyse(title=_safe_line(title), lead=_safe_line(lead), body_html=body_html)


def _safe_line(text: str) -> str:
    return sanitize_html(text) if "<" in text else text


def translate_items(
    items: Sequence[WorkItem],
    *,
    engine: Engine,
    target: Lang,
    estimator: QualityEstimator | None = None,
    checks: Sequence[QualityCheck] = (),
) -> list[Outcome]:
    """Translate every item into ``target`` with one engine call for all new segments.

    Every engine segment is assessed by ``estimator`` (quality score and reasons); a segment with
    reasons is flagged, and an edition with a flagged segment needs review. The three steps are
    also public (:func:`plan_items`, :func:`run_engine`, :func:`complete_items`) so that a worker
    can run the engine call of one batch while it completes the batch before.
    """
    batch = plan_items(items, engine=engine, target=target)
    return complete_items(
        batch, run_engine(batch, engine=engine), estimator=estimator, checks=checks
    )


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """Items whose memory hits are settled and whose new segments are ready for the engine."""

    target: Lang
    info: EngineInfo
    items: tuple[WorkItem, ...]
    plans: tuple[_Plan, ...]

    @property
    def model_texts(self) -> list[str]:
        return [p.model_text for plan in self.plans for p in plan.to_translate]

    @property
    def contexts(self) -> list[str | None]:
        """For each model text, the sentence before it in its article (document context)."""
        return [p.context for plan in self.plans for p in plan.to_translate]


def plan_items(items: Sequence[WorkItem], *, engine: Engine, target: Lang) -> PlannedBatch:
    """Memory lookup results applied, placeholders in: what the engine must translate."""
    return PlannedBatch(
        target=target,
        info=engine.describe(source=SOURCE_LANG, target=target),
        items=tuple(items),
        plans=tuple(_plan(item, target=target) for item in items),
    )


def run_engine(batch: PlannedBatch, *, engine: Engine) -> list[Hypothesis]:
    """The engine call of a batch: one hypothesis per new segment, in order."""
    texts = batch.model_texts
    if not texts:
        hypotheses: list[Hypothesis] = []
    elif batch.info.decoding.context_sentences:
        hypotheses = engine.translate(
            texts, source=SOURCE_LANG, target=batch.target, contexts=batch.contexts
        )
    else:  # engines written before document context need not know the argument
        hypotheses = engine.translate(texts, source=SOURCE_LANG, target=batch.target)
    if len(hypotheses) != len(texts):
        from warta.errors import EngineError

        raise EngineError(
            f"engine {batch.info.engine} returned {len(hypotheses)} translations "
            f"for {len(texts)} segments",
            hint="this is a bug in the engine; report it with the model name",
            target=batch.target.value,
        )
    return hypotheses


def complete_items(
    batch: PlannedBatch,
    hypotheses: Sequence[Hypothesis],
    *,
    estimator: QualityEstimator | None = None,
    checks: Sequence[QualityCheck] = (),
) -> list[Outcome]:
    """Restore, assess and reassemble: one :class:`Outcome` per item of ``batch``."""
    outcomes: list[Outcome] = []
    cursor = 0
    for item, plan in zip(batch.items, batch.plans, strict=True):
        count = len(plan.to_translate)
        outcomes.append(
            _complete(
                item,
                plan,
                hypotheses[cursor : cursor + count],
                provenance=provenance_for(batch.info, glossary=item.glossary),
                target=batch.target,
                estimator=estimator,
                checks=checks,
            )
        )
        cursor += count
    return outcomes


@dataclass(frozen=True, slots=True)
class _Prepared:
    index: int
    model_text: str
    prepared: PreparedSegment
    context: str | None  # the article's sentence before this one (plain text), if any


@dataclass(frozen=True, slots=True)
class _Plan:
    reused: Mapping[int, MemoryEntry]
    to_translate: tuple[_Prepared, ...]


def _plan(item: WorkItem, *, target: Lang) -> _Plan:
    reused: dict[int, MemoryEntry] = {}
    todo: list[_Prepared] = []
    previous: str | None = None  # title, lead, then body, in reading order
    for segment in item.document.segments:
        if not segment.translate:
            continue
        context, previous = previous, segment.text
        hit = item.memory.get(segment.html)
        if hit is not None:
            reused[segment.index] = hit
            continue
        prepared = prepare(segment, target=target, glossary=item.glossary)
        todo.append(_Prepared(segment.index, prepared.model_text, prepared, context))
    return _Plan(reused=reused, to_translate=tuple(todo))


def _complete(
    item: WorkItem,
    plan: _Plan,
    hypotheses: Sequence[Hypothesis],
    *,
    provenance: Provenance,
    target: Lang,
    estimator: QualityEstimator | None,
    checks: Sequence[QualityCheck],
) -> Outcome:
    fresh = {p.index: (p, h) for p, h in zip(plan.to_translate, hypotheses, strict=True)}
    segments: list[SegmentTranslation] = []
    new_memory: list[MemoryEntry] = []
    for segment in item.document.segments:
        if not segment.translate:
            segments.append(
                SegmentTranslation(
                    index=segment.index,
                    block=segment.block,
                    source_html=segment.html,
                    target_html=segment.html,
                    origin=SegmentOrigin.VERBATIM,
                )
            )
        elif segment.index in plan.reused:
            hit = plan.reused[segment.index]
            origin = (
                SegmentOrigin.HUMAN if hit.origin is SegmentOrigin.HUMAN else SegmentOrigin.MEMORY
            )
            segments.append(
                SegmentTranslation(
                    index=segment.index,
                    block=segment.block,
                    source_html=segment.html,
                    target_html=hit.target_html,
                    origin=origin,
                )
            )
        else:
            prepared, hypothesis = fresh[segment.index]
            if hypothesis.alternatives and estimator is not None:
                hypothesis = _best_candidate(
                    prepared.prepared, hypothesis, estimator=estimator, glossary=item.glossary
                )
            done = finish(prepared.prepared, hypothesis, target=target)
            flags = list(done.flags)
            quality: float | None = None
            if estimator is not None:
                assessed = estimator.assess(
                    source=prepared.prepared.segment.text,
                    target=done.text,
                    lang=target,
                    logprob=hypothesis.score,
                    truncated=hypothesis.truncated,
                    glossary=item.glossary,
                )
                flags.extend(assessed.flags)
                quality = assessed.score
            else:
                if hypothesis.truncated:
                    flags.append("truncated")
                if not done.text.strip():
                    flags.append("empty")
            for check in checks:
                flags.extend(check(prepared.model_text, hypothesis, done.html, target))
            unique_flags = tuple(dict.fromkeys(flags))
            segments.append(
                SegmentTranslation(
                    index=segment.index,
                    block=segment.block,
                    source_html=segment.html,
                    target_html=done.html,
                    origin=SegmentOrigin.ENGINE,
                    score=hypothesis.score,
                    flags=unique_flags,
                    quality=quality,
                )
            )
            if not unique_flags:
                new_memory.append(
                    MemoryEntry(
                        source_html=segment.html,
                        target_html=done.html,
                        origin=SegmentOrigin.ENGINE,
                        provenance_key=provenance.key(),
                    )
                )
    content = assemble(item.document, [s.target_html for s in segments], target=target)
    doubtful = [s for s in segments if s.flags]
    if doubtful:
        status = EditionStatus.NEEDS_REVIEW
        reason = f"{len(doubtful)} of {len(segments)} segments flagged for review: " + ", ".join(
            sorted({f for s in doubtful for f in s.flags})
        )
    else:
        status = EditionStatus.TRANSLATED
        reason = ""
    return Outcome(
        key=item.key,
        status=status,
        reason=reason,
        content=content,
        segments=tuple(segments),
        provenance=provenance,
        new_memory=tuple(new_memory),
        quality=summarise(segments).score,
    )


def _best_candidate(
    prepared: PreparedSegment,
    hypothesis: Hypothesis,
    *,
    estimator: QualityEstimator,
    glossary: Glossary,
) -> Hypothesis:
    """n-best reranking: the candidate quality estimation trusts most, judged on finished text."""
    candidates = [replace(hypothesis, alternatives=()), *hypothesis.alternatives]
    finished = [
        replace(c, text=finish(prepared, c, target=prepared.target).text) for c in candidates
    ]
    index = rerank_index(
        finished,
        source=prepared.segment.text,
        lang=prepared.target,
        estimator=estimator,
        glossary=glossary,
    )
    return candidates[index]
