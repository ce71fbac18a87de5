"""The `warta` command, run in-process with click's CliRunner against a temporary home."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.markup_helpers import block_structure, inline_markup
from tests.paths import DATA, DEMO_ARTICLES, TEST_DATA

from warta.cli import cli
from warta.languages import TARGET_LANGS

FLORES = DATA / "flores101-dev"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(home: Path):
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--home", str(home), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def tiny_registered(run, shared_tiny_model: Path):
    result = run("models", "add", str(shared_tiny_model), "--target", "en,zh,ja,ar,fr")
    assert result.exit_code == 0, result.output
    return shared_tiny_model


def test_translate_gives_five_editions_whose_markup_matches_the_source(run, tiny_registered):
    result = run("translate", str(TEST_DATA / "article-with-markup.html"), "--format", "json")

    assert result.exit_code == 0, result.output
    (article,) = json.loads(result.stdout)["articles"]
    source = article["source"]["body_html"]
    assert set(article["editions"]) == set(TARGET_LANGS)
    for lang, edition in article["editions"].items():
        assert edition["status"] in ("translated", "needs_review"), lang
        assert inline_markup(edition["body_html"]) == inline_markup(source), lang
        assert block_structure(edition["body_html"]) == block_structure(source), lang
        assert edition["provenance"]["models"][0]["checksum"].startswith("sha256:")
        assert all("score" in s and "flags" in s for s in edition["segments"])


def test_translate_without_a_model_reports_pending_with_reason_and_exit_3(run):
    result = run(
        "translate",
        str(TEST_DATA / "article-with-markup.html"),
        "--to",
        "en,fr",
        "--format",
        "json",
    )

    assert result.exit_code == 3, result.output
    editions = json.loads(result.stdout)["articles"][0]["editions"]
    assert editions["en"]["status"] == "pending"
    assert "warta models add" in editions["en"]["reason"]
    assert "body_html" not in editions["fr"]


def test_translate_rejects_an_unknown_language_code(run, tiny_registered):
    result = run("translate", str(TEST_DATA / "article-with-markup.html"), "--to", "en,xx")

    assert result.exit_code == 2
    assert "unknown language code 'xx'" in result.stderr


def test_ingest_work_status_round_trip_on_the_demo_articles(run, tiny_registered):
    assert run("sites", "create", "demo").exit_code == 0
    ingest = run("ingest", str(DEMO_ARTICLES))
    assert ingest.exit_code == 0, ingest.output
    assert "60 stored" in ingest.stderr

    status = run("status", "--format", "json")
    rows = json.loads(status.stdout)["editions"]
    assert len(rows) == 300
    assert {r["status"] for r in rows} == {"pending"}


def _three_demo_articles(tmp_path: Path) -> Path:
    lines = DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()[:3]
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _editions_reported(stderr: str) -> list[int]:
    """Per worker: editions translated + needing review, from its closing line."""
    return [
        int(done) + int(review)
        for done, review in re.findall(r"(\d+) editions translated, (\d+) need review", stderr)
    ]


def test_work_until_idle_translates_every_queued_edition(
    run, tiny_registered, tmp_path, monkeypatch
):
    monkeypatch.setenv("WARTA_MAX_DECODING_LENGTH", "40")
    assert run("sites", "create", "demo").exit_code == 0
    assert run("ingest", str(_three_demo_articles(tmp_path))).exit_code == 0

    result = run("work", "--until-idle")

    assert result.exit_code == 0, result.output
    assert _editions_reported(result.stderr) == [15]
    rows = json.loads(run("status", "--format", "json").stdout)["editions"]
    assert len(rows) == 15
    assert {r["status"] for r in rows} <= {"translated", "needs_review"}


def test_work_with_several_processes_shares_one_queue(run, home, tiny_registered, tmp_path):
    assert run("sites", "create", "demo").exit_code == 0
    assert run("ingest", str(_three_demo_articles(tmp_path))).exit_code == 0
    env = {**os.environ, "WARTA_MAX_DECODING_LENGTH": "40", "WARTA_JOBS_PER_BATCH": "1"}

    done = subprocess.run(
        [sys.executable, "-m", "warta", "--home", str(home), "work", "--until-idle",
         "--processes", "2", "--name", "t"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "2 worker processes (t/1, t/2)" in done.stderr
    assert len(re.findall(r"^worker t/[12]: \d+ editions translated", done.stderr, re.M)) == 2
    assert sum(_editions_reported(done.stderr)) == 15  # each job translated by one process only
    rows = json.loads(run("status", "--format", "json").stdout)["editions"]
    assert {r["status"] for r in rows} <= {"translated", "needs_review"}


def test_work_with_an_engine_process_translates_every_edition_through_it(
    run, home, tiny_registered, tmp_path
):
    assert run("sites", "create", "demo").exit_code == 0
    assert run("ingest", str(_three_demo_articles(tmp_path))).exit_code == 0
    env = {**os.environ, "WARTA_MAX_DECODING_LENGTH": "40", "WARTA_JOBS_PER_BATCH": "2"}

    done = subprocess.run(
        [sys.executable, "-m", "warta", "--home", str(home), "work", "--until-idle",
         "--processes", "2", "--engine-process", "--name", "t"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert sum(_editions_reported(done.stderr)) == 15
    # the engine process served them: its closing log line counts the requests it merged
    served = re.search(r"engine process: (\d+) requests in (\d+) engine calls", done.stderr)
    assert served is not None, done.stderr
    assert int(served.group(1)) >= int(served.group(2)) > 0
    rows = json.loads(run("status", "--format", "json").stdout)["editions"]
    assert len(rows) == 15
    assert {r["status"] for r in rows} <= {"translated", "needs_review"}


def test_work_refuses_zero_processes(run):
    result = run("work", "--processes", "0")
    assert result.exit_code == 2
    assert "--processes" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # empty article: no title, no body
        (b'{"external_id": "a1", "title": "", "body_html": ""}', "has no title"),
        # bytes that are not UTF-8 (latin-1 e-acute)
        (
            '{"external_id": "a2", "title": "Caf\xe9", "body_html": "<p>x</p>"}'.encode("latin-1"),
            "UTF-8",
        ),
        # English, not Indonesian
        (
            json.dumps(
                {
                    "external_id": "a3",
                    "title": "The government raised fuel prices on Monday",
                    "body_html": "<p>The minister said the decision was necessary to protect "
                    "the budget, and that subsidies would be redirected to the poorest "
                    "households next year.</p>",
                }
            ).encode(),
            "Indonesian",
        ),
        # broken HTML: an unterminated comment swallows the rest of the article
        (
            json.dumps(
                {
                    "external_id": "a4",
                    "title": "Pemerintah menaikkan harga bahan bakar minyak pada hari Senin",
                    "body_html": "<p>Menteri mengatakan keputusan itu perlu.</p><!-- catatan "
                    "<p>Subsidi akan dialihkan kepada rumah tangga miskin tahun depan.</p>",
                }
            ).encode(),
            "comment",
        ),
    ],
)
def test_ingest_refuses_bad_input_with_exit_2_and_stores_nothing(
    run, tmp_path: Path, content: bytes, message: str
):
    assert run("sites", "create", "demo").exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)

    result = run("ingest", str(bad))

    assert result.exit_code == 2, result.output
    assert message.lower() in result.stderr.lower()
    status = run("status", "--format", "json")
    assert json.loads(status.stdout)["editions"] == []


def test_ingest_refuses_an_article_over_the_size_limit(run, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WARTA_MAX_ARTICLE_BYTES", "2048")
    assert run("sites", "create", "demo").exit_code == 0
    big = tmp_path / "big.json"
    paragraph = (
        "<p>" + "Pemerintah menaikkan harga bahan bakar minyak pada hari Senin. " * 20 + "</p>"
    )
    big.write_text(
        json.dumps({"external_id": "big", "title": "Harga BBM naik", "body_html": paragraph * 3})
    )

    result = run("ingest", str(big))

    assert result.exit_code == 2
    assert "2048" in result.stderr or "2,048" in result.stderr


def test_ingest_into_an_unknown_site_names_the_fix(run):
    result = run("ingest", str(DEMO_ARTICLES), "--site", "nowhere")

    assert result.exit_code == 1
    assert "warta sites create" in result.stderr


def test_models_add_refuses_a_directory_that_is_not_a_model(run, tmp_path: Path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()

    result = run("models", "add", str(empty), "--target", "en")

    assert result.exit_code != 0
    assert "model.bin" in result.stderr


def test_models_pull_fails_quickly_and_clearly_without_network(run, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")

    result = run("models", "pull", "opus-mt-id-en")

    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.stderr
    assert "warta models add" in result.stderr


def test_sites_create_twice_is_a_conflict(run):
    assert run("sites", "create", "kompas").exit_code == 0
    again = run("sites", "create", "kompas")
    assert again.exit_code == 1
    assert "kompas" in again.stderr


@pytest.fixture(scope="module")
def context_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model whose vocabulary has the separator a document-context model is trained with
    (the manifest is written by `warta models add --context-separator`, not by the builder)."""
    from warta.engines.testing import build_tiny_model

    path = build_tiny_model(
        tmp_path_factory.mktemp("ctx-model") / "model", context_separator="<sep>"
    )
    (path / "warta-model.json").unlink()
    return path


def test_models_add_refuses_a_separator_the_model_does_not_know(run, context_model):
    result = run(
        "models", "add", str(context_model), "--target", "en", "--context-separator", "<x>"
    )
    assert result.exit_code == 2
    assert "'<x>' is not in the source vocabulary" in result.output
    assert not (context_model / "warta-model.json").exists()  # nothing was written


def test_eval_measures_document_context_and_nbest_reranking(run, context_model, tmp_path):
    added = run(
        "models", "add", str(context_model), "--target", "en", "--context-separator", "<sep>"
    )
    assert added.exit_code == 0, added.output
    data = tmp_path / "flores"
    data.mkdir()
    for lang in ("id", "en"):
        lines = (FLORES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()[:12]
        (data / f"{lang}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for flag in ("--no-context", "--context"):
        out = tmp_path / f"eval{flag}.json"
        files = ("--src", str(data / "id.txt"), "--ref", str(data / "en.txt"), "--target", "en")
        args = ("--beam-size", "2", "--num-hypotheses", "2", "--out", str(out))
        result = run("eval", *files, flag, *args)
        assert result.exit_code == 0, result.output
        (row,) = json.loads(out.read_text(encoding="utf-8"))["results"]
        assert row["provenance"]["decoding"]["nbest"] == 2
        assert "n-best reranked by quality estimation (2)" in result.output
        outputs[flag] = row
    assert outputs["--context"]["provenance"]["decoding"]["context"] == 1
    assert "context" not in outputs["--no-context"]["provenance"]["decoding"]
    # The first line has no line before it; later lines are translated with theirs.
    with_context = outputs["--context"]["hypotheses"]
    without = outputs["--no-context"]["hypotheses"]
    assert with_context[0] == without[0]
    assert with_context[1:] != without[1:]
