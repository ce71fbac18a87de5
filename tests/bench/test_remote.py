"""Section remote: the pipeline through the openai engine against a local server, in figures."""

from __future__ import annotations

from pathlib import Path

from warta.bench.remote import through_openai


def test_the_remote_section_times_the_pipeline_and_the_engine_alone_per_concurrency(
    tmp_path: Path,
) -> None:
    result = through_openai(
        articles=2, concurrency=(1, 4), rounds=1, progress=lambda _: None, tmp=tmp_path
    )

    assert result["articles"] == 2
    runs = result["runs"]
    assert isinstance(runs, list)
    assert [r["concurrency"] for r in runs] == [1, 4]
    for run in runs:
        assert run["segments"] > 10  # every segment of both articles went through the server
        assert run["requests"] >= 2  # one article per request at least
        assert run["pipeline_s"] > 0
        assert run["engine_s"] > 0
        expected = round(1000 * (run["pipeline_s"] - run["engine_s"]) / run["segments"], 1)
        assert abs(run["overhead_ms_per_segment"] - expected) < 0.1
