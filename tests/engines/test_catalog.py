"""The catalogue of pullable models."""

from __future__ import annotations

import pytest

from warta.engines.catalog import KNOWN_MODELS, models_for
from warta.engines.families import spm_files
from warta.languages import TARGET_LANGS, Lang


@pytest.mark.parametrize("name", sorted(KNOWN_MODELS))
def test_each_entry_keeps_its_family_tokenizer(name: str) -> None:
    model = KNOWN_MODELS[name]
    assert model.name == name
    assert set(spm_files(model.family)) <= set(model.copy_files)
    assert model.pairs
    # Marian target tokens are only given for pairs the model serves.
    assert all((s, t) in model.pairs for s, t in model.pairs for t in model.target_tokens)


@pytest.mark.parametrize("target", TARGET_LANGS)
def test_every_edition_has_a_model_both_direct_and_for_the_pivot(target: Lang) -> None:
    assert models_for(Lang.ID, target)
    if target is not Lang.EN:
        assert models_for(Lang.EN, target)


def test_multi_target_opus_models_carry_their_target_token() -> None:
    assert KNOWN_MODELS["opus-mt-en-zh"].target_tokens == {Lang.ZH: ">>cmn_Hans<<"}
    assert KNOWN_MODELS["opus-mt-en-ar"].target_tokens == {Lang.AR: ">>ara<<"}


def test_models_with_a_warning_are_offered_last() -> None:
    assert KNOWN_MODELS["opus-mt-en-jap"].warning
    assert models_for(Lang.EN, Lang.JA)[-1] == "opus-mt-en-jap"
    assert models_for(Lang.ID, Lang.EN)[0] == "opus-mt-id-en"
