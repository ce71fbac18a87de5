"""`warta eval --engine NAME`: any engine on the same FLORES sentences, with sacrebleu signatures
(here against local servers that follow the engines' APIs)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from warta.commands._context import AppContext
from warta.commands.quality import COMMANDS
from warta.config import Settings
from warta.engines.remote.testing import deepl_server, fake_translate, openai_server

FLORES = Path(__file__).resolve().parents[2] / "data" / "flores101-dev"


def _cli(home: Path) -> click.Group:
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
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.delenv("WARTA_COMET_MODEL", raising=False)
    home = tmp_path / "home"

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(_cli(home), [str(a) for a in args], catch_exceptions=False)

    return invoke


def _pair(tmp_path: Path, target: str, lines: int = 12) -> tuple[Path, Path]:
    out = []
    for lang in ("id", target):
        text = (FLORES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()[:lines]
        path = tmp_path / f"test.{lang}"
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        out.append(path)
    return out[0], out[1]


def test_eval_runs_an_openai_compatible_server(run: Callable[..., Result], tmp_path: Path) -> None:
    src, ref = _pair(tmp_path, "ja")
    out = tmp_path / "eval.json"
    with openai_server() as server:
        result = run(
            "eval", "--engine", "qwen", "--kind", "openai", "--url", server.url + "/v1",
            "--model", "qwen2.5-7b", "--src", src, "--ref", ref, "--target", "ja", "--out", out,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "BLEU signature: nrefs:1|case:mixed|eff:no|tok:" in result.output
    (row,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert row["provenance"]["engine"] == "qwen"
    assert row["provenance"]["models"][0]["name"] == "openai:qwen2.5-7b"
    first = (FLORES / "id.txt").read_text(encoding="utf-8").splitlines()[0].strip()
    assert row["hypotheses"][0] == fake_translate(first, "ja")
    assert len(server.requests) == 1  # 12 lines: one request


def test_eval_runs_a_deepl_format_server_with_its_key(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, ref = _pair(tmp_path, "fr")
    monkeypatch.setenv("TEST_DEEPL_KEY", "abc-123-key")
    with deepl_server(key="abc-123-key") as server:
        result = run(
            "eval", "--engine", "deepl", "--kind", "deepl", "--url", server.url,
            "--key-env", "TEST_DEEPL_KEY", "--src", src, "--ref", ref, "--target", "fr",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "chrF++ signature" in result.output
    assert "abc-123-key" not in result.output


def test_eval_with_a_missing_key_fails_before_translating(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, ref = _pair(tmp_path, "fr")
    monkeypatch.delenv("TEST_DEEPL_KEY", raising=False)
    result = run(
        "eval", "--engine", "deepl", "--kind", "deepl", "--key-env", "TEST_DEEPL_KEY",
        "--src", src, "--ref", ref, "--target", "fr",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "TEST_DEEPL_KEY" in result.output


def test_eval_with_an_unknown_engine_name_exits_2(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    src, ref = _pair(tmp_path, "en")
    result = run("eval", "--engine", "nosuch", "--src", src, "--ref", ref, "--target", "en")
    assert result.exit_code == 2
    assert "no engine named 'nosuch'" in result.output
