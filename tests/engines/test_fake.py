"""The shipped FakeEngine: marked echo with identity alignment."""

from __future__ import annotations

import pytest

from warta.engines.base import AlignedToken, Engine
from warta.engines.fake import FakeEngine, marker
from warta.errors import EngineError, ModelNotFoundError
from warta.languages import Lang


def test_output_is_marked_input_with_identity_alignment() -> None:
    engine = FakeEngine()
    source = "Presiden  meresmikan jembatan."

    [hypothesis] = engine.translate([source], source=Lang.ID, target=Lang.FR)

    assert hypothesis.text == "[fake:fr] Presiden  meresmikan jembatan."
    assert hypothesis.text.startswith(marker(Lang.FR))
    shift = len(marker(Lang.FR))
    assert hypothesis.alignment == (
        AlignedToken(shift + 0, shift + 8, 0, 8),
        AlignedToken(shift + 10, shift + 20, 10, 20),
        AlignedToken(shift + 21, shift + 30, 21, 30),
    )
    for token in hypothesis.alignment:
        assert (
            hypothesis.text[token.target_start : token.target_end]
            == source[token.source_start : token.source_end]
        )
    assert (hypothesis.score, hypothesis.truncated) == (0.0, False)


def test_is_an_engine_with_provenance() -> None:
    engine = FakeEngine()
    assert isinstance(engine, Engine)
    info = engine.describe(source=Lang.ID, target=Lang.EN)
    assert info.engine == "fake"
    assert [(m.name, m.source, m.target) for m in info.models] == [
        ("fake-identity", Lang.ID, Lang.EN)
    ]
    assert info.models[0].checksum.startswith("sha256:")


def test_empty_segments_stay_empty_and_calls_are_recorded() -> None:
    engine = FakeEngine()
    assert [h.text for h in engine.translate(["", "a"], source=Lang.ID, target=Lang.EN)] == [
        "",
        "[fake:en] a",
    ]
    assert engine.calls == [(Lang.ID, Lang.EN, ("", "a"))]


def test_unsupported_pair_and_injected_failure() -> None:
    engine = FakeEngine(pairs=[(Lang.ID, Lang.EN), (Lang.ID, Lang.JA)], fail_targets=[Lang.JA])
    assert not engine.supports(source=Lang.ID, target=Lang.ZH)
    with pytest.raises(ModelNotFoundError):
        engine.translate(["x"], source=Lang.ID, target=Lang.ZH)
    with pytest.raises(EngineError, match="told to fail for ja"):
        engine.translate(["x"], source=Lang.ID, target=Lang.JA)
