"""`warta publish`: the static export from the command line (warta.web.export)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from warta.cli import cli

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    runner = CliRunner(env={"COLUMNS": "80"})

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)

    assert invoke("demo", "load").exit_code == 0
    return invoke


def test_publish_writes_the_site_with_its_headers_and_manifest(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("publish", "--out", str(out), "--base-url", "https://berita.example")
    assert result.exit_code == 0, result.output
    assert "published site 'demo'" in result.stderr
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["base_url"] == "https://berita.example"
    assert manifest["pages"]["/en/atom.xml"]["file"] == "en/atom.xml"
    front = (out / "id" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://berita.example/id/"' in front
    assert (out / "_headers").is_file()
    assert (out / "nginx.conf").is_file()


def test_a_second_publish_writes_nothing_new(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run("publish", "--out", str(out), "--base-url", "https://berita.example").exit_code == 0
    again = run("publish", "--out", str(out), "--base-url", "https://berita.example")
    assert again.exit_code == 0, again.output
    assert ", 0 files written, 0 removed" in again.stderr


def test_publish_without_a_public_address_says_how_to_give_one(run: Run, tmp_path: Path) -> None:
    result = run("publish", "--out", str(tmp_path / "site"))
    assert result.exit_code == 2
    assert "--base-url" in result.stderr
