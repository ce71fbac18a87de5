"""Markup through engines that keep tags: an article's links, emphasis and numbers survive the
round trip prepared sentence → tagged text → HTML API or LLM → finished HTML."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warta.domain import Glossary
from warta.engines.remote import DeepLEngine, OpenAIEngine, RemoteEngine
from warta.engines.remote.openai import group_fields
from warta.engines.remote.testing import deepl_server, openai_server
from warta.languages import Lang
from warta.text import analyse, prepare
from warta.text.tags import finish_tagged, to_tagged

BODY = (
    '<p>Menurut <a href="https://bps.go.id/data?x=1&amp;y=2">BPS</a>, inflasi <b>naik '
    "<i>tajam</i></b> menjadi 3,5 persen.</p>"
)


@pytest.mark.parametrize("kind", ["deepl", "openai"])
def test_links_emphasis_and_numbers_survive(kind: str) -> None:
    document = analyse(title="", lead="", body_html=BODY)
    prepared = [
        prepare(s, target=Lang.FR, glossary=Glossary.empty())
        for s in document.segments
        if s.translate
    ]
    server_of = deepl_server if kind == "deepl" else openai_server
    with server_of() as server:
        engine: RemoteEngine = (
            DeepLEngine(name="d", url=server.url, key="k")
            if kind == "deepl"
            else OpenAIEngine(name="o", url=server.url + "/v1", model="m")
        )
        with engine:
            out = engine.translate([to_tagged(p) for p in prepared], source=Lang.ID, target=Lang.FR)
    done = [finish_tagged(p, h, target=Lang.FR) for p, h in zip(prepared, out, strict=True)]
    assert [d.flags for d in done] == [()]
    html = done[0].html
    assert '<a href="https://bps.go.id/data?x=1&amp;y=2">SPB</a>' in html
    assert "<b>" in html
    assert "<i>" in html
    assert "3,5" in html


@dataclass(frozen=True)
class LookAlike:  # an older group record: article/style instead of key/style_note
    article: str
    title: str
    site: str | None
    glossary: Glossary
    style: str


def test_group_fields_read_look_alike_groups() -> None:
    group = LookAlike(
        article="42", title="Judul", site="kompas", glossary=Glossary.empty(), style="formal"
    )
    fields = group_fields(group)
    assert (fields.key, fields.title, fields.site, fields.style) == (
        "42",
        "Judul",
        "kompas",
        "formal",
    )


def test_articles_go_in_parallel_up_to_the_concurrency_limit() -> None:
    from warta.domain import Glossary as G
    from warta.engines.base import SegmentGroup

    groups = [SegmentGroup(key=str(i), title="", site="s", glossary=G.empty()) for i in range(6)]
    with openai_server() as server:
        server.delay = 0.05
        with OpenAIEngine(name="o", url=server.url + "/v1", model="m", concurrency=2) as engine:
            out = engine.translate(
                [f"Kalimat {i}." for i in range(6)], source=Lang.ID, target=Lang.EN, groups=groups
            )
    assert len(out) == 6
    assert len(server.requests) == 6
    assert server.max_in_flight <= 2
