"""`warta quality calibrate` and `warta eval` through click, with a real AppContext and store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from warta.commands._context import AppContext
from warta.commands.quality import COMMANDS
from warta.config import Settings
from warta.domain import RegisteredModel
from warta.engines.models import inspect_model_dir
from warta.languages import Lang
from warta.services import build_services

FLORES = Path(__file__).resolve().parents[2] / "data" / "flores101-dev"


def _cli(home: Path) -> click.Group:
    """A group like ``warta.cli.cli`` with only these commands, on a home of the test's own."""

    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        app = AppContext(Settings(home=home))
        ctx.obj = app
        ctx.call_on_close(app.close)

    for command in COMMANDS:
        cli.add_command(command)
    return cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.delenv("WARTA_COMET_MODEL", raising=False)
    home = tmp_path / "home"

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(_cli(home), [str(a) for a in args], catch_exceptions=False)

    invoke.home = home  # type: ignore[attr-defined]
    return invoke


@pytest.fixture
def with_model(run, tiny_model):
    """The tiny model registered for id->en and id->zh in the command's store."""
    info = inspect_model_dir(tiny_model)
    services = build_services(Settings(home=run.home))
    try:
        for target in (Lang.EN, Lang.ZH):
            services.store.add_model(
                RegisteredModel(
                    name="tiny",
                    path=str(tiny_model),
                    source=Lang.ID,
                    target=target,
                    family=info.family,
                    checksum=info.checksum,
                )
            )
    finally:
        services.close()
    return info


def _small_flores(
    tmp_path: Path, lines: int, *, langs: Sequence[str] = ("id", "en", "zh", "ja", "ar", "fr")
) -> Path:
    folder = tmp_path / "flores"
    folder.mkdir(exist_ok=True)
    for lang in langs:
        text = (FLORES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()[:lines]
        (folder / f"{lang}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    return folder


def test_calibrate_prints_the_table_and_writes_json_and_markdown(run, tmp_path):
    data = _small_flores(tmp_path, 40)
    out, md = tmp_path / "cal.json", tmp_path / "cal.md"
    result = run(
        "quality", "calibrate", "--data", data, "--split", "all", "--out", out, "--markdown", md
    )
    assert result.exit_code == 0, result.output
    assert "lines 1-40 (all lines): recall" in result.output
    assert "untranslated met" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["lines"] == [1, 40]
    assert report["clean"]["all"]["references"] == 200
    assert {c["kind"] for c in report["cells"]} == {
        "number",
        "truncation",
        "untranslated",
        "wrong_language",
        "repetition",
        "swap",
        "negation",
    }
    assert "| untranslated | 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |" in md.read_text(
        encoding="utf-8"
    )


def test_calibrate_refuses_a_missing_folder(run, tmp_path):
    result = run("quality", "calibrate", "--data", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such directory" in result.output


def test_eval_translates_scores_and_writes_json(run, with_model, tmp_path):
    data = _small_flores(tmp_path, 30, langs=("id", "en"))
    out = tmp_path / "eval.json"
    result = run(
        "eval",
        "--src",
        data / "id.txt",
        "--ref",
        data / "en.txt",
        "--target",
        "en",
        "--beam-size",
        "1",
        "--length-penalty",
        "0.8",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "BLEU signature: nrefs:1|case:mixed|eff:no|tok:13a" in result.output
    assert "chrF++ signature: nrefs:1|case:mixed|eff:yes|nc:6|nw:2" in result.output
    assert f"model: engine:ctranslate2|model:tiny@{with_model.checksum[:19]}" in result.output
    assert "COMET skipped" in result.output
    (row,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert (row["pair"], row["sentences"], len(row["hypotheses"])) == ("id-en", 30, 30)
    assert row["provenance"]["decoding"]["beam"] == 1
    assert row["provenance"]["decoding"]["length_penalty"] == 0.8
    assert 0 <= row["bleu"] <= 100
    assert row["sentences_per_second"] > 0


def test_eval_flores_mode_scores_every_target(run, with_model, tmp_path):
    data = _small_flores(tmp_path, 8, langs=("id", "en", "zh"))
    out = tmp_path / "eval.json"
    result = run(
        "eval", "--flores", data, "--target", "en,zh", "--limit", "5", "--no-qe", "--out", out
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert [(r["pair"], r["sentences"], r["tokenize"], r["qe_flagged"]) for r in rows] == [
        ("id-en", 5, "13a", None),
        ("id-zh", 5, "zh", None),
    ]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        # different line counts
        (
            {"a.id": "Satu.\nDua.\n", "a.en": "One.\n"},
            ["--src", "a.id", "--ref", "a.en", "--target", "en"],
            "not aligned",
        ),
        # an empty line
        (
            {"a.id": "Satu.\n\n", "a.en": "One.\nTwo.\n"},
            ["--src", "a.id", "--ref", "a.en", "--target", "en"],
            "empty line",
        ),
        # unknown language code
        (
            {"a.id": "Satu.\n", "a.en": "One.\n"},
            ["--src", "a.id", "--ref", "a.en", "--target", "xx"],
            "unknown language code 'xx'",
        ),
        # missing file
        ({"a.id": "Satu.\n"}, ["--src", "a.id", "--ref", "a.en", "--target", "en"], "no such file"),
        # both modes at once
        (
            {"a.id": "Satu.\n", "a.en": "One.\n"},
            ["--flores", ".", "--src", "a.id", "--ref", "a.en", "--target", "en"],
            "either --flores",
        ),
        # neither
        ({}, ["--target", "en"], "give --src FILE and --ref FILE"),
        # FLORES folder without the target's file
        ({"id.txt": "Satu.\n"}, ["--flores", ".", "--target", "fr"], "no such file"),
    ],
)
def test_eval_bad_input_exits_2_before_translating(
    run, tmp_path, monkeypatch, setup, args, message
):
    for name, text in setup.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("eval", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "BLEU" not in result.output


def test_eval_without_a_model_fails_before_translating(run, tmp_path):
    data = _small_flores(tmp_path, 3, langs=("id", "ja"))
    result = run("eval", "--src", data / "id.txt", "--ref", data / "ja.txt", "--target", "ja")
    assert result.exit_code == 1, result.output
    assert "warta models add" in result.output
    assert "BLEU" not in result.output
