"""Remote engine fixtures: segments as the pipeline sends them to engines with tag markup."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from warta.domain import Glossary, GlossaryTerm
from warta.engines.base import SegmentGroup
from warta.languages import Lang
from warta.text import analyse, prepare
from warta.text.tags import to_tagged

BODY = (
    '<p>Presiden <b>Joko Widodo</b> mengunjungi <a href="https://kompas.com">Jakarta</a> '
    "pada 12 Mei 2024. Ia bertemu dengan para pedagang di pasar.</p>"
    "<p>Harga beras naik 15 persen sejak bulan lalu. Pemerintah berjanji menstabilkan harga.</p>"
)


@pytest.fixture
def glossary() -> Glossary:
    return Glossary(
        version=3,
        terms=(GlossaryTerm(source="Jakarta", translations={Lang.JA: "ジャカルタ"}),),
    )


@pytest.fixture
def tagged() -> list[str]:
    """The article's sentences as tagged text (markup as <xN>, items as {n})."""
    document = analyse(title="Harga beras naik", lead="", body_html=BODY)
    return [
        to_tagged(prepare(s, target=Lang.JA, glossary=Glossary.empty()))
        for s in document.segments
        if s.translate
    ]


@pytest.fixture
def waits() -> list[float]:
    """Where engines under test "sleep" between retries (recorded, not slept)."""
    return []


@pytest.fixture
def make_group() -> Callable[..., SegmentGroup]:
    def make(
        key: str = "rev-1", *, glossary: Glossary | None = None, style: str = ""
    ) -> SegmentGroup:
        return SegmentGroup(
            key=key,
            title="Harga beras naik",
            site="kompas",
            glossary=glossary or Glossary.empty(),
            style_note=style,
        )

    return make
