"""A real warta installation in a temporary folder: SQLite store, queue, newsroom, worker.

The pipeline side of every benchmark goes through the same objects production uses:
``Newsroom.submit`` (validation, sanitising, segmentation check, storage, job queueing) and
``Worker.run_until_idle`` (claim, memory lookup, segmentation, engine, reassembly, storage).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import ctranslate2

from warta.bench.corpus import SITE
from warta.config import Settings
from warta.domain import ArticleDraft, Glossary, RegisteredModel
from warta.engines.base import Decoding, Engine, EngineInfo, Hypothesis, SegmentGroup
from warta.ingest.validate import Validator
from warta.languages import Lang
from warta.quality.estimator import QualityEstimator, SegmentQuality
from warta.services import Services, build_services
from warta.text.protect import PLACEHOLDER
from warta.workers.runner import RunSummary, Worker


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Decoding and runtime settings shared by every side of a comparison."""

    beam: int
    length: int  # min = max decoding length, in tokens
    batch_tokens: int
    device: str = "cpu"
    compute_type: str = "int8"
    threads: int = 0  # CTranslate2 intra_threads and torch threads; 0 = library default
    jobs_per_batch: int = 16  # the worker's batch of jobs (Settings.jobs_per_batch)

    @property
    def decoding(self) -> Decoding:
        return Decoding(
            beam_size=self.beam,
            max_decoding_length=self.length,
            min_decoding_length=self.length,
            batch_tokens=self.batch_tokens,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "beam_size": self.beam,
            "min_decoding_length": self.length,
            "max_decoding_length": self.length,
            "batch_tokens": self.batch_tokens,
            "batch_type": "tokens",
            "device": self.device,
            "compute_type": self.compute_type,
            "intra_threads": self.threads,
            "inter_threads": 1,
            "jobs_per_batch": self.jobs_per_batch,
        }


def default_validator() -> Validator:
    """The validator ``build_services`` makes from default settings (for model_texts)."""
    defaults = Settings.model_fields
    return Validator(
        max_bytes=int(defaults["max_article_bytes"].default),
        min_confidence=float(defaults["min_indonesian_confidence"].default),
    )


def raw_translator(model_dir: Path, settings: EngineSettings) -> ctranslate2.Translator:
    return ctranslate2.Translator(
        str(model_dir),
        device=settings.device,
        compute_type=settings.compute_type,
        inter_threads=1,
        intra_threads=settings.threads,
    )


def raw_translate(
    translator: ctranslate2.Translator, tokens: Sequence[Sequence[str]], settings: EngineSettings
) -> int:
    """The engine's ceiling: one ``translate_batch`` on pre-tokenised input; returns tokens made."""
    results = translator.translate_batch(
        [list(t) for t in tokens],
        max_batch_size=settings.batch_tokens,
        batch_type="tokens",
        beam_size=settings.beam,
        min_decoding_length=settings.length,
        max_decoding_length=settings.length,
    )
    return sum(len(r.hypotheses[0]) for r in results)


def make_engine(models: Sequence[RegisteredModel], settings: EngineSettings) -> AsIfTrained:
    """warta's CTranslate2 engine with the benchmark's settings, as a trained model behaves."""
    from warta.engines.ctranslate2 import CTranslate2Engine

    return AsIfTrained(
        CTranslate2Engine(
            models,
            decoding=settings.decoding,
            device=settings.device,
            compute_type=settings.compute_type,
            inter_threads=1,
            intra_threads=settings.threads,
        )
    )


class AsIfTrained:
    """The real engine, with its outputs made to look like a trained model's afterwards.

    Random weights with a pinned decoding length give outputs that never end (every hypothesis
    ``truncated``) and that drop the input's placeholders (``{0}``...), so the pipeline flags
    every segment, cannot put the inline markup and glossary terms back, and every edition
    needs review. Flagged translations still go into translation memory (with their flags, and
    are reused flagged while their keys hold), so the memory work is the same either way; what a
    trained model changes is the rest: its outputs end and keep their placeholders, and its
    editions come out translated. This wrapper marks each output as ended and appends the
    placeholders it lost, so the pipeline does the work it does in production. Decoding is
    untouched: the engine call, its batching, scores, attention and alignment are the real ones.
    """

    def __init__(self, inner: Engine) -> None:
        self._inner = inner
        self.name = inner.name
        self.calls = EngineCalls()

    def supports(self, *, source: Lang, target: Lang) -> bool:
        return self._inner.supports(source=source, target=target)

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        return self._inner.describe(source=source, target=target)

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,
        target: Lang,
        contexts: Sequence[str | None] | None = None,
        groups: Sequence[SegmentGroup] | None = None,
        aligned: Sequence[bool] | None = None,
    ) -> list[Hypothesis]:
        wall, cpu = time.perf_counter(), time.thread_time()
        extra = {} if aligned is None else {"aligned": aligned}
        hypotheses = self._inner.translate(
            texts, source=source, target=target, contexts=contexts, groups=groups, **extra
        )
        self.calls.add(
            segments=len(texts),
            wall=time.perf_counter() - wall,
            python=time.thread_time() - cpu,
        )
        return [_behaved(text, h) for text, h in zip(texts, hypotheses, strict=True)]

    def pretokenize(self, texts: Sequence[str], *, source: Lang, target: Lang) -> None:
        """Forwarded (the pipeline tokenises ahead where the engine can), untimed: it runs on
        the worker's thread while planning, not in the engine call."""
        pretokenize = getattr(self._inner, "pretokenize", None)
        if callable(pretokenize):
            pretokenize(texts, source=source, target=target)


@dataclass
class EngineCalls:
    """What the pipeline's engine calls cost: wall time, and the calling thread's CPU time.

    CTranslate2 decodes on its own threads while the caller waits, so the caller's CPU time in
    a call is warta's Python around it (tokenising with offsets, detokenising, alignment) and
    ``wall - python`` is CTranslate2's own time.
    """

    count: int = 0
    segments: int = 0
    wall: float = 0.0
    python: float = 0.0

    def add(self, *, segments: int, wall: float, python: float) -> None:
        self.count += 1
        self.segments += segments
        self.wall += wall
        self.python += python

    def reset(self) -> None:
        self.count = self.segments = 0
        self.wall = self.python = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "calls": self.count,
            "segments": self.segments,
            "wall_s": round(self.wall, 3),
            "python_s": round(self.python, 3),
            "ctranslate2_s": round(self.wall - self.python, 3),
        }


def _behaved(source: str, hypothesis: Hypothesis) -> Hypothesis:
    wanted = dict.fromkeys(PLACEHOLDER.findall(source))
    present = set(PLACEHOLDER.findall(hypothesis.text))
    missing = " ".join(f"{{{n}}}" for n in wanted if n not in present)
    text = f"{hypothesis.text} {missing}" if missing else hypothesis.text
    return replace(hypothesis, text=text, truncated=False)


def warm_up(
    engine: Engine, targets: Sequence[Lang], *, estimator: QualityEstimator | None = None
) -> None:
    """Load every model (and the estimator's language detector), outside any timed region."""
    for target in targets:
        source = "Pemerintah menaikkan tarif ojek daring."
        (hypothesis,) = engine.translate([source], source=Lang.ID, target=target)
        if estimator is not None:
            estimator.assess(source=source, target="The government raises fares.", lang=target)
            # A name with an accent: builds the checks' accent-folding table (once a process).
            estimator.assess(
                source="Kunjungan ke Québec.", target="A visit to Québec.", lang=target
            )
            estimator.assess(source=source, target=hypothesis.text, lang=target)


class AsIfTrainedEstimator(QualityEstimator):
    """warta's quality estimator, run in full, with its verdict cleared afterwards.

    Every check runs (the cost is the real one), but on random weights nearly every segment
    would be flagged; a trained model's segments mostly pass. Flagged segments go into
    translation memory too (with their flags, reused flagged), so the flag does not change the
    memory work or the reuse of section 6; clearing it makes editions come out translated, not
    needs_review, and keeps the memory's flags empty, as with a trained model in production.
    """

    def assess(
        self,
        *,
        source: str,
        target: str,
        lang: Lang,
        logprob: float | None = None,
        truncated: bool = False,
        glossary: Glossary | None = None,
    ) -> SegmentQuality:
        found = super().assess(
            source=source,
            target=target,
            lang=lang,
            logprob=logprob,
            truncated=truncated,
            glossary=glossary,
        )
        return replace(found, flagged=False)


def make_estimator() -> QualityEstimator:
    """The estimator ``build_services`` makes (default settings), as a trained model sees it."""
    return AsIfTrainedEstimator()


class Rig:
    """One temporary warta home with a site; build with :func:`rig`."""

    def __init__(
        self, services: Services, *, targets: Sequence[Lang], estimator: QualityEstimator
    ) -> None:
        self.services = services
        self.targets = tuple(targets)
        self.estimator = estimator

    def submit_all(self, drafts: Sequence[ArticleDraft]) -> None:
        for draft in drafts:
            self.services.newsroom.submit(draft)

    def worker(self, engine: Engine, settings: EngineSettings, *, name: str = "bench") -> Worker:
        """The worker ``Services.worker`` builds (quality estimation, webhook events), with
        ``engine`` and the benchmark's ``jobs_per_batch``."""
        return self.services.worker(
            name=name,
            engine=lambda: engine,
            targets=self.targets,
            jobs_per_batch=settings.jobs_per_batch,
            estimator=self.estimator,
        )

    def translate_all(self, engine: Engine, settings: EngineSettings) -> RunSummary:
        return self.worker(engine, settings).run_until_idle()


@contextmanager
def rig(
    *,
    targets: Sequence[Lang],
    estimator: QualityEstimator,
    parent: Path | None = None,
    keep: bool = False,
) -> Iterator[Rig]:
    """A fresh SQLite-backed warta in a temporary folder (removed afterwards unless ``keep``).

    ``estimator`` is shared across rigs (as one process shares one): build it once with
    :func:`make_estimator` and warm it up, so lingua's models load outside the clock.
    """
    home = Path(tempfile.mkdtemp(prefix="warta-bench-", dir=parent))
    settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'warta.db'}", targets=tuple(targets)
    )
    services = build_services(settings)
    try:
        services.store.get_or_create_site(slug=SITE, name="warta bench")
        yield Rig(services, targets=targets, estimator=estimator)
    finally:
        services.close()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def check_no_reuse(summary: RunSummary, *, expected: int, what: str) -> None:
    """The first pass must translate every segment: memory must not short-cut the work."""
    if summary.segments_reused or summary.segments_translated != expected or summary.failed:
        raise RuntimeError(
            f"{what}: the pipeline translated {summary.segments_translated} segments and reused "
            f"{summary.segments_reused} (failed jobs: {summary.failed}); expected {expected} "
            "translated and none reused, so the comparison would not be like for like"
        )


ProgressFn = Callable[[str], None]
