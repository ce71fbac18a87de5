"""From an Indonesian revision to translated editions: the pure core of translation.

No I/O of its own: callers pass the translation memory they looked up and the engine to call, and
store what comes back. Several articles for the same target language go to the engine in one call,
so the engine can batch their segments together (what keeps a GPU busy).

Steps per article and language::

    analyse (blocks, sentences, inline markup)
      -> translation memory: exact match of the sentence's inline HTML (editor corrections first;
         a machine translation only while what made it is in force, see :func:`engine_key`)
      -> prepare (placeholders for URLs, numbers, glossary terms) -> engine
      -> finish (restore placeholders, project markup)
      -> a corrected sentence edited since the previous revision: flagged, correction suggested
         (:mod:`warta.carryover`)
      -> assemble the edition in the source's block structure
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from warta import __version__
from warta.carryover import suggestions, with_suggestion
from warta.domain import (
    EditionContent,
    EditionStatus,
    Glossary,
    MemoryEntry,
    Provenance,
    SegmentOrigin,
    SegmentTranslation,
)
from warta.engines.base import Engine, EngineInfo, Hypothesis, SegmentGroup
from warta.engines.router import Produced, Withheld
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
from warta.text.glossary_key import glossary_key
from warta.text.tags import finish_tagged, to_tagged

QualityCheck = Callable[[str, Hypothesis, str, Lang], tuple[str, ...]]
"""Extra per-segment check: (source model text, hypothesis, target html, target) -> flags."""


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One article revision to translate into one language."""

    key: object  # caller's handle (job id, file name), returned unchanged
    document: SourceDocument
    memory: Mapping[str, MemoryEntry]  # source sentence html -> stored translation
    glossary: Glossary
    fresh: bool = False  # sent back by an editor: ENGINE memory entries are not reused
    # The previous revision's edition in this language (all its segments), when it holds an
    # editor's correction: a corrected sentence edited since is flagged, the correction suggested.
    earlier: tuple[SegmentTranslation, ...] = ()
    site: str | None = None  # the site's slug: routes engines per site, goes into its group
    title: str = ""  # the revision's title (context for engines that translate articles)
    style: str = ""  # the site's style note for engines that take one (LLMs)


@runtime_checkable
class Pretokenizing(Protocol):
    """An engine that can tokenise a batch ahead (the CTranslate2 engine): :func:`plan_items`
    does it on the worker's thread, so that the engine's thread, busy with the batch before,
    only decodes."""

    def pretokenize(self, texts: Sequence[str], *, source: Lang, target: Lang) -> None: ...


@runtime_checkable
class SiteRouting(Protocol):
    """An engine whose choice depends on the site (:class:`warta.engines.router.Router`)."""

    def describe_for(self, *, site: str | None, source: Lang, target: Lang) -> EngineInfo: ...

    def markup_for(self, *, site: str | None, target: Lang) -> str:
        """How the site's segments travel: "tags" when an engine of its route keeps tags."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    key: object
    status: EditionStatus
    reason: str
    content: EditionContent
    segments: tuple[SegmentTranslation, ...]
    provenance: Provenance
    new_memory: tuple[MemoryEntry, ...]  # every engine translation, with its keys and flags
    quality: float  # article-level quality estimate in [0, 1]
    # Segments no engine of the route produced: why (naming the engines); nothing to record.
    withheld: str = ""
    hold: bool = False  # withheld by monthly caps only: the edition waits (pending)


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


def engine_key(info: EngineInfo) -> str:
    """Short hash of what makes the engine's output for a sentence: engine, models (name,
    checksum, pair), decoding, compute type and segmenter version.

    A machine translation in memory is reused only while this is the key in force (and the
    sentence's glossary key is unchanged). Left out on purpose: the glossary (keyed per sentence
    instead, :func:`~warta.text.glossary_key.glossary_key`, so a new term re-translates only the
    sentences it occurs in), the app version (a release that does not touch translation must not
    re-translate everything; one that does changes the segmenter version) and the device (the
    same model with the same compute type computes the same translation on CPU and GPU).
    """
    payload = {
        "engine": info.engine,
        "models": [[m.name, m.checksum, m.source.value, m.target.value] for m in info.models],
        "decoding": sorted([k, v] for k, v in info.decoding.as_items()),
        "compute_type": info.compute_type,
        "segmenter": SEGMENTER_VERSION,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


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
    infos: tuple[EngineInfo, ...] = ()  # per item, where the engine routes per site
    tagged: tuple[bool, ...] = ()  # per item: sent with tags (warta.text.tags); () = none

    def info_of(self, position: int) -> EngineInfo:
        return self.infos[position] if self.infos else self.info

    @property
    def model_texts(self) -> list[str]:
        """What the engine is sent: the model text, or it with numbered tags for the inline
        markup where the item's engine keeps tags itself (``EngineInfo.markup``)."""
        return [
            to_tagged(p.prepared) if self.tagged_item(position) else p.model_text
            for position, plan in enumerate(self.plans)
            for p in plan.to_translate
        ]

    def tagged_item(self, position: int) -> bool:
        return bool(self.tagged) and self.tagged[position]

    @property
    def needs_alignment(self) -> list[bool]:
        """For each model text, whether finishing it reads the engine's alignment: only to put
        back inline markup or protected items (placeholders); a plain sentence needs none."""
        return [
            bool(p.prepared.items or p.prepared.spans)
            for plan in self.plans
            for p in plan.to_translate
        ]

    @property
    def contexts(self) -> list[str | None]:
        """For each model text, the sentence before it in its article (document context)."""
        return [p.context for plan in self.plans for p in plan.to_translate]

    @property
    def groups(self) -> list[SegmentGroup] | None:
        """For each model text, its article (None when no item names a site)."""
        if all(item.site is None for item in self.items):
            return None
        return [
            SegmentGroup(
                key=str(getattr(item.key, "revision_id", item.key)),
                title=item.title,
                site=item.site or "",
                glossary=item.glossary,
                style_note=item.style,
            )
            for item, plan in zip(self.items, self.plans, strict=True)
            for _ in plan.to_translate
        ]


def plan_items(items: Sequence[WorkItem], *, engine: Engine, target: Lang) -> PlannedBatch:
    """Memory lookup results applied, placeholders in: what the engine must translate."""
    info = engine.describe(source=SOURCE_LANG, target=target)
    infos: tuple[EngineInfo, ...] = ()
    if isinstance(engine, SiteRouting):  # the memory key in force differs per site
        infos = tuple(
            engine.describe_for(site=item.site, source=SOURCE_LANG, target=target) for item in items
        )
    keys = [engine_key(i) for i in infos] if infos else [engine_key(info)] * len(items)
    if isinstance(engine, SiteRouting):
        tagged = tuple(engine.markup_for(site=item.site, target=target) == "tags" for item in items)
    else:
        tagged = (info.markup == "tags",) * len(items)
    batch = PlannedBatch(
        target=target,
        info=info,
        items=tuple(items),
        plans=tuple(
            _plan(item, target=target, engine_key=key)
            for item, key in zip(items, keys, strict=True)
        ),
        infos=infos,
        tagged=tagged if any(tagged) else (),
    )
    if isinstance(engine, Pretokenizing):  # here, while the batch before decodes
        texts = list(dict.fromkeys(batch.model_texts))
        if texts:
            engine.pretokenize(texts, source=SOURCE_LANG, target=target)
    return batch


def run_engine(batch: PlannedBatch, *, engine: Engine) -> list[Hypothesis]:
    """The engine call of a batch: one hypothesis per new segment, in order (a sentence that
    occurs more than once is sent to the engine once, see :func:`_distinct`)."""
    groups = batch.groups
    firsts, positions = _distinct(batch, groups=groups)
    every = batch.model_texts  # once: a property that builds the list
    texts = [every[i] for i in firsts]
    extra: dict[str, Any] = {}
    if batch.info.decoding.context_sentences:
        contexts = batch.contexts
        extra["contexts"] = [contexts[i] for i in firsts]
    parameters = _parameters(engine)
    if groups is not None and "groups" in parameters:
        extra["groups"] = [groups[i] for i in firsts]
    if "aligned" in parameters:  # attention only where markup or placeholders go back
        aligned = [False] * len(firsts)
        for position, needed in enumerate(batch.needs_alignment):
            if needed:
                aligned[positions[position]] = True
        extra["aligned"] = aligned
    if not texts:
        hypotheses: list[Hypothesis] = []
    else:  # engines written before context, groups or aligned need not know those arguments
        hypotheses = engine.translate(texts, source=SOURCE_LANG, target=batch.target, **extra)
    if len(hypotheses) != len(texts):
        from warta.errors import EngineError

        raise EngineError(
            f"engine {batch.info.engine} returned {len(hypotheses)} translations "
            f"for {len(texts)} segments",
            hint="this is a bug in the engine; report it with the model name",
            target=batch.target.value,
        )
    return [hypotheses[p] for p in positions]


def _distinct(
    batch: PlannedBatch, *, groups: Sequence[SegmentGroup] | None
) -> tuple[list[int], list[int]]:
    """Each distinct engine request of a batch once: a sentence repeated in an article (or, when
    no item names a site, anywhere in the batch) is translated once, as the engine gives the same
    input the same output. With document context the sentence before is part of the request.
    Returns the batch positions of the first occurrences, and for every position the index of
    its request among them."""
    with_context = bool(batch.info.decoding.context_sentences)
    seen: dict[tuple[str, str | None, str | None], int] = {}
    firsts: list[int] = []
    positions: list[int] = []
    texts, contexts = batch.model_texts, batch.contexts
    for i, text in enumerate(texts):
        key = (
            text,
            contexts[i] if with_context else None,
            None if groups is None else groups[i].key,
        )
        request = seen.get(key)
        if request is None:
            request = seen[key] = len(firsts)
            firsts.append(i)
        positions.append(request)
    return firsts, positions


def _parameters(engine: Engine) -> Mapping[str, object]:
    try:
        return inspect.signature(engine.translate).parameters
    except (TypeError, ValueError):
        return {}


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
    for position, (item, plan) in enumerate(zip(batch.items, batch.plans, strict=True)):
        count = len(plan.to_translate)
        outcomes.append(
            _complete(
                item,
                plan,
                hypotheses[cursor : cursor + count],
                info=batch.info_of(position),
                target=batch.target,
                estimator=estimator,
                checks=checks,
            )
        )
        cursor += count
    return outcomes


def _producer(hypothesis: Hypothesis, default: EngineInfo) -> EngineInfo:
    """What produced a hypothesis: a router says so on it (after the call); else the engine."""
    if isinstance(hypothesis, Produced) and hypothesis.producer is not None:
        return hypothesis.producer
    return default


def edition_provenance(parts: Sequence[Provenance], *, fallback: Provenance) -> Provenance:
    """One engine's provenance, or "mixed" naming each engine's (``Provenance.parts``)."""
    unique = list({p.key(): p for p in parts}.values())
    if not unique:
        return fallback
    if len(unique) == 1:
        return unique[0]
    first = unique[0]
    models = tuple(dict.fromkeys(m for p in unique for m in p.models))
    return replace(first, engine="mixed", models=models, parts=tuple(unique))


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
    glossary_keys: Mapping[int, str]  # segment index -> glossary key, for segments translated


def _plan(item: WorkItem, *, target: Lang, engine_key: str) -> _Plan:
    reused: dict[int, MemoryEntry] = {}
    todo: list[_Prepared] = []
    keys: dict[int, str] = {}
    previous: str | None = None  # title, lead, then body, in reading order
    for segment in item.document.segments:
        if not segment.translate:
            continue
        context, previous = previous, segment.text
        hit = item.memory.get(segment.html)
        if hit is not None and hit.origin is SegmentOrigin.HUMAN:  # no key to check
            reused[segment.index] = hit
            continue
        key = glossary_key(segment.text, glossary=item.glossary, target=target)
        if hit is not None and reusable(
            hit, engine_key=engine_key, glossary_key=key, fresh=item.fresh
        ):
            reused[segment.index] = hit
            continue
        prepared = prepare(segment, target=target, glossary=item.glossary)
        todo.append(_Prepared(segment.index, prepared.model_text, prepared, context))
        keys[segment.index] = key
    return _Plan(reused=reused, to_translate=tuple(todo), glossary_keys=keys)


def reusable(entry: MemoryEntry, *, engine_key: str, glossary_key: str, fresh: bool) -> bool:
    """Whether a memory entry stands for this sentence now.

    An editor's correction (HUMAN) always does. A machine translation (ENGINE) does while the
    engine key and the sentence's glossary key it was made under are the ones in force, and the
    job is not ``fresh`` (sent back by an editor to be translated again).
    """
    if entry.origin is SegmentOrigin.HUMAN:
        return True
    if entry.origin is not SegmentOrigin.ENGINE or fresh:
        return False
    return entry.engine_key == engine_key and entry.glossary_key == glossary_key


def _complete(
    item: WorkItem,
    plan: _Plan,
    hypotheses: Sequence[Hypothesis],
    *,
    info: EngineInfo,
    target: Lang,
    estimator: QualityEstimator | None,
    checks: Sequence[QualityCheck],
) -> Outcome:
    fresh = {p.index: (p, h) for p, h in zip(plan.to_translate, hypotheses, strict=True)}
    withheld = [h for h in hypotheses if isinstance(h, Withheld)]
    default_provenance = provenance_for(info, glossary=item.glossary)
    made: dict[str, Provenance] = {}  # producing engine's key -> its provenance, in order
    # id(producer) -> (its engine key, its provenance's key): two hashes of JSON and text that
    # are the same for every segment of an engine, worked out once per article
    keyed: dict[int, tuple[str, str]] = {}
    notes: dict[str, None] = {}  # why earlier engines were passed over (fallbacks)
    suggested = suggestions(item.earlier, item.document)
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
            if hit.origin is SegmentOrigin.HUMAN:
                segments.append(
                    SegmentTranslation(
                        index=segment.index,
                        block=segment.block,
                        source_html=segment.html,
                        target_html=hit.target_html,
                        origin=SegmentOrigin.HUMAN,
                        provenance_key=hit.provenance_key or None,
                    )
                )
            else:  # a machine translation, reused with the doubts it was stored with
                segments.append(
                    with_suggestion(
                        SegmentTranslation(
                            index=segment.index,
                            block=segment.block,
                            source_html=segment.html,
                            target_html=hit.target_html,
                            origin=SegmentOrigin.MEMORY,
                            score=hit.score,
                            flags=hit.flags,
                            quality=hit.quality,
                            provenance_key=hit.provenance_key or None,
                        ),
                        suggested.get(segment.index),
                    )
                )
        else:
            prepared, hypothesis = fresh[segment.index]
            producer = _producer(hypothesis, info)
            keys = keyed.get(id(producer))
            if keys is None:
                key = engine_key(producer)
                provenance = made.setdefault(key, provenance_for(producer, glossary=item.glossary))
                keys = keyed[id(producer)] = (key, provenance.key())
            producer_key, provenance_key = keys
            if isinstance(hypothesis, Produced) and hypothesis.fallback_note:
                notes[hypothesis.fallback_note] = None
            if hypothesis.alternatives and estimator is not None:
                hypothesis = _best_candidate(
                    prepared.prepared, hypothesis, estimator=estimator, glossary=item.glossary
                )
            if producer.markup == "tags":  # the engine kept the numbered tags itself
                done = finish_tagged(prepared.prepared, hypothesis, target=target)
            else:
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
                with_suggestion(
                    SegmentTranslation(
                        index=segment.index,
                        block=segment.block,
                        source_html=segment.html,
                        target_html=done.html,
                        origin=SegmentOrigin.ENGINE,
                        score=hypothesis.score,
                        flags=unique_flags,
                        quality=quality,
                        provenance_key=provenance_key,
                    ),
                    suggested.get(segment.index),
                )
            )
            # Remembered doubts and all: a flagged sentence is reused (flagged) while the keys
            # hold, instead of being translated again by every revision.
            new_memory.append(
                MemoryEntry(
                    source_html=segment.html,
                    target_html=done.html,
                    origin=SegmentOrigin.ENGINE,
                    provenance_key=provenance_key,
                    engine_key=producer_key,
                    glossary_key=plan.glossary_keys.get(segment.index, ""),
                    flags=unique_flags,
                    score=hypothesis.score,
                    quality=quality,
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
    if notes:  # a fallback translated some segments: say which engine failed, and why
        reason = "; ".join(filter(None, [reason, *notes]))
    if withheld:
        hold = all(h.hold for h in withheld)
        why = "; ".join(dict.fromkeys(h.reason for h in withheld))
        status = EditionStatus.PENDING if hold else EditionStatus.FAILED
        reason = f"{len(withheld)} segment(s) not translated: {why}"
    return Outcome(
        key=item.key,
        status=status,
        reason=reason,
        content=content,
        segments=tuple(segments),
        provenance=edition_provenance(list(made.values()), fallback=default_provenance),
        new_memory=tuple(new_memory),
        quality=summarise(segments).score,
        withheld=reason if withheld else "",
        hold=bool(withheld) and status is EditionStatus.PENDING,
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
