"""Section 3: many small articles arriving at once, against one batch of the same segments.

* **arriving concurrently**: a publisher thread submits the articles one after another as fast
  as the newsroom takes them, while a worker (the loop of ``warta work``: runs of overlapping
  batches, polling every 10 ms instead of 2 s) claims whatever jobs are queued,
  ``jobs_per_batch`` at a time per language. Latency of an article: from the moment its submit
  starts to the moment its last edition is stored.
* **queued, then one worker run**: the same articles, all submitted before the worker starts.
* **one batch**: the raw engine translates every segment of every article, one
  ``translate_batch`` per language; every article's last edition is ready when the last call
  returns, so its latency is the whole run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from warta.bench.corpus import model_texts, tokenize
from warta.bench.model import BenchModel
from warta.bench.rig import (
    EngineSettings,
    ProgressFn,
    Rig,
    default_validator,
    make_engine,
    make_estimator,
    raw_translate,
    raw_translator,
    rig,
    warm_up,
)
from warta.bench.timing import percentile
from warta.domain import ArticleDraft, EditionStatus
from warta.engines.base import Engine
from warta.languages import Lang
from warta.quality.estimator import QualityEstimator
from warta.workers.foreground import BATCHES_PER_RUN
from warta.workers.runner import RunSummary

_DONE = (EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW)
POLL_SECONDS = 0.01


def many_small_articles(
    model: BenchModel,
    drafts: Sequence[ArticleDraft],
    settings: EngineSettings,
    *,
    targets: Sequence[Lang],
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    quantization = settings.compute_type
    validator = default_validator()
    texts = {lang: model_texts(drafts, validator=validator, target=lang) for lang in targets}
    total = sum(len(t) for t in texts.values())
    engine = make_engine(
        [model.registered(t, quantization=quantization) for t in targets], settings
    )
    estimator = make_estimator()
    warm_up(engine, targets, estimator=estimator)
    translator = raw_translator(model.ct2_dir(quantization), settings)
    spm_path = model.ct2_dir(quantization) / "source.spm"
    tokens = {lang: tokenize(t, spm_path=spm_path) for lang, t in texts.items()}
    raw_translate(translator, tokens[targets[0]][:2], settings)

    progress("arriving concurrently")
    concurrent = _concurrent(
        drafts, engine, settings, targets=targets, estimator=estimator, tmp=tmp
    )
    progress("queued, then one worker run")
    queued = _queued(drafts, engine, settings, targets=targets, estimator=estimator, tmp=tmp)
    progress("one batch per language (raw engine)")
    start = time.perf_counter()
    for lang in targets:
        raw_translate(translator, tokens[lang], settings)
    batch_seconds = time.perf_counter() - start
    one_batch = _figures([batch_seconds] * len(drafts), span=batch_seconds, segments=total)

    for name, figures in (("concurrent", concurrent), ("queued", queued)):
        if figures["segments"] != total:
            raise RuntimeError(
                f"articles section ({name}): the pipeline translated {figures['segments']} "
                f"segments, the batch {total}: the sides did different work"
            )
    return {
        "articles": len(drafts),
        "targets": [t.value for t in targets],
        "segments_per_language": {lang.value: len(t) for lang, t in texts.items()},
        "segments_total": total,
        "settings": settings.to_dict(),
        "arriving_concurrently": concurrent,
        "queued_then_worker": queued,
        "one_batch": one_batch,
        "throughput_ratio_concurrent_vs_batch": round(
            float(str(concurrent["segments_per_s"])) / float(str(one_batch["segments_per_s"])), 4
        ),
    }


def _concurrent(
    drafts: Sequence[ArticleDraft],
    engine: Engine,
    settings: EngineSettings,
    *,
    targets: Sequence[Lang],
    estimator: QualityEstimator,
    tmp: Path | None,
) -> dict[str, object]:
    with rig(targets=targets, estimator=estimator, parent=tmp) as r:
        published: dict[str, float] = {}
        failures: list[BaseException] = []

        def publish() -> None:
            try:
                for draft in drafts:
                    published[draft.external_id] = time.perf_counter()
                    r.services.newsroom.submit(draft)
            except Exception as exc:  # noqa: BLE001 -- re-raised by the main thread
                failures.append(exc)

        worker = r.worker(engine, settings)
        summary = RunSummary()
        done: dict[str, float] = {}
        publisher = threading.Thread(target=publish, name="bench-publisher")
        publisher.start()

        def collect(_: RunSummary) -> None:  # after each batch lands
            _collect(r, targets, done)

        while len(done) < len(drafts):
            # As `warta work` polls: runs of up to BATCHES_PER_RUN overlapping batches.
            before = summary.batches
            worker.run(max_batches=BATCHES_PER_RUN, summary=summary, progress=collect)
            busy = summary.batches > before
            _collect(r, targets, done)
            if failures:
                raise RuntimeError(f"publishing failed: {failures[0]}") from failures[0]
            if not busy:
                if not publisher.is_alive() and len(done) < len(drafts):
                    _collect(r, targets, done)
                    if len(done) < len(drafts) and not worker.run_once(summary):
                        raise RuntimeError(
                            f"articles section: {len(drafts) - len(done)} articles never got "
                            f"all editions (failed jobs: {summary.failed})"
                        )
                time.sleep(POLL_SECONDS)
        publisher.join()
    first = min(published.values())
    latencies = [done[key] - published[key] for key in published]
    return _figures(
        latencies,
        span=max(done.values()) - first,
        segments=summary.segments_translated,
        batches=None,
    )


def _queued(
    drafts: Sequence[ArticleDraft],
    engine: Engine,
    settings: EngineSettings,
    *,
    targets: Sequence[Lang],
    estimator: QualityEstimator,
    tmp: Path | None,
) -> dict[str, object]:
    with rig(targets=targets, estimator=estimator, parent=tmp) as r:
        published: dict[str, float] = {}
        for draft in drafts:
            published[draft.external_id] = time.perf_counter()
            r.services.newsroom.submit(draft)
        worker = r.worker(engine, settings)
        summary = RunSummary()
        done: dict[str, float] = {}
        worker_start = time.perf_counter()
        worker.run(summary=summary, progress=lambda _: _collect(r, targets, done))
        _collect(r, targets, done)
        worker_seconds = time.perf_counter() - worker_start
    if len(done) < len(drafts):
        raise RuntimeError(f"articles section: {len(drafts) - len(done)} articles unfinished")
    latencies = [done[key] - published[key] for key in published]
    figures = _figures(
        latencies,
        span=max(done.values()) - min(published.values()),
        segments=summary.segments_translated,
    )
    figures["worker_seconds"] = round(worker_seconds, 3)
    figures["worker_segments_per_s"] = round(summary.segments_translated / worker_seconds, 3)
    return figures


def _collect(r: Rig, targets: Sequence[Lang], done: dict[str, float]) -> None:
    now = time.perf_counter()
    finished: dict[str, set[Lang]] = {}
    for row in r.services.store.status_rows():
        if row.status in _DONE:
            finished.setdefault(row.external_id, set()).add(row.lang)
    for key, langs in finished.items():
        if key not in done and langs >= set(targets):
            done[key] = now


def _figures(
    latencies: Sequence[float], *, span: float, segments: int, batches: int | None = None
) -> dict[str, object]:
    figures: dict[str, object] = {
        "seconds": round(span, 3),
        "segments": segments,
        "segments_per_s": round(segments / span, 3) if span > 0 else 0.0,
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "latency_max_s": round(max(latencies), 3),
    }
    if batches is not None:
        figures["batches"] = batches
    return figures
