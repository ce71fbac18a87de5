"""Section 7 (GPU), part two: several worker processes sharing one engine device.

On a GPU one worker process keeps the engine busy only part of the time: its Python (quality
estimation, reassembly, storage) is the bottleneck. Operators scale out with several worker
processes per device (``warta celery worker`` each). This measures that: ``processes`` separate
warta installations (each its own SQLite store and its own copy of the model on the device, as
separate worker processes have) translate the same articles at the same time. Each process sets
up (model load, warm-up, ingest) before a shared barrier; the figure is all their segments over
the time from the first start to the last finish (``time.perf_counter`` is the system's
monotonic clock, comparable across processes).
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from pathlib import Path
from typing import Any

from warta.bench.corpus import Corpus
from warta.bench.model import BenchModel
from warta.bench.rig import (
    EngineSettings,
    ProgressFn,
    check_no_reuse,
    make_engine,
    make_estimator,
    rig,
    warm_up,
)
from warta.languages import Lang

SETUP_TIMEOUT_S = 600.0


def parallel_pipelines(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    *,
    quantization: str,
    processes: int,
    progress: ProgressFn,
    tmp: Path,
) -> dict[str, object]:
    """Run ``processes`` worker processes at once on the same device; aggregate throughput."""
    if processes < 1:
        raise ValueError(f"processes must be at least 1, got {processes}")
    context = multiprocessing.get_context("spawn")  # CUDA does not survive fork
    barrier = context.Barrier(processes)
    results: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    workers = [
        context.Process(
            target=_one_worker,
            args=(model, corpus, settings, quantization, barrier, results, str(tmp)),
            daemon=True,
        )
        for _ in range(processes)
    ]
    progress(f"{processes} worker processes: starting")
    for worker in workers:
        worker.start()
    found: list[dict[str, Any]] = []
    try:
        for _ in workers:
            found.append(results.get(timeout=SETUP_TIMEOUT_S * 2))
    except queue.Empty as err:
        raise RuntimeError(f"{processes} worker processes: no result in time") from err
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
    errors = [r["error"] for r in found if "error" in r]
    if errors:
        raise RuntimeError(f"{processes} worker processes failed: {errors[0]}")
    start = min(float(r["start"]) for r in found)
    end = max(float(r["end"]) for r in found)
    segments = sum(int(r["segments"]) for r in found)
    wall = end - start
    return {
        "processes": processes,
        "segments": segments,
        "wall_s": round(wall, 3),
        "units_per_s": round(segments / wall, 3),
        "per_process_wall_s": sorted(round(float(r["end"]) - float(r["start"]), 3) for r in found),
    }


def _one_worker(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    quantization: str,
    barrier: Any,  # multiprocessing.synchronize.Barrier (spawn context)
    results: Any,  # multiprocessing.Queue
    tmp: str,
) -> None:
    try:
        engine = make_engine([model.registered(Lang.EN, quantization=quantization)], settings)
        estimator = make_estimator()
        warm_up(engine, [Lang.EN], estimator=estimator)
        with rig(targets=[Lang.EN], estimator=estimator, parent=Path(tmp)) as r:
            r.submit_all(corpus.drafts)
            barrier.wait(timeout=SETUP_TIMEOUT_S)
            start = time.perf_counter()
            summary = r.translate_all(engine, settings)
            end = time.perf_counter()
        check_no_reuse(summary, expected=len(corpus.segments), what="parallel workers")
        results.put({"start": start, "end": end, "segments": summary.segments_translated})
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which raises it
        results.put({"error": f"{type(exc).__name__}: {exc}"})
        barrier.abort()
