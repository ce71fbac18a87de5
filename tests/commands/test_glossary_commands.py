"""`warta glossary ...`, run in-process with click's CliRunner against a temporary home."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from warta.cli import cli

Run = Callable[..., Result]

CSV = (
    "source,keep,case_sensitive,en,zh,ja,ar,fr\n"
    "DPR,no,no,House of Representatives,人民代表会议,国民議会,مجلس النواب,Chambre\n"
    "Jokowi,yes,yes,,,,,\n"
    'Bank Indonesia,,,"Bank Indonesia, the central bank",,,,\n'
)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str, stdin: bytes | None = None) -> Result:
        return runner.invoke(
            cli, ["--home", str(tmp_path / "home"), *args], input=stdin, catch_exceptions=False
        )

    assert invoke("sites", "create", "kabar").exit_code == 0
    return invoke


def terms(run: Run, site: str = "kabar") -> dict[str, object]:
    result = run("glossary", "list", "--site", site, "--format", "json")
    assert result.exit_code == 0, result.output
    listed: dict[str, object] = json.loads(result.stdout)
    return listed


def test_add_list_and_remove_a_term(run: Run) -> None:
    added = run(
        "glossary", "add", "DPR", "--site", "kabar", "--to", "en=House", "--to", "fr=Chambre"
    )
    kept = run("glossary", "add", "Jokowi", "--site", "kabar", "--keep", "--ignore-case")

    assert added.exit_code == 0, added.output
    assert "glossary of kabar is now version 1 (1 added); 0 edition(s) queued" in added.stderr
    assert kept.exit_code == 0, kept.output
    assert terms(run) == {
        "site": "kabar",
        "version": 2,
        "terms": [
            {
                "source": "DPR",
                "keep": False,
                "case_sensitive": True,
                "translations": {"en": "House", "fr": "Chambre"},
            },
            {"source": "Jokowi", "keep": True, "case_sensitive": False, "translations": {}},
        ],
    }
    table = run("glossary", "list", "--site", "kabar")
    assert "Jokowi" in table.stdout
    assert "en=House, fr=Chambre" in table.stdout

    removed = run("glossary", "remove", "DPR", "--site", "kabar")
    assert removed.exit_code == 0, removed.output
    assert "version 3 (1 deleted)" in removed.stderr
    assert [t["source"] for t in terms(run)["terms"]] == ["Jokowi"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # neither --keep nor a rendering
        (("DPR",), "says nothing"),
        # both
        (("DPR", "--keep", "--to", "en=House"), "keep-as-is and also has renderings"),
        # not LANG=TEXT
        (("DPR", "--to", "House"), "is not LANG=TEXT"),
        # a language warta does not translate into
        (("DPR", "--to", "de=Bundestag"), "unknown language code 'de'"),
        # markup
        (("<b>DPR</b>", "--keep"), "contains markup"),
    ],
)
def test_add_refuses_a_bad_term_with_exit_2(run: Run, args: tuple[str, ...], words: str) -> None:
    result = run("glossary", "add", *args, "--site", "kabar")
    assert result.exit_code == 2
    assert words in result.stderr
    assert "fix:" in result.stderr
    assert terms(run)["version"] == 0


def test_export_then_import_gives_the_same_glossary(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "glossary.csv"
    source.write_text(CSV, encoding="utf-8")
    imported = run("glossary", "import", str(source), "--site", "kabar")
    assert imported.exit_code == 0, imported.output
    assert "version 1 (3 added)" in imported.stderr

    out = tmp_path / "export.csv"
    exported = run("glossary", "export", "--site", "kabar", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    to_stdout = run("glossary", "export", "--site", "kabar")
    assert to_stdout.stdout_bytes == out.read_bytes()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + b"source,keep,case_sensitive,")

    assert run("sites", "create", "lain").exit_code == 0
    again = run("glossary", "import", "-", "--site", "lain", stdin=out.read_bytes())
    assert again.exit_code == 0, again.output
    assert terms(run, "lain")["terms"] == terms(run, "kabar")["terms"]


def test_import_of_a_file_with_a_bad_line_4_imports_nothing(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("Bank Indonesia,,", "Bank Indonesia,yes,"), encoding="utf-8")

    result = run("glossary", "import", str(bad), "--site", "kabar")

    assert result.exit_code == 2
    assert "line 4:" in result.stderr
    assert "nothing was imported" in result.stderr
    assert terms(run) == {"site": "kabar", "version": 0, "terms": []}


def test_import_with_replace_deletes_the_terms_not_in_the_file(run: Run, tmp_path: Path) -> None:
    assert run("glossary", "add", "MPR", "--keep", "--site", "kabar").exit_code == 0
    source = tmp_path / "glossary.csv"
    source.write_text(CSV, encoding="utf-8")

    result = run("glossary", "import", str(source), "--site", "kabar", "--replace")

    assert result.exit_code == 0, result.output
    assert "(3 added, 1 deleted)" in result.stderr
    assert "MPR" not in {t["source"] for t in terms(run)["terms"]}  # type: ignore[attr-defined]


def test_import_of_a_missing_file_and_remove_of_a_missing_term_say_what_to_do(
    run: Run, tmp_path: Path
) -> None:
    missing = run("glossary", "import", str(tmp_path / "nope.csv"), "--site", "kabar")
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr

    absent = run("glossary", "remove", "Tidak Ada", "--site", "kabar")
    assert absent.exit_code == 1
    assert "warta glossary list --site kabar" in absent.stderr
