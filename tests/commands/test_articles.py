"""`warta ingest`, `translate --to` and `status` as a new user meets them: the demo file's `id`
field, an empty file, Indonesian named as a target, and a status table read at 80 columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len
from tests.paths import DEMO_ARTICLES, TEST_DATA

from warta.cli import cli


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner(env={"COLUMNS": "80"})

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)

    assert invoke("sites", "create", "demo").exit_code == 0
    return invoke


def _demo(n: int) -> list[dict[str, object]]:
    lines = DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()[:n]
    return [json.loads(line) for line in lines]


def test_ingest_accepts_id_as_the_external_id_in_warta_records(run, tmp_path):
    (row,) = _demo(1)
    record = {
        "id": row["id"],  # as in the demo file, with warta's body_html instead of paragraphs
        "title": row["title"],
        "body_html": "".join(f"<p>{p}</p>" for p in row["paragraphs"]),  # type: ignore[union-attr]
    }
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")

    result = run("ingest", str(path))

    assert result.exit_code == 0, result.output
    assert "1 stored" in result.stderr
    rows = json.loads(run("status", "--format", "json").stdout)["editions"]
    assert {r["external_id"] for r in rows} == {row["id"]}


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_ingest_of_a_file_without_articles_exits_2_and_says_so(run, tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")

    result = run("ingest", str(path))

    assert result.exit_code == 2, result.output
    assert "the file has no articles" in result.stderr
    assert "0 stored" in result.stderr


def test_indonesian_as_a_target_is_named_as_the_source_language(run):
    result = run("translate", str(TEST_DATA / "article-with-markup.html"), "--to", "en,id")

    assert result.exit_code == 2
    assert "'id' is Indonesian, the source language, not a target" in result.stderr
    assert "unknown language code" not in result.stderr


def test_status_keeps_each_edition_on_one_line_at_80_columns(run, tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _demo(2)), encoding="utf-8")
    assert run("ingest", str(path)).exit_code == 0
    assert run("work", "--until-idle").exit_code == 0  # no model: every edition says why

    table = run("status")
    full = json.loads(run("status", "--format", "json").stdout)["editions"]

    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    editions = [line for line in lines if line.startswith("demo ")]
    assert len(editions) == len(full) == 10
    assert all("no translation model…" in line or "no translation…" in line for line in editions)
    # The full reason is in JSON.
    assert all(r["reason"].startswith("no translation model installed for ") for r in full)
    assert all("warta models add PATH --source id" in r["reason"] for r in full)
