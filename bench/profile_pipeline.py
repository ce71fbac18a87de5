"""Profile warta's pipeline on the section-1 workload: where does the time go?

    .venv/bin/python bench/profile_pipeline.py [--lines 997] [--length 32] [--size opus]

Submits the FLORES articles to a fresh SQLite store, then runs ``Worker.run_until_idle`` under
cProfile (the worker's thread, and the engine thread's ``translate`` calls with a second profiler,
merged) and prints (1) the split between CTranslate2 (``translate_batch`` posts the batches,
``result`` waits for each answer) and everything else, and (2) the top functions by own time
outside it. Same model, settings and corpus as
``warta bench --sections engine``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path
from typing import Any

from warta.bench.corpus import flores_corpus
from warta.bench.model import build_bench_model
from warta.bench.rig import (
    EngineSettings,
    default_validator,
    make_engine,
    make_estimator,
    rig,
    warm_up,
)
from warta.languages import Lang

PHASES = {
    "claim jobs (queue.claim)": ("warta/workers/queue.py", "claim"),
    "read, analyse, memory lookup, plan (Worker._start)": ("warta/workers/runner.py", "_start"),
    "  memory lookup (Store.lookup_memory)": ("warta/store/repository.py", "lookup_memory"),
    "  analyse (text.document.analyse)": ("warta/text/document.py", "analyse"),
    "  plan: memory hits, prepare, tokenise (plan_items)": ("warta/pipeline.py", "plan_items"),
    "    tokenise ahead (CTranslate2Engine.pretokenize)": (
        "warta/engines/ctranslate2.py",
        "pretokenize",
    ),
    "engine.translate (engine thread)": ("warta/engines/ctranslate2.py", "translate"),
    "  tokenise with offsets, all (_encode)": ("warta/engines/ctranslate2.py", "_encode"),
    "  detokenise + align (_hypothesis)": ("warta/engines/ctranslate2.py", "_hypothesis"),
    "    alignment (align_from_attention)": ("warta/engines/alignment.py", "align_from_attention"),
    "finish: restore, QE, project, assemble (complete_items)": (
        "warta/pipeline.py",
        "complete_items",
    ),
    "  restore placeholders + project markup (finish)": ("warta/text/model_io.py", "finish"),
    "  quality estimation (QualityEstimator.assess)": ("warta/quality/estimator.py", "assess"),
    "    language identification (lingua)": ("warta/quality/scripts.py", "confidences"),
    "  reassemble the edition (assemble)": ("warta/text/document.py", "assemble"),
    "store a batch (Store.record_translations)": (
        "warta/store/repository.py",
        "record_translations",
    ),
    "webhook events (EditionEvents.recorded)": ("warta/integrations/webhooks.py", "recorded"),
}


class _ProfiledEngine:
    """The engine, with each ``translate`` call (on the worker's engine thread) profiled."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.profiler = cProfile.Profile()

    def translate(
        self,
        texts: Any,
        *,
        source: Any,
        target: Any,
        contexts: Any = None,
        groups: Any = None,
        aligned: Any = None,
    ) -> Any:
        self.profiler.enable()
        try:
            return self._engine.translate(
                texts,
                source=source,
                target=target,
                contexts=contexts,
                groups=groups,
                aligned=aligned,
            )
        finally:
            self.profiler.disable()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--size", default="opus")
    parser.add_argument("--jobs-per-batch", type=int, default=16)
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache/warta/bench")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    model = build_bench_model(
        args.cache_dir, tokenizer_dir=args.data_dir / "opus-mt-id-en", size=args.size
    )
    corpus = flores_corpus(
        args.data_dir / "flores101-dev", limit=args.lines, validator=default_validator()
    )
    settings = EngineSettings(
        beam=args.beam,
        length=args.length,
        batch_tokens=args.batch_tokens,
        threads=args.threads,
        jobs_per_batch=args.jobs_per_batch,
    )
    engine = make_engine([model.registered(Lang.EN, quantization="int8")], settings)
    estimator = make_estimator()
    warm_up(engine, [Lang.EN], estimator=estimator)
    profiler = cProfile.Profile()
    profiled = _ProfiledEngine(engine)
    with rig(targets=[Lang.EN], estimator=estimator) as home:
        home.submit_all(corpus.drafts)
        wall, cpu = time.perf_counter(), time.process_time()
        profiler.enable()
        summary = home.translate_all(profiled, settings)
        profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = pstats.Stats(profiler)
    stats.add(profiled.profiler)
    engine_calls = [
        (key, value)
        for key, value in stats.stats.items()  # type: ignore[attr-defined]
        # translate_batch posts the batches (asynchronous); result() waits for each answer
        if key[2].endswith(("translate_batch>", "ctranslate2._ext.result>"))
    ]
    inside = sum(value[3] for _, value in engine_calls)
    calls = sum(value[1] for _, value in engine_calls)
    print(f"segments {summary.segments_translated}, reused {summary.segments_reused}")
    print(f"worker run: {wall:.2f} s wall, {cpu:.2f} s CPU (under cProfile)")
    print(f"inside CTranslate2 (post + wait): {inside:.2f} s in {calls} calls")
    print(f"everything else: {wall - inside:.2f} s ({(wall - inside) / wall:.1%} of the run)")
    print("\nphases (cumulative seconds under cProfile, which inflates Python code):")
    for label, (module, function) in PHASES.items():
        seconds = sum(
            value[3]
            for key, value in stats.stats.items()  # type: ignore[attr-defined]
            if key[0].endswith(module) and key[2] == function
        )
        print(f"  {label:<48} {seconds:7.2f} s")
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(args.top)
    print(buffer.getvalue())


if __name__ == "__main__":
    main()
