"""Section feed: the worker's own cost per segment, and workers around one engine process.

No timing is asserted: the figures depend on the machine. Tiny model, a dozen FLORES lines.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from tests.paths import DATA

from warta.bench.corpus import flores_corpus
from warta.bench.feed import through_engine_process
from warta.bench.model import build_bench_model
from warta.bench.rig import EngineSettings, default_validator
from warta.commands.bench import bench

pytestmark = pytest.mark.slow

SETTINGS = EngineSettings(beam=1, length=4, batch_tokens=512, threads=1)


def test_feed_section_reports_the_workers_cpu_per_segment_against_the_raw_engine(tmp_path):
    out = tmp_path / "feed.json"
    result = CliRunner().invoke(
        bench,
        [
            "--quick",
            "--sections",
            "feed",
            "--size",
            "tiny",
            "--lines",
            "12",
            "--length",
            "4",
            "--data-dir",
            str(DATA),
            "--cache-dir",
            str(tmp_path / "models"),
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    feed = json.loads(out.read_text(encoding="utf-8"))["sections"]["feed"]
    assert "error" not in feed, feed
    cost = feed["feeding"]
    assert cost["segments"] > 0
    assert cost["feeding_cpu_ms_per_segment"] > 0
    assert cost["engine_python_ms_per_segment"] > 0
    assert cost["engine_calls_real_run"]["segments"] == cost["segments"]
    assert cost["feeding_ceiling/raw_engine"] > 0
    assert feed["engine_process"] == []  # not on a CPU unless asked
    assert "worker process CPU per segment" in result.output


def test_worker_processes_around_one_engine_process_each_translate_every_segment(tmp_path):
    model = build_bench_model(
        tmp_path / "models", tokenizer_dir=DATA / "opus-mt-id-en", size="tiny"
    )
    corpus = flores_corpus(DATA / "flores101-dev", limit=12, validator=default_validator())
    found = through_engine_process(
        model, corpus, SETTINGS, quantization="int8", processes=2, progress=lambda _: None,
        tmp=tmp_path,
    )  # fmt: skip
    assert found["processes"] == 2
    assert found["engine_process"] is True
    assert found["segments"] == 2 * len(corpus.segments)
    walls = found["per_process_wall_s"]
    assert isinstance(walls, list)
    assert len(walls) == 2


def test_a_broken_engine_process_is_reported_instead_of_hanging(tmp_path):
    model = build_bench_model(
        tmp_path / "models", tokenizer_dir=DATA / "opus-mt-id-en", size="tiny"
    )
    broken = replace(model, root=tmp_path / "nowhere")  # no converted model there
    corpus = flores_corpus(DATA / "flores101-dev", limit=6, validator=default_validator())
    with pytest.raises(RuntimeError, match="engine process with 2 workers failed"):
        through_engine_process(
            broken, corpus, SETTINGS, quantization="int8", processes=2, progress=lambda _: None,
            tmp=tmp_path,
        )  # fmt: skip
