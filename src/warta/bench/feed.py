"""Section ``feed``: can warta's worker keep a fast engine busy? (issue 16, point 6)

Two parts:

* **The feeding cost, measurable anywhere** (CPU proxy): the section-1 pipeline run against an
  engine that answers at once (every answer made before the clock by one real call), so the
  worker process does all its own work (claims, segmentation, memory, planning, quality
  estimation, reassembly, storage, events) and no decoding. Its CPU time per segment (all of
  its threads) is what one worker process needs per segment; the engine's own Python per
  segment (tokenising, detokenising, alignment: the calling thread's CPU time in a real call)
  is what the process that runs the engine needs. A device is kept busy only while its rate is
  below ``1 / (CPU seconds per segment)`` of whoever feeds it; on the lent H200 the raw engine
  ran 5,949 seg/s, 0.168 ms a segment.
* **Worker processes around one engine process** (GPU only; CPU runs measure it only when
  asked): one process owns the model (:mod:`warta.workers.engine_process`) and serves N worker
  processes, each with its own SQLite store and the same articles; the figure is all their
  segments over the time from the first start to the last finish, against the raw engine in
  the same section.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from warta.bench.corpus import Corpus, tokenize
from warta.bench.model import BenchModel
from warta.bench.rig import (
    AsIfTrained,
    EngineSettings,
    ProgressFn,
    check_no_reuse,
    make_engine,
    make_estimator,
    raw_translate,
    raw_translator,
    rig,
    warm_up,
)
from warta.bench.timing import median, timed
from warta.engines.base import Engine, EngineInfo, Hypothesis, SegmentGroup
from warta.languages import Lang

SETUP_TIMEOUT_S = 600.0


class AnswersAtOnce:
    """An engine that answers from a table made before the clock (the real engine's answers).

    ``describe`` and ``supports`` are the real engine's, so provenance and memory keys are
    the same; ``translate`` only looks up, so a worker using it spends its time on everything
    but decoding.
    """

    def __init__(self, inner: Engine, answers: dict[str, Hypothesis]) -> None:
        self._inner = inner
        self._answers = answers
        self.name = inner.name

    def supports(self, *, source: Lang, target: Lang) -> bool:
        return self._inner.supports(source=source, target=target)

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        return self._inner.describe(source=source, target=target)

    def translate(
        self,
        texts: Sequence[str],
        *,
        source: Lang,  # noqa: ARG002 -- one pair per table
        target: Lang,  # noqa: ARG002
        contexts: Sequence[str | None] | None = None,  # noqa: ARG002
        groups: Sequence[SegmentGroup] | None = None,  # noqa: ARG002
    ) -> list[Hypothesis]:
        return [self._answers[text] for text in texts]


class _Collecting:
    """The engine, keeping every answer by its input (to build :class:`AnswersAtOnce`)."""

    def __init__(self, inner: AsIfTrained) -> None:
        self._inner = inner
        self.name = inner.name
        self.answers: dict[str, Hypothesis] = {}

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
        found = self._inner.translate(
            texts, source=source, target=target, contexts=contexts, groups=groups, aligned=aligned
        )
        self.answers.update(zip(texts, found, strict=True))
        return found


def feeding_cost(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    *,
    quantization: str,
    rounds: int,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    """The worker process's CPU per segment with an engine that answers at once (proxy)."""
    engine = make_engine([model.registered(Lang.EN, quantization=quantization)], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    collecting = _Collecting(engine)
    progress("feed: one real pipeline run, for the answers and the engine's own Python")
    with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as r:
        r.submit_all(corpus.drafts)
        engine.calls.reset()
        summary = r.translate_all(collecting, settings)
    check_no_reuse(summary, expected=len(corpus.segments), what="feed section")
    real = engine.calls.to_dict()
    instant = AnswersAtOnce(engine, collecting.answers)
    n = len(corpus.segments)
    walls: list[float] = []
    cpus: list[float] = []
    for k in range(rounds):
        progress(f"feed: round {k + 1}/{rounds}, engine answering at once")
        with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as r:
            r.submit_all(corpus.drafts)
            done, sample = timed(partial(r.translate_all, instant, settings))
        check_no_reuse(done, expected=n, what="feed section")
        walls.append(sample.wall)
        cpus.append(sample.cpu)
    feeding_ms = median(cpus) / n * 1000
    engine_ms = float(real["python_s"]) / n * 1000
    return {
        "segments": n,
        "rounds": rounds,
        "instant_engine": {
            "wall_s": [round(v, 3) for v in walls],
            "process_cpu_s": [round(v, 3) for v in cpus],
            "median_process_cpu_s": round(median(cpus), 3),
        },
        # One worker process's own CPU per segment (every thread; no decoding in it).
        "feeding_cpu_ms_per_segment": round(feeding_ms, 4),
        # What one such process can feed at most, if it had a core per thread to itself.
        "feeding_ceiling_seg_per_s": round(1000 / feeding_ms, 1) if feeding_ms else None,
        # The engine wrapper's Python per segment (tokenise, detokenise, align), real call.
        "engine_python_ms_per_segment": round(engine_ms, 4),
        "engine_calls_real_run": real,
        # Where both run in one process (today's `warta work`), its ceiling:
        "one_process_ceiling_seg_per_s": round(1000 / (feeding_ms + engine_ms), 1),
    }


def through_engine_process(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    *,
    quantization: str,
    processes: int,
    progress: ProgressFn,
    tmp: Path,
) -> dict[str, object]:
    """``processes`` worker processes, one engine process serving them all."""
    if processes < 1:
        raise ValueError(f"processes must be at least 1, got {processes}")
    context = multiprocessing.get_context("spawn")  # CUDA does not survive fork
    pipes = [context.Pipe() for _ in range(processes)]
    server = context.Process(
        target=_serve_engine,
        args=(model, settings, quantization, [end for end, _ in pipes]),
        daemon=True,
    )
    barrier = context.Barrier(processes)
    results: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    workers = [
        context.Process(
            target=_one_client,
            args=(corpus, settings, barrier, results, str(tmp), client),
            daemon=True,
        )
        for _, client in pipes
    ]
    progress(f"feed: one engine process, {processes} worker processes: starting")
    server.start()
    for worker in workers:
        worker.start()
    for served, client in pipes:  # the processes hold their own copies
        served.close()
        client.close()
    found: list[dict[str, Any]] = []
    try:
        for _ in workers:
            found.append(results.get(timeout=SETUP_TIMEOUT_S * 2))
    except queue.Empty as err:
        raise RuntimeError(f"{processes} worker processes: no result in time") from err
    finally:
        for process in [*workers, server]:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    errors = [r["error"] for r in found if "error" in r]
    if errors:
        raise RuntimeError(f"engine process with {processes} workers failed: {errors[0]}")
    start = min(float(r["start"]) for r in found)
    end = max(float(r["end"]) for r in found)
    segments = sum(int(r["segments"]) for r in found)
    wall = end - start
    return {
        "processes": processes,
        "engine_process": True,
        "segments": segments,
        "wall_s": round(wall, 3),
        "units_per_s": round(segments / wall, 3),
        "per_process_wall_s": sorted(round(float(r["end"]) - float(r["start"]), 3) for r in found),
        "per_process_cpu_s": sorted(round(float(r["cpu"]), 3) for r in found),
    }


def _serve_engine(
    model: BenchModel, settings: EngineSettings, quantization: str, connections: list[Any]
) -> None:
    from warta.engines.ctranslate2 import CTranslate2Engine
    from warta.workers.engine_process import serve

    engine = CTranslate2Engine(
        [model.registered(Lang.EN, quantization=quantization)],
        decoding=settings.decoding,
        device=settings.device,
        compute_type=settings.compute_type,
        inter_threads=1,
        intra_threads=settings.threads,
    )
    serve(engine, connections)


def _one_client(
    corpus: Corpus,
    settings: EngineSettings,
    barrier: Any,  # multiprocessing.synchronize.Barrier (spawn context)
    results: Any,  # multiprocessing.Queue
    tmp: str,
    connection: Any,  # multiprocessing.connection.Connection
) -> None:
    from warta.workers.engine_process import EngineClient

    client = EngineClient(connection)
    try:
        engine = AsIfTrained(client)
        estimator = make_estimator()
        warm_up(engine, [Lang.EN], estimator=estimator)
        with rig(targets=[Lang.EN], estimator=estimator, parent=Path(tmp)) as r:
            r.submit_all(corpus.drafts)
            barrier.wait(timeout=SETUP_TIMEOUT_S)
            cpu = time.process_time()
            start = time.perf_counter()
            summary = r.translate_all(engine, settings)
            end = time.perf_counter()
            cpu = time.process_time() - cpu
        check_no_reuse(summary, expected=len(corpus.segments), what="engine process workers")
        results.put(
            {"start": start, "end": end, "cpu": cpu, "segments": summary.segments_translated}
        )
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which raises it
        results.put({"error": f"{type(exc).__name__}: {exc}"})
        barrier.abort()
    finally:
        client.close()


def raw_rate(
    model: BenchModel, corpus: Corpus, settings: EngineSettings, *, quantization: str, rounds: int
) -> dict[str, object]:
    """The raw engine on the same segments (pre-tokenised, one call): the rate to feed."""
    model_dir = model.ct2_dir(quantization)
    tokens = tokenize(corpus.segments, spm_path=model_dir / "source.spm")
    translator = raw_translator(model_dir, settings)
    raw_translate(translator, tokens[:4], settings)
    walls = [
        timed(lambda: raw_translate(translator, tokens, settings))[1].wall for _ in range(rounds)
    ]
    return {
        "wall_s": [round(v, 3) for v in walls],
        "units_per_s": round(len(corpus.segments) / median(walls), 3),
    }
