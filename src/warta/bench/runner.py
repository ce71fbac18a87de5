"""``warta bench``: run the sections, collect one JSON report, render a table.

Presets: the full run (the figures in BENCHMARKS.md) and ``--quick`` (CI smoke runs, under two
minutes on a 2-core machine: a smaller model, fewer sentences, shorter decoding, one round).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from warta.bench.machine import describe_machine, load_average
from warta.bench.model import BenchModel, build_bench_model
from warta.bench.rig import EngineSettings, default_validator
from warta.languages import TARGET_LANGS, Lang

SECTIONS = (
    "engine", "usual", "articles", "memory", "site", "incremental", "reuse", "hostile", "remote",
    "gpu", "feed",
)  # fmt: skip
# sections that need no benchmark model (reuse builds a tiny one; hostile uses the fake engine)
OWN_MODEL = ("site", "reuse", "hostile", "remote")  # remote: a local chat-completions server
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BenchConfig:
    quick: bool
    sections: tuple[str, ...] = SECTIONS
    size: str = "opus"  # model shape: opus | small | tiny
    lines: int | None = None  # FLORES lines for sections 1-2 (None: all 997)
    length: int = 32  # pinned decoding length (min = max), tokens
    beam: int = 1
    batch_tokens: int = 2048  # warta's default Settings.batch_tokens
    jobs_per_batch: int = 64  # warta's default Settings.jobs_per_batch
    threads: int = 0  # 0: one per core
    rounds: int = 5  # interleaved rounds, section 1 (this 2-core machine varies ±10% a round)
    # Section 1 again with other (beam, jobs_per_batch): smaller batches, warta's default beam.
    engine_variants: tuple[tuple[int, int], ...] = ((1, 16), (4, 64))
    variant_rounds: int = 2
    usual_lines: int | None = 400  # FLORES lines for section 2 (transformers is slow)
    usual_rounds: int = 2  # section 2
    hf_batch: int = 16
    articles: int = 60  # demo articles, section 3
    article_targets: tuple[Lang, ...] = TARGET_LANGS
    incremental_articles: int = 20
    incremental_rounds: int = 3
    reuse_articles: int = 60  # demo articles, section reuse (counts, not times)
    wrk_seconds: int = 10
    wrk_connections: int = 16
    wrk_threads: int = 2
    gpu_batch_tokens: int = 16384
    gpu_jobs_per_batch: int = 64
    # Section 7 again with several worker processes sharing the GPU (0 or 1: not measured).
    gpu_processes: tuple[int, ...] = (4, 8)
    # Section feed: rounds of the worker against an engine that answers at once (any machine),
    # and worker processes around one engine process (on a GPU; on a CPU only if listed here).
    feed_rounds: int = 3
    feed_processes: tuple[int, ...] = (1, 2, 4, 8)
    feed_cpu_processes: tuple[int, ...] = ()
    seed: int = 0
    data_dir: Path = Path("data")
    cache_dir: Path | None = None

    @classmethod
    def preset(cls, *, quick: bool) -> BenchConfig:
        if not quick:
            return cls(quick=False)
        return cls(
            quick=True,
            size="small",
            lines=100,
            length=16,
            rounds=1,
            engine_variants=(),
            usual_lines=60,
            usual_rounds=1,
            articles=6,
            article_targets=(Lang.EN, Lang.ZH),
            incremental_articles=5,
            incremental_rounds=1,
            reuse_articles=12,
            wrk_seconds=3,
            wrk_connections=8,
            feed_rounds=1,
        )

    @property
    def resolved_threads(self) -> int:
        return self.threads or os.cpu_count() or 1

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or Path.home() / ".cache" / "warta" / "bench"

    def engine_settings(self) -> EngineSettings:
        return EngineSettings(
            beam=self.beam,
            length=self.length,
            batch_tokens=self.batch_tokens,
            threads=self.resolved_threads,
            jobs_per_batch=self.jobs_per_batch,
        )

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["article_targets"] = [t.value for t in self.article_targets]
        data["data_dir"] = str(self.data_dir)
        data["cache_dir"] = str(self.resolved_cache_dir)
        data["threads"] = self.resolved_threads
        return data


@dataclass
class Report:
    config: BenchConfig
    data: dict[str, object] = field(default_factory=dict)
    sections: dict[str, dict[str, object]] = field(default_factory=dict)

    def ratio(self, name: str) -> float | None:
        """``pipeline/engine`` (section 1) or ``engine/transformers`` (section 2)."""
        if name == "pipeline/engine":
            value = self.sections.get("engine", {}).get("ratio")
        else:
            usual = self.sections.get("usual", {}).get("engine/transformers")
            value = usual.get("ratio") if isinstance(usual, dict) else None
        return float(value) if isinstance(value, int | float) else None

    def to_dict(self) -> dict[str, object]:
        return {
            **self.data,
            "config": self.config.to_dict(),
            "sections": self.sections,
            "summary": {
                "pipeline/engine ratio": self.ratio("pipeline/engine"),
                "engine/transformers ratio": self.ratio("engine/transformers"),
            },
        }


def run_bench(config: BenchConfig, *, progress: Progress, repo: Path | None = None) -> Report:
    unknown = [s for s in config.sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    report = Report(config)
    machine = describe_machine(repo=repo)
    report.data["machine"] = machine.to_dict()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-run-"))
    try:
        needs_model = any(s in config.sections for s in SECTIONS if s not in OWN_MODEL)
        model = None
        if needs_model:
            progress(f"model: building or reusing the {config.size} model")
            model = build_bench_model(
                config.resolved_cache_dir,
                tokenizer_dir=config.data_dir / "opus-mt-id-en",
                size=config.size,
                seed=config.seed,
            )
            report.data["model"] = model.to_dict()
        for section in SECTIONS:
            if section not in config.sections:
                continue
            progress(f"section {section}")
            t0 = time.perf_counter()
            try:
                result = _run_section(section, config, model=model, progress=progress, tmp=tmp)
            except Exception as exc:  # noqa: BLE001 -- a failing section must not lose the rest
                result = {
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(limit=6),
                }
            result["section_seconds"] = round(time.perf_counter() - t0, 1)
            if config.quick:
                result["quick"] = True  # a smoke run: its ratios are not judged against targets
            report.sections[section] = result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.data["load_average_end"] = list(load_average())
    report.data["total_seconds"] = round(time.perf_counter() - started, 1)
    return report


def _run_section(
    section: str,
    config: BenchConfig,
    *,
    model: BenchModel | None,
    progress: Progress,
    tmp: Path,
) -> dict[str, object]:
    settings = config.engine_settings()
    flores = config.data_dir / "flores101-dev"
    if section == "site":
        return dict(_m(_served(config, tmp)["site"]))
    if section == "reuse":
        from warta.bench.corpus import demo_drafts
        from warta.bench.incremental import build_reuse_model, memory_reuse

        drafts = demo_drafts(validator=default_validator(), limit=config.reuse_articles)
        return memory_reuse(
            drafts, model_dir=build_reuse_model(tmp / "reuse-model", drafts),
            jobs_per_batch=config.jobs_per_batch, progress=progress, tmp=tmp,
        )  # fmt: skip
    if section == "remote":
        from warta.bench.remote import through_openai

        return through_openai(
            articles=config.articles, rounds=1 if config.quick else 3, progress=progress, tmp=tmp
        )
    if section == "hostile":
        from warta.bench.hostile import hostile_article
        from warta.bench.site import prepare_site_home

        return hostile_article(
            prepare_site_home(tmp), flores_id=flores / "id.txt",
            rounds=1 if config.quick else 6, progress=progress,
        )  # fmt: skip
    assert model is not None  # noqa: S101 -- built for every section but site, reuse, hostile
    if section == "engine":
        from warta.bench.corpus import flores_corpus
        from warta.bench.engine import engine_vs_pipeline

        corpus = flores_corpus(flores, limit=config.lines, validator=default_validator())
        result = engine_vs_pipeline(
            model, corpus, settings, quantization="int8", rounds=config.rounds,
            progress=progress, tmp=tmp,
        )  # fmt: skip
        variants = []
        for beam, jobs in config.engine_variants:
            progress(f"variant: beam {beam}, jobs_per_batch {jobs}")
            variant = replace(settings, beam=beam, jobs_per_batch=jobs)
            variants.append(
                engine_vs_pipeline(
                    model,
                    corpus,
                    variant,
                    quantization="int8",
                    rounds=config.variant_rounds,
                    progress=progress,
                    tmp=tmp,
                )
            )
        result["variants"] = variants
        return result
    if section == "usual":
        from warta.bench.corpus import flores_corpus
        from warta.bench.usual import against_usual_way

        lines = config.usual_lines if config.lines is None else config.lines
        corpus = flores_corpus(flores, limit=lines, validator=default_validator())
        return against_usual_way(
            model, corpus, settings, rounds=config.usual_rounds, hf_batch=config.hf_batch,
            progress=progress, tmp=tmp,
        )  # fmt: skip
    if section == "articles":
        from warta.bench.articles import many_small_articles
        from warta.bench.corpus import demo_drafts

        drafts = demo_drafts(validator=default_validator(), limit=config.articles)
        return many_small_articles(
            model, drafts, settings, targets=config.article_targets, progress=progress, tmp=tmp
        )
    if section == "memory":
        from warta.bench.memory import worker_memory

        return {
            "worker": worker_memory(
                model, quantization="int8", threads=config.resolved_threads, tmp=tmp
            ),
            "web": _m(_served(config, tmp)["memory"]),
        }
    if section == "incremental":
        from warta.bench.corpus import demo_drafts
        from warta.bench.incremental import incremental_retranslation

        drafts = demo_drafts(validator=default_validator(), limit=config.incremental_articles)
        return incremental_retranslation(
            model, drafts, settings, rounds=config.incremental_rounds, progress=progress, tmp=tmp
        )
    if section == "gpu":
        return _gpu(config, model=model, progress=progress, tmp=tmp)
    if section == "feed":
        return _feed(config, model=model, progress=progress, tmp=tmp)
    raise ValueError(section)


def _served(config: BenchConfig, tmp: Path) -> dict[str, object]:
    """One ``warta serve`` run for sections memory (web) and site, done once per bench run."""
    from warta.bench.site import prepare_site_home, serve_and_measure

    saved = tmp / "served.json"
    if saved.is_file():
        figures: dict[str, object] = json.loads(saved.read_text(encoding="utf-8"))
        return figures
    home = prepare_site_home(tmp)
    try:
        figures = serve_and_measure(
            home,
            duration_s=config.wrk_seconds if "site" in config.sections else None,
            connections=config.wrk_connections,
            threads=config.wrk_threads,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    saved.write_text(json.dumps(figures), encoding="utf-8")
    return figures


def _m(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    return value


def _gpu(
    config: BenchConfig, *, model: BenchModel, progress: Progress, tmp: Path
) -> dict[str, object]:
    import ctranslate2

    if ctranslate2.get_cuda_device_count() < 1:
        return {
            "skipped": "no CUDA device visible to CTranslate2 on this machine: no GPU figure "
            "was measured",
            "how_to_run": "on a machine with an NVIDIA GPU: warta bench --sections gpu "
            "--out gpu.json",
        }
    from warta.bench.corpus import flores_corpus
    from warta.bench.engine import engine_vs_pipeline

    model = build_bench_model(
        config.resolved_cache_dir,
        tokenizer_dir=config.data_dir / "opus-mt-id-en",
        size=config.size,
        seed=config.seed,
        quantizations=("float16",),
    )
    settings = replace(
        config.engine_settings(),
        device="cuda",
        compute_type="float16",
        batch_tokens=config.gpu_batch_tokens,
        jobs_per_batch=config.gpu_jobs_per_batch,
        threads=1,
    )
    corpus = flores_corpus(
        config.data_dir / "flores101-dev", limit=config.lines, validator=default_validator()
    )
    result = engine_vs_pipeline(
        model, corpus, settings, quantization="float16", rounds=config.rounds,
        progress=progress, tmp=tmp,
    )  # fmt: skip
    result["card"] = gpu_name()
    from warta.bench.parallel import parallel_pipelines

    raw_rate = float(str(_m(result["raw_engine"])["units_per_s"]))
    scaled: list[dict[str, object]] = []
    for processes in (p for p in config.gpu_processes if p > 1):
        found = parallel_pipelines(
            model, corpus, settings, quantization="float16", processes=processes,
            progress=progress, tmp=tmp,
        )  # fmt: skip
        found["ratio_to_engine"] = round(float(str(found["units_per_s"])) / raw_rate, 4)
        scaled.append(found)
    result["worker_processes"] = scaled
    return result


def _feed(
    config: BenchConfig, *, model: BenchModel, progress: Progress, tmp: Path
) -> dict[str, object]:
    """Section feed (:mod:`warta.bench.feed`): on a GPU with its settings, else on the CPU."""
    import ctranslate2

    from warta.bench.corpus import flores_corpus
    from warta.bench.feed import feeding_cost, raw_rate, through_engine_process

    cuda = ctranslate2.get_cuda_device_count() > 0
    settings = config.engine_settings()
    quantization = "int8"
    if cuda:
        model = build_bench_model(
            config.resolved_cache_dir,
            tokenizer_dir=config.data_dir / "opus-mt-id-en",
            size=config.size,
            seed=config.seed,
            quantizations=("float16",),
        )
        quantization = "float16"
        settings = replace(
            settings,
            device="cuda",
            compute_type="float16",
            batch_tokens=config.gpu_batch_tokens,
            jobs_per_batch=config.gpu_jobs_per_batch,
            threads=1,
        )
    corpus = flores_corpus(
        config.data_dir / "flores101-dev", limit=config.lines, validator=default_validator()
    )
    result: dict[str, object] = {
        "device": settings.device,
        "settings": settings.to_dict(),
        "card": gpu_name() if cuda else None,
    }
    raw = raw_rate(model, corpus, settings, quantization=quantization, rounds=config.feed_rounds)
    result["raw_engine"] = raw
    cost = feeding_cost(
        model, corpus, settings, quantization=quantization, rounds=config.feed_rounds,
        progress=progress, tmp=tmp,
    )  # fmt: skip
    rate = float(str(raw["units_per_s"]))
    # The proxy: the engine stays busy only where one feeder's ceiling is above its rate.
    cost["feeding_ceiling/raw_engine"] = round(
        float(str(cost["feeding_ceiling_seg_per_s"])) / rate, 4
    )
    cost["one_process_ceiling/raw_engine"] = round(
        float(str(cost["one_process_ceiling_seg_per_s"])) / rate, 4
    )
    result["feeding"] = cost
    served: list[dict[str, object]] = []
    for processes in config.feed_processes if cuda else config.feed_cpu_processes:
        found = through_engine_process(
            model, corpus, settings, quantization=quantization, processes=processes,
            progress=progress, tmp=tmp,
        )  # fmt: skip
        found["ratio_to_engine"] = round(float(str(found["units_per_s"])) / rate, 4)
        served.append(found)
    result["engine_process"] = served
    return result


def gpu_name() -> str:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return "unknown (no nvidia-smi)"
    try:
        out = subprocess.run(  # noqa: S603
            [smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown (nvidia-smi failed)"
    return "; ".join(line.strip() for line in out.splitlines() if line.strip())


def parse_sections(spec: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(s.strip() for s in spec.split(",") if s.strip()))
    unknown = [s for s in names if s not in SECTIONS]
    if unknown or not names:
        raise ValueError(
            f"unknown section(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {','.join(SECTIONS)}"
        )
    return names


def with_overrides(config: BenchConfig, **overrides: object) -> BenchConfig:
    present = {k: v for k, v in overrides.items() if v is not None}
    return replace(config, **present)  # type: ignore[arg-type]


Table = Sequence[tuple[str, str, str, str]]
