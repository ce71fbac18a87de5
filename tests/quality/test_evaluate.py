"""The evaluation harness on the first 30 FLORES lines, with a real (tiny, random) model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from warta.domain import RegisteredModel
from warta.engines.base import Decoding
from warta.engines.ctranslate2 import CTranslate2Engine
from warta.engines.fake import FakeEngine
from warta.engines.models import inspect_model_dir
from warta.errors import FieldError, IngestError, ModelNotFoundError
from warta.languages import Lang
from warta.quality.evaluate import bleu_tokenizer, comet_scorer, evaluate, load_test_pair


def _registered(model_dir: Path, target: Lang) -> RegisteredModel:
    info = inspect_model_dir(model_dir)
    return RegisteredModel(
        name="tiny",
        path=str(model_dir),
        source=Lang.ID,
        target=target,
        family=info.family,
        checksum=info.checksum,
    )


@pytest.fixture(scope="module")
def engine(tiny_model: Path) -> CTranslate2Engine:
    return CTranslate2Engine(
        [_registered(tiny_model, Lang.EN), _registered(tiny_model, Lang.ZH)],
        decoding=Decoding(beam_size=2, max_decoding_length=48),
        device="cpu",
        compute_type="float32",
    )


def test_evaluate_scores_an_engine_on_flores_with_signatures_and_provenance(
    flores, engine, tiny_model, estimator
):
    sources, refs = flores.lines[Lang.ID][:30], flores.lines[Lang.EN][:30]
    result = evaluate(engine, sources, refs, target=Lang.EN, estimator=estimator)
    assert result.sentences == 30
    assert len(result.hypotheses) == 30
    # random weights: near-zero scores, but real sacrebleu figures
    assert 0.0 <= result.bleu < 5.0
    assert 0.0 < result.chrf < 30.0
    assert result.bleu_signature.startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp")
    assert "|nc:6|nw:2|" in result.chrf_signature
    assert result.provenance["models"] == [
        {
            "name": "tiny",
            "checksum": inspect_model_dir(tiny_model).checksum,
            "source": "id",
            "target": "en",
            "random_weights": True,  # the tiny model is a test model
        }
    ]
    decoding = result.provenance["decoding"]
    assert isinstance(decoding, dict)
    assert decoding["beam"] == 2
    assert result.sentences_per_second > 0
    # the estimator sees through gibberish made of Indonesian subwords
    assert result.flagged is not None
    assert result.flagged >= 20
    assert result.comet is None
    assert "COMET skipped" in result.notes[0]
    data = result.to_dict(with_hypotheses=True)
    assert data["pair"] == "id-en"
    assert data["hypotheses"] == list(result.hypotheses)
    assert len(result.hypotheses) == 30


def test_chinese_uses_the_zh_tokenizer(flores, engine):
    result = evaluate(engine, flores.lines[Lang.ID][:5], flores.lines[Lang.ZH][:5], target=Lang.ZH)
    assert result.tokenize == "zh"
    assert "|tok:zh|" in result.bleu_signature


def test_japanese_uses_mecab_when_installed_else_characters_with_a_note():
    has_mecab = all(importlib.util.find_spec(m) is not None for m in ("MeCab", "ipadic"))
    tokenize, note = bleu_tokenizer(Lang.JA)
    if has_mecab:
        assert (tokenize, note) == ("ja-mecab", None)
    else:
        assert tokenize == "char"
        assert note is not None
        assert "mecab" in note
    assert bleu_tokenizer(Lang.FR) == ("13a", None)


@pytest.mark.parametrize(
    ("sources", "references", "message"),
    [
        (["Satu.", "Dua."], ["One."], "2 source lines but 1 reference lines"),
        (["Satu.", " "], ["One.", "Two."], "1 empty source line"),
        (["Satu."], [""], "1 empty reference line"),
        ([], [], "the test set is empty"),
    ],
)
def test_bad_input_is_refused_before_anything_is_translated(sources, references, message):
    engine = FakeEngine()
    with pytest.raises(FieldError, match=message):
        evaluate(engine, sources, references, target=Lang.EN)
    assert engine.calls == []


def test_a_pair_without_a_model_fails_before_translating():
    engine = FakeEngine(pairs=[(Lang.ID, Lang.EN)])
    with pytest.raises(ModelNotFoundError):
        evaluate(engine, ["Satu."], ["One."], target=Lang.JA)
    assert engine.calls == []


def test_test_files_are_checked_when_loaded(tmp_path):
    src, ref = tmp_path / "test.id", tmp_path / "test.en"
    src.write_text("Satu.\nDua.\n", encoding="utf-8")
    ref.write_text("One.\n", encoding="utf-8")
    with pytest.raises(FieldError, match=r"not aligned.*test\.id: 2, test\.en: 1"):
        load_test_pair(src, ref)
    ref.write_text("One.\nTwo.\n", encoding="utf-8")
    assert load_test_pair(src, ref) == (["Satu.", "Dua."], ["One.", "Two."])


def test_comet_needs_a_local_checkpoint_and_the_package(tmp_path):
    with pytest.raises(IngestError, match="no COMET checkpoint"):
        comet_scorer(tmp_path / "missing.ckpt")
    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes(b"not a model")
    if importlib.util.find_spec("comet") is None:
        with pytest.raises(IngestError, match="COMET is not installed"):
            comet_scorer(checkpoint)
