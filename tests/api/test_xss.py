"""A hostile-HTML corpus goes in through the API, is translated and published as pages: no
executable markup survives anywhere on the way (API editions, Indonesian and English pages).

The corpus is tests/ingest/data/xss.txt (XSS vectors from the OWASP and PortSwigger cheat sheets
and mutation-XSS research). Each vector is put into the title and between two paragraphs of a real
Indonesian article. An article may be refused (4xx) — then nothing is stored — or stored; every
stored one must come out clean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser, LexborNode
from tests.integrations.fixtures import article_payload, indosum, translate_queued
from tests.paths import ROOT

from warta.integrations import Integrations
from warta.languages import Lang
from warta.services import Services

CORPUS = ROOT / "tests" / "ingest" / "data" / "xss.txt"

# Elements that execute, embed, restyle or submit: none may come from an article.
FORBIDDEN = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "style", "base", "form", "input", "button", "textarea", "select", "option", "template",
    "noscript", "xmp", "plaintext", "portal", "marquee", "video", "audio", "source", "track",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "background", "poster", "data",
    "lowsrc", "dynsrc", "ping", "longdesc", "codebase", "srcdoc", "srcset", "cite",
}  # fmt: skip
# A browser drops these from both ends of a URL, and tabs and newlines from anywhere in it (so
# "java\tscript:" is javascript:, while "java script:" is a harmless relative URL).
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):")
# The page template's own links (stylesheet, canonical, alternates) are the only <link>s.
TEMPLATE_LINK_RELS = {"stylesheet", "canonical", "alternate"}


def vectors() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [
        line.replace("\\t", "\t")
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _elements(html: str) -> Iterator[LexborNode]:
    tree = LexborHTMLParser(html)
    root = tree.root
    assert root is not None
    for node in root.traverse(include_text=False):
        if node.tag and not node.tag.startswith("-"):
            yield node


def executable_markup(html: str) -> list[str]:
    """What in ``html`` could run script when a browser renders it (empty: nothing)."""
    found: list[str] = []
    for node in _elements(html):
        tag = node.tag or ""
        attrs = {k.lower(): v or "" for k, v in node.attributes.items()}
        if tag == "script" and attrs.get("type") == "application/ld+json":
            try:
                json.loads(node.text(deep=True))  # a break-out would leave broken JSON
            except ValueError:
                found.append(f"JSON-LD that is not JSON: {node.html!r:.200}")
            continue
        if tag in FORBIDDEN:
            found.append(f"<{tag}>: {node.html!r:.200}")
        if tag == "link" and attrs.get("rel") not in TEMPLATE_LINK_RELS:
            found.append(f"<link rel={attrs.get('rel')!r}>")
        if tag == "meta" and "http-equiv" in attrs:
            found.append(f"<meta http-equiv={attrs['http-equiv']!r}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name == "style":
                found.append(f"<{tag} style={value[:60]!r}>")
            if name in URL_ATTRIBUTES:
                url = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()
                if BAD_SCHEME.match(url):
                    found.append(f"<{tag} {name}={value[:60]!r}>")
    return found


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>aman</p>", []),
        ("<p onclick='x()'>a</p>", ["<p onclick=...>"]),
        ("<a href=' JaVa\tScRiPt:alert(1)'>a</a>", ["<a href=' JaVa\\tScRiPt:alert(1)'>"]),
        ("<a href='java script:alert(1)'>a</a>", []),  # a relative URL, never run
        ("<svg><g/></svg>", ["<svg>: '<svg><g></g></svg>'"]),
        ('<script type="application/ld+json">{"a": "</script><script>x()</script>', 2),
    ],
)
def test_the_detector_finds_executable_markup(html: str, expected: list[str] | int) -> None:
    found = executable_markup(html)
    if isinstance(expected, int):
        assert len(found) == expected, found
    else:
        assert found == expected


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def targets() -> tuple[Lang, ...]:
    return (Lang.EN,)  # the pages checked are /id/ and /en/


def test_no_hostile_markup_survives_ingest_translation_and_pages(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    integrations: Integrations,
) -> None:
    corpus = vectors()
    assert len(corpus) > 100
    paragraphs = indosum(0)["paragraphs"]
    stored: list[str] = []
    refused = 0
    for n, vector in enumerate(corpus):
        external_id = f"xss-{n}"
        payload = article_payload(
            0,
            external_id=external_id,
            title=f"{indosum(0)['title']} {vector}",
            body_html=f"<p>{paragraphs[0]}</p>{vector}<p>{paragraphs[1]}</p><p>{paragraphs[2]}</p>",
        )
        response = client.post("/api/v1/articles", json=payload, headers=auth)
        assert response.status_code < 500, (vector, response.text)
        if response.status_code == 201:
            stored.append(external_id)
        else:
            refused += 1
            assert client.get(f"/api/v1/articles/{external_id}", headers=auth).status_code == 404
    assert len(stored) > len(corpus) // 2  # most vectors are cleaned, not refused

    translate_queued(services, integrations)
    problems: dict[str, list[str]] = {}
    for external_id in stored:
        edition = client.get(f"/api/v1/articles/{external_id}/editions/en", headers=auth).json()
        assert edition["status"] == "translated", edition
        article = services.store.get_article(site_id=1, external_id=external_id)
        revision = services.store.get_current_revision(article.id)
        documents = {
            "stored body": revision.body_html,
            "api edition": edition["body_html"],
            "api segments": "".join(
                s["target_html"]
                for s in client.get(
                    f"/api/v1/articles/{external_id}/editions/en?segments=true", headers=auth
                ).json()["segments"]
            ),
        }
        for lang in ("id", "en"):
            page = client.get(f"/{lang}/{article.id}")
            assert page.status_code == 200, (external_id, lang, page.status_code)
            assert page.headers["content-type"].startswith("text/html")
            documents[f"/{lang}/ page"] = page.text
        for where, html in documents.items():
            found = executable_markup(html)
            if found:
                problems[f"{external_id} {where}"] = found
    assert problems == {}
