"""The random-weight model builders shipped in warta.engines.testing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from warta.domain import RegisteredModel
from warta.engines.base import Decoding
from warta.engines.ctranslate2 import CTranslate2Engine
from warta.engines.models import inspect_model_dir, read_manifest
from warta.engines.testing import build_opus_sized_model, build_tiny_model
from warta.languages import Lang

DATA = Path(__file__).resolve().parents[2] / "data"


def _engine(path: Path, *, decoding: Decoding) -> CTranslate2Engine:
    family, checksum = inspect_model_dir(path)
    model = RegisteredModel("random", str(path), Lang.ID, Lang.EN, family, checksum)
    return CTranslate2Engine([model], decoding=decoding)


def test_tiny_model_is_marked_as_random(tiny_model_dir: Path) -> None:
    manifest = read_manifest(tiny_model_dir)
    assert manifest is not None
    assert manifest.random_weights
    assert manifest.family == "marian"
    assert manifest.checksum == inspect_model_dir(tiny_model_dir).checksum


def test_tiny_model_output_is_finite_varied_and_ends(
    tiny_model_dir: Path, flores_id: list[str]
) -> None:
    engine = _engine(tiny_model_dir, decoding=Decoding(beam_size=4, max_decoding_length=256))
    sources = flores_id[600:640]

    hypotheses = engine.translate(sources, source=Lang.ID, target=Lang.EN)

    assert all(h.score is not None and math.isfinite(h.score) for h in hypotheses)
    assert len({h.text for h in hypotheses}) >= 30
    assert sum(h.truncated for h in hypotheses) <= 2
    # Longer inputs give longer outputs (the wired end-of-sentence clock).
    by_length = sorted(zip(sources, hypotheses, strict=True), key=lambda pair: len(pair[0]))
    short = sum(len(h.text) for _, h in by_length[:10])
    long = sum(len(h.text) for _, h in by_length[-10:])
    assert long > short


def test_same_seed_same_model_other_seed_other_model(tmp_path: Path) -> None:
    a = build_tiny_model(tmp_path / "a", seed=3)
    b = build_tiny_model(tmp_path / "b", seed=3)
    c = build_tiny_model(tmp_path / "c", seed=4)
    checksums = [inspect_model_dir(p).checksum for p in (a, b, c)]
    assert checksums[0] == checksums[1] != checksums[2]


def test_tiny_model_from_given_tokenizers(tmp_path: Path, tiny_model_dir: Path) -> None:
    model = build_tiny_model(
        tmp_path / "m",
        source_spm=tiny_model_dir / "source.spm",
        target_spm=tiny_model_dir / "target.spm",
        layers=1,
        d_model=32,
    )
    engine = _engine(model, decoding=Decoding(beam_size=1, max_decoding_length=20))
    [hypothesis] = engine.translate(["Selamat pagi, Jakarta."], source=Lang.ID, target=Lang.EN)
    assert hypothesis.text


def test_half_given_tokenizers_are_refused(tmp_path: Path, tiny_model_dir: Path) -> None:
    with pytest.raises(ValueError, match="both source_spm and target_spm"):
        build_tiny_model(tmp_path / "m", source_spm=tiny_model_dir / "source.spm")


@pytest.mark.slow
def test_opus_sized_model_has_the_real_shape_and_translates(tmp_path: Path) -> None:
    model = build_opus_sized_model(tmp_path / "opus", tokenizer_dir=DATA / "opus-mt-id-en")

    vocabulary = json.loads((model / "shared_vocabulary.json").read_text("utf-8"))
    real = json.loads((DATA / "opus-mt-id-en" / "vocab.json").read_text("utf-8"))
    assert len(vocabulary) == len(real) - 1 == 54795  # <pad> dropped, as the converter does
    assert vocabulary[:2] == ["</s>", "<unk>"]
    manifest = read_manifest(model)
    assert manifest is not None
    assert manifest.random_weights
    assert manifest.quantization == "int8"

    engine = _engine(model, decoding=Decoding(beam_size=4, max_decoding_length=256))
    sentence = (DATA / "flores101-dev" / "id.txt").read_text("utf-8").splitlines()[0]
    [hypothesis] = engine.translate([sentence], source=Lang.ID, target=Lang.EN)
    assert hypothesis.text
    assert not hypothesis.truncated
    assert hypothesis.score is not None
    assert math.isfinite(hypothesis.score)
