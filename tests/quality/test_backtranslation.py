from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from warta.domain import ModelProvenance
from warta.engines.base import Decoding, EngineInfo, Hypothesis
from warta.engines.fake import FakeEngine
from warta.errors import FieldError
from warta.languages import Lang
from warta.quality.backtranslation import back_translation_check


class PhrasebookEngine:
    """An en -> id engine that knows the translation of a few sentences (a real Engine)."""

    name = "phrasebook"

    def __init__(self, book: Mapping[str, str]) -> None:
        self.book = dict(book)

    def supports(self, *, source: Lang, target: Lang) -> bool:
        return (source, target) == (Lang.EN, Lang.ID)

    def describe(self, *, source: Lang, target: Lang) -> EngineInfo:
        model = ModelProvenance(
            name="phrasebook", checksum="sha256:0", source=source, target=target
        )
        return EngineInfo(self.name, (model,), Decoding(), "cpu", "none")

    def translate(self, texts: Sequence[str], *, source: Lang, target: Lang) -> list[Hypothesis]:
        return [Hypothesis(self.book.get(t, ""), score=-0.5) for t in texts]


def test_round_trip_that_loses_the_meaning_is_flagged(flores):
    # FLORES lines 4 and 5; the second "translation" is line 5's English under line 4's source
    sources = [flores.lines[Lang.ID][3], flores.lines[Lang.ID][3]]
    targets = [flores.lines[Lang.EN][3], flores.lines[Lang.EN][4]]
    engine = PhrasebookEngine(
        {t: flores.lines[Lang.ID][i] for i, t in ((3, targets[0]), (4, targets[1]))}
    )
    results = back_translation_check(engine, sources, targets, lang=Lang.EN)
    assert results is not None
    assert [r.flagged for r in results] == [False, True]
    assert results[0].chrf == 100.0
    assert results[1].chrf < 30
    assert results[1].text == flores.lines[Lang.ID][4]


def test_back_translation_is_skipped_without_a_reverse_model():
    engine = FakeEngine()  # id -> every target, nothing back into Indonesian
    assert back_translation_check(engine, ["Halo."], ["Hello."], lang=Lang.EN) is None
    assert engine.calls == []


def test_back_translation_needs_one_translation_per_source():
    with pytest.raises(FieldError, match="2 sources but 1 translations"):
        back_translation_check(PhrasebookEngine({}), ["a", "b"], ["x"], lang=Lang.EN)
