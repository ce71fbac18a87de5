"""Section 1 (and 7 on a GPU): the engine's ceiling against warta's full pipeline.

Raw side: one ``ctranslate2.Translator.translate_batch`` over every segment, pre-tokenised
(tokenisation outside the clock). Pipeline side: the same sentences as articles, already
submitted to a fresh SQLite store (ingest timed separately), translated by
``Worker.run_until_idle``: claim, memory lookup, segmentation, tokenisation, engine with scores
and attention, alignment, placeholder restoring, markup projection, reassembly, storage.
Both use the same converted model, device, compute type, threads, beam and pinned length.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from warta.bench.corpus import Corpus, tokenize
from warta.bench.model import BenchModel
from warta.bench.rig import (
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
from warta.bench.timing import Sample, Series, clocked, interleaved, median, paired_ratios, timed
from warta.languages import Lang


def engine_vs_pipeline(
    model: BenchModel,
    corpus: Corpus,
    settings: EngineSettings,
    *,
    quantization: str,
    rounds: int,
    progress: ProgressFn,
    tmp: Path | None = None,
) -> dict[str, object]:
    """Interleaved rounds of raw engine and pipeline on the same segments; medians and ratio."""
    model_dir = model.ct2_dir(quantization)
    tokens = tokenize(corpus.segments, spm_path=model_dir / "source.spm")
    translator = raw_translator(model_dir, settings)
    engine = make_engine([model.registered(Lang.EN, quantization=quantization)], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    raw_translate(translator, tokens[:4], settings)

    produced: list[int] = []
    ingest = Series()
    checks: list[dict[str, Any]] = []

    def raw_side() -> None:
        produced.append(raw_translate(translator, tokens, settings))

    def pipeline_side() -> Sample:
        # A fresh store per round; the articles are submitted before the clock starts.
        with rig(targets=[Lang.EN], estimator=estimator, parent=tmp) as r:
            ingest.samples.append(timed(lambda: r.submit_all(corpus.drafts))[1])
            engine.calls.reset()
            python = time.thread_time()
            summary, sample = timed(lambda: r.translate_all(engine, settings))
            python = time.thread_time() - python
        check_no_reuse(summary, expected=len(corpus.segments), what="engine section")
        calls = engine.calls.to_dict()
        checks.append(
            {
                "worker_wall_s": round(sample.wall, 3),
                "worker_python_s": round(python, 3),
                "engine_calls": calls,
                # The engine runs on the worker's engine thread: this thread's CPU time is
                # everything else (claims, memory, QE, reassembly, storage, events).
                "outside_engine_python_s": round(python, 3),
                "segments_translated": summary.segments_translated,
                "segments_reused": summary.segments_reused,
                "editions_translated": summary.translated,
                "editions_needs_review": summary.needs_review,
            }
        )
        return sample

    series = interleaved(
        {"raw engine": clocked(raw_side), "warta pipeline": pipeline_side},
        rounds=rounds,
        progress=progress,
    )
    raw, pipe = series["raw engine"], series["warta pipeline"]
    n = len(corpus.segments)
    ratios = paired_ratios(pipe, raw)
    return {
        "corpus": corpus.describe(),
        "settings": settings.to_dict(),
        "quantization": quantization,
        "rounds": rounds,
        "raw_engine": {
            **raw.to_dict(units=n),
            "tokens_generated_per_run": produced[0] if produced else 0,
            "expected_tokens_per_run": n * settings.length,
        },
        "pipeline": {
            **pipe.to_dict(units=n),
            "ingest": ingest.to_dict(units=len(corpus.drafts)),
            "rounds_detail": checks,
            "python_s_median": round(median([c["worker_python_s"] for c in checks]), 3),
            "ctranslate2_s_median": round(
                median([c["engine_calls"]["ctranslate2_s"] for c in checks]), 3
            ),
        },
        "paired_ratios": [round(v, 4) for v in ratios],
        "ratio": round(raw.median_wall() / pipe.median_wall(), 4),
        "ratio_median_of_pairs": round(median(ratios), 4),
        "ratio_cpu": round(raw.median_cpu() / pipe.median_cpu(), 4),
    }
