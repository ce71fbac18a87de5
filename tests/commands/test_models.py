"""`warta models`: test models (random weights) are registered with a warning, listed as such,
and `warta models demo` sets one up for the five languages offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.paths import TEST_DATA

from warta.cli import cli
from warta.engines.models import MANIFEST_NAME
from warta.languages import TARGET_LANGS

WARNING = "has random weights"


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def real_looking(shared_tiny_model: Path, tmp_path: Path) -> Path:
    """The tiny model with a manifest that does not say its weights are random."""
    copy = Path(shutil.copytree(shared_tiny_model, tmp_path / "opus-like"))
    manifest = json.loads((copy / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest.update(random_weights=False, warning="")
    (copy / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_adding_a_random_weight_model_warns_but_registers_it(run, shared_tiny_model: Path):
    result = run("models", "add", str(shared_tiny_model), "--target", "en")

    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    assert "meaningless" in result.stderr
    (model,) = json.loads(run("models", "list", "--format", "json").stdout)
    assert (model["target"], model["random_weights"]) == ("en", True)
    table = run("models", "list")
    assert "random" in table.stdout
    assert "test model" in table.stderr


def test_a_real_model_is_added_and_listed_without_a_warning(run, real_looking: Path):
    result = run("models", "add", str(real_looking), "--target", "fr")

    assert result.exit_code == 0, result.output
    assert WARNING not in result.stderr
    (model,) = json.loads(run("models", "list", "--format", "json").stdout)
    assert model["random_weights"] is False
    assert "test model" not in run("models", "list").stderr


def test_models_demo_builds_and_registers_a_test_model_for_the_five_languages(run, tmp_path):
    result = run("models", "demo")

    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    built = tmp_path / "home" / "models" / "warta-demo-random"
    assert (built / "model.bin").is_file()
    models = json.loads(run("models", "list", "--format", "json").stdout)
    assert sorted(m["target"] for m in models) == sorted(TARGET_LANGS)
    assert all(m["random_weights"] and m["path"] == str(built) for m in models)

    again = run("models", "demo")  # already built: registered again, not rebuilt
    assert again.exit_code == 0, again.output
    assert "built" not in again.stderr

    translated = run(
        "translate", str(TEST_DATA / "article-with-markup.html"), "--to", "fr", "--format", "json"
    )
    assert translated.exit_code == 0, translated.output
    (article,) = json.loads(translated.stdout)["articles"]
    provenance = article["editions"]["fr"]["provenance"]
    assert provenance["models"][0]["random_weights"] is True
