"""Section 4: resident memory of a worker holding five directions' models, and of the web process.

The worker figure comes from a separate process (``python -m warta.bench.memory``) built the way
``warta work`` builds one: ``build_services`` on a temporary home, five registered int8 models
(id→en, zh, ja, ar, fr: five copies of the benchmark model in five directories, as five
directions would be) and ``services.worker()`` (the production worker: engine provider, quality
estimator, webhook events) translating one short article into the five languages. ``VmRSS`` is
read from ``/proc/self/status`` before the run, after each language's batch, and at the end.

The web figure (:func:`warta.bench.site.serve_and_measure`) is ``warta serve --no-worker`` when
started, after it has served every article page once, and after the site section's ``wrk`` run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from warta.bench.model import BenchModel, copy_model_dir
from warta.languages import TARGET_LANGS

MIB = 2**20


def worker_memory(
    model: BenchModel, *, quantization: str, threads: int, tmp: Path | None = None
) -> dict[str, object]:
    scratch = Path(tempfile.mkdtemp(prefix="warta-bench-mem-", dir=tmp))
    try:
        dirs = [
            copy_model_dir(model.ct2_dir(quantization), scratch / f"model-id-{lang.value}")
            for lang in TARGET_LANGS
        ]
        argv = [
            sys.executable, "-m", "warta.bench.memory",
            str(scratch / "home"), quantization, str(threads), *map(str, dirs),
        ]  # fmt: skip
        done = subprocess.run(  # noqa: S603
            argv, capture_output=True, text=True, check=False, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"the memory probe failed:\n{done.stderr[-3000:]}")
        figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    model_bytes = (model.ct2_dir(quantization) / "model.bin").stat().st_size
    return {
        "models": len(TARGET_LANGS),
        "quantization": quantization,
        "model_bin_mib": round(model_bytes / MIB, 1),
        **figures,
    }


def _probe(home: Path, quantization: str, threads: int, dirs: list[Path]) -> dict[str, object]:
    """Runs in the child process: a production worker translating one article five ways."""
    from warta.bench.machine import peak_rss_bytes, rss_bytes

    start = rss_bytes()
    from warta.config import Settings
    from warta.domain import ArticleDraft, RegisteredModel
    from warta.engines.models import file_checksum
    from warta.languages import Lang
    from warta.services import build_services

    services = build_services(
        Settings(
            home=home,
            database_url=f"sqlite:///{home / 'warta.db'}",
            device="cpu",
            compute_type=quantization,
            intra_threads=threads,
            beam_size=1,
            max_decoding_length=32,  # random weights never stop; memory is the weights'
        )
    )
    for lang, directory in zip(TARGET_LANGS, dirs, strict=True):
        services.store.add_model(
            RegisteredModel(
                name=f"bench-id-{lang.value}",
                path=str(directory),
                source=Lang.ID,
                target=lang,
                family="marian",
                checksum=file_checksum(directory / "model.bin"),
            )
        )
    services.store.get_or_create_site(slug="bench", name="memory probe")
    # Stored directly (no validation): ingest runs in the web/API process, not in a worker.
    services.store.save_article(
        ArticleDraft(
            site="bench",
            external_id="memory-probe",
            title="Pemerintah menaikkan tarif ojek daring mulai pekan depan",
            body_html="<p>Kenaikan tarif disambut baik oleh para pengemudi di Jakarta.</p>",
        ),
        targets=TARGET_LANGS,
    )
    worker = services.worker(name="memory-probe")  # as `warta work` builds it
    no_model = rss_bytes()
    steps: list[float] = []
    summary = worker.run_until_idle(progress=lambda _: steps.append(round(rss_bytes() / MIB, 1)))
    final = rss_bytes()
    services.close()
    if summary.editions != len(TARGET_LANGS):
        raise RuntimeError(f"the memory probe translated {summary.editions} editions, not five")
    return {
        "rss_mib_interpreter": round(start / MIB, 1),
        "rss_mib_worker_no_model": round(no_model / MIB, 1),
        "rss_mib_after_each_direction": steps,
        "rss_mib_five_models": round(final / MIB, 1),
        "peak_rss_mib": round(peak_rss_bytes() / MIB, 1),
    }


def main(argv: list[str]) -> None:
    home, quantization, threads, *dirs = argv
    Path(home).mkdir(parents=True, exist_ok=True)
    figures = _probe(Path(home), quantization, int(threads), [Path(d) for d in dirs])
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
