"""Smoke tests of `warta bench`: the sections run end to end and report their shape.

No timing is asserted anywhere: the figures depend on the machine. The model is the tiny shape
(real opus-mt-id-en vocabulary, one layer) so the run takes seconds, not minutes.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from tests.paths import DATA

from warta.bench.corpus import flores_articles
from warta.bench.incremental import edit_one_paragraph
from warta.bench.site import parse_wrk
from warta.bench.timing import percentile
from warta.commands.bench import bench

pytestmark = pytest.mark.slow

RATIO_LINE = re.compile(r"^(pipeline/engine|engine/transformers) ratio: ([0-9.]+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    result = CliRunner().invoke(
        bench,
        [
            "--quick",
            "--sections",
            "engine,usual",
            "--size",
            "tiny",
            "--lines",
            "24",
            "--length",
            "6",
            "--data-dir",
            str(DATA),
            "--cache-dir",
            str(tmp / "models"),
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output, json.loads(out.read_text(encoding="utf-8"))


def test_quick_run_ends_with_both_ratio_lines_as_positive_numbers(quick_run):
    output, _ = quick_run
    last_two = output.strip().splitlines()[-2:]
    matches = [RATIO_LINE.match(line) for line in last_two]
    assert all(matches), last_two
    assert [m.group(1) for m in matches if m] == ["pipeline/engine", "engine/transformers"]
    assert all(float(m.group(2)) > 0 for m in matches if m)


def test_report_records_machine_model_settings_and_both_sides(quick_run):
    _, report = quick_run
    machine = report["machine"]
    assert machine["commit"]
    assert machine["cores"] >= 1
    assert machine["cpu_model"]
    assert {"ctranslate2", "torch", "transformers"} <= set(machine["versions"])
    assert report["model"]["vocab_size"] == 54796  # the real opus-mt-id-en vocabulary
    engine = report["sections"]["engine"]
    assert "error" not in engine, engine.get("traceback")
    assert (
        engine["settings"]["min_decoding_length"] == engine["settings"]["max_decoding_length"] == 6
    )
    # Same work on both sides: every segment translated by the pipeline, none from memory, and
    # the raw engine generated exactly the pinned length for each of the same segments.
    segments = engine["corpus"]["segments"]
    assert engine["pipeline"]["rounds_detail"][0]["segments_translated"] == segments
    assert engine["pipeline"]["rounds_detail"][0]["segments_reused"] == 0
    assert engine["raw_engine"]["tokens_generated_per_run"] == segments * 6
    assert engine["ratio"] > 0
    assert report["summary"]["pipeline/engine ratio"] == engine["ratio"]


def test_usual_way_sides_generate_the_same_number_of_tokens(quick_run):
    _, report = quick_run
    usual = report["sections"]["usual"]
    assert "error" not in usual, usual.get("traceback")
    made = usual["tokens_generated_per_run"]
    assert set(made) == {"raw engine", "transformers", "per-item loop"}
    assert set(made.values()) == {usual["expected_tokens_per_run"]}
    assert set(usual["sides"]) == {
        "raw engine", "warta pipeline", "transformers generate", "per-item loop",
    }  # fmt: skip
    assert report["summary"]["engine/transformers ratio"] == usual["engine/transformers"]["ratio"]


def test_unknown_section_is_refused_with_the_list_of_sections():
    result = CliRunner().invoke(bench, ["--sections", "engine,speed"])
    assert result.exit_code == 2
    assert "speed" in result.output
    assert "incremental" in result.output


def test_flores_lines_become_articles_of_a_title_and_three_paragraphs():
    lines = [f"Kalimat nomor {i}." for i in range(23)]
    drafts = flores_articles(lines)
    assert [d.external_id for d in drafts] == ["flores-0000", "flores-0010", "flores-0020"]
    assert drafts[0].title == "Kalimat nomor 0."
    assert drafts[0].body_html.count("<p>") == 3
    assert "Kalimat nomor 9." in drafts[0].body_html
    assert drafts[2].body_html == "<p>Kalimat nomor 21. Kalimat nomor 22.</p>"


def test_editing_one_paragraph_changes_every_sentence_of_the_middle_one_only():
    drafts = flores_articles([f"Kalimat nomor {i}." for i in range(10)])
    edited = edit_one_paragraph(drafts[0])
    before = re.findall(r"<p>(.*?)</p>", drafts[0].body_html)
    after = re.findall(r"<p>(.*?)</p>", edited.body_html)
    assert after[0] == before[0]
    assert after[2] == before[2]
    assert after[1] == "Kalimat nomor 4 kemarin. Kalimat nomor 5 kemarin. Kalimat nomor 6 kemarin."


WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8123/id/1-judul
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.02ms  61.20ms   91.00%
    Req/Sec   651.47     40.12   730.00     75.00%
  Latency Distribution
     50%   11.80ms
     75%   12.90ms
     90%   14.70ms
     99%  850.00us
  12975 requests in 10.01s, 151.20MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1296.25
Transfer/sec:     15.10MB
"""


def test_wrk_report_is_read_with_units():
    result = parse_wrk(WRK_REPORT, duration_s=10)
    assert result.requests_per_s == pytest.approx(1296.25)
    assert result.requests == 12975
    assert result.errors == 3
    assert result.latency["p50"] == pytest.approx(0.0118)
    assert result.latency["p99"] == pytest.approx(0.00085)


def test_percentile_interpolates_between_ranks():
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0


def test_parallel_worker_processes_each_translate_every_segment(tmp_path):
    from warta.bench.corpus import flores_corpus
    from warta.bench.model import build_bench_model
    from warta.bench.parallel import parallel_pipelines
    from warta.bench.rig import EngineSettings, default_validator

    model = build_bench_model(
        tmp_path / "models", tokenizer_dir=DATA / "opus-mt-id-en", size="tiny"
    )
    corpus = flores_corpus(DATA / "flores101-dev", limit=12, validator=default_validator())
    settings = EngineSettings(beam=1, length=4, batch_tokens=512, threads=1)
    found = parallel_pipelines(
        model, corpus, settings, quantization="int8", processes=2, progress=lambda _: None,
        tmp=tmp_path,
    )  # fmt: skip
    assert found["processes"] == 2
    assert found["segments"] == 2 * len(corpus.segments)
    walls = found["per_process_wall_s"]
    assert isinstance(walls, list)
    assert len(walls) == 2
    assert float(str(found["wall_s"])) >= max(walls)  # first start to last finish


def test_parallel_worker_processes_report_a_failure_instead_of_hanging(tmp_path):
    from dataclasses import replace

    from warta.bench.corpus import flores_corpus
    from warta.bench.model import build_bench_model
    from warta.bench.parallel import parallel_pipelines
    from warta.bench.rig import EngineSettings, default_validator

    model = build_bench_model(
        tmp_path / "models", tokenizer_dir=DATA / "opus-mt-id-en", size="tiny"
    )
    broken = replace(model, root=tmp_path / "nowhere")  # no converted model there
    corpus = flores_corpus(DATA / "flores101-dev", limit=6, validator=default_validator())
    settings = EngineSettings(beam=1, length=4, batch_tokens=512, threads=1)
    with pytest.raises(RuntimeError, match="2 worker processes failed"):
        parallel_pipelines(
            broken, corpus, settings, quantization="int8", processes=2, progress=lambda _: None,
            tmp=tmp_path,
        )  # fmt: skip


def test_a_copied_tree_reports_the_commit_its_sender_names(monkeypatch, tmp_path):
    from warta.bench.machine import git_commit

    monkeypatch.delenv("WARTA_BENCH_COMMIT", raising=False)
    assert git_commit(tmp_path) == "unknown"  # not a checkout, nothing named
    monkeypatch.setenv("WARTA_BENCH_COMMIT", "c8f3203")
    assert git_commit(tmp_path) == "c8f3203 (copied tree)"


def test_the_commit_is_dirty_for_changed_code_but_not_for_the_benchmarks_own_results(
    monkeypatch, tmp_path
):
    import subprocess

    from warta.bench.machine import git_commit

    monkeypatch.delenv("WARTA_BENCH_COMMIT", raising=False)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "bench" / "results").mkdir(parents=True)
    (tmp_path / "bench" / "results" / "engine.txt").write_text("old log\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "first")
    head = git("rev-parse", "HEAD")
    (tmp_path / "bench" / "results" / "engine.txt").write_text("the run's own log\n")
    assert git_commit(tmp_path) == head
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_commit(tmp_path) == f"{head} (dirty)"


def test_a_quick_run_does_not_judge_its_ratio_against_the_target(quick_run):
    output, report = quick_run
    assert "not judged on a quick run" in " ".join(output.split())
    assert "NOT met" not in output
    sections = report["sections"]
    assert isinstance(sections, dict)
    assert sections["engine"]["quick"] is True
