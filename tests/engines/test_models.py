"""Model directories: validation with actionable errors, checksums, manifests, families."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from warta.engines.models import (
    MANIFEST_NAME,
    ModelManifest,
    detect_family,
    inspect_model_dir,
    read_manifest,
    write_manifest,
)
from warta.errors import EngineError, ModelNotFoundError
from warta.languages import Lang


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def test_inspect_gives_family_and_weights_checksum(tiny_model_dir: Path) -> None:
    info = inspect_model_dir(tiny_model_dir)

    digest = hashlib.sha256((tiny_model_dir / "model.bin").read_bytes()).hexdigest()
    assert info == ("marian", f"sha256:{digest}")
    assert (info.family, info.checksum) == ("marian", f"sha256:{digest}")


def test_checksum_is_stable_and_follows_the_weights(model_copy: Path, tiny_model_dir: Path) -> None:
    original = inspect_model_dir(tiny_model_dir).checksum
    assert inspect_model_dir(model_copy).checksum == original  # same bytes, other place

    weights = bytearray((model_copy / "model.bin").read_bytes())
    weights[-1] ^= 0xFF
    (model_copy / "model.bin").write_bytes(bytes(weights))
    assert inspect_model_dir(model_copy).checksum != original


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist") as caught:
        inspect_model_dir(tmp_path / "nowhere")
    assert "warta models pull" in caught.value.hint


@pytest.mark.parametrize("missing", ["model.bin", "config.json"])
def test_directory_that_is_not_a_converted_model(model_copy: Path, missing: str) -> None:
    (model_copy / missing).unlink()
    with pytest.raises(ModelNotFoundError, match=f"has no {re.escape(missing)}") as caught:
        inspect_model_dir(model_copy)
    assert caught.value.context["missing"] == missing
    assert "ct2-transformers-converter" in caught.value.hint


def test_missing_tokenizer_is_named_with_where_to_get_it(model_copy: Path) -> None:
    (model_copy / "target.spm").unlink()
    with pytest.raises(ModelNotFoundError, match=r"has no target\.spm") as caught:
        inspect_model_dir(model_copy, family="marian")
    assert "copy target.spm from the model's Hugging Face repository" in caught.value.hint
    assert caught.value.context["missing"] == "target.spm"


def test_family_cannot_be_guessed_without_tokenizer_files(model_copy: Path) -> None:
    for name in ("source.spm", "target.spm", MANIFEST_NAME):
        (model_copy / name).unlink()
    with pytest.raises(ModelNotFoundError, match="cannot tell which model family"):
        inspect_model_dir(model_copy)


@pytest.mark.parametrize(
    ("files", "family"),
    [
        ({"source.spm": "", "target.spm": ""}, "marian"),
        ({"spiece.model": ""}, "madlad"),
        # NLLB and M2M-100 share the tokenizer file name; the vocabulary tells them apart.
        ({"sentencepiece.bpe.model": "", "shared_vocabulary.json": '["eng_Latn"]'}, "nllb"),
        ({"sentencepiece.bpe.model": "", "shared_vocabulary.json": '["__en__"]'}, "m2m100"),
        ({"sentencepiece.bpe.model": "", "shared_vocabulary.json": '["x"]'}, None),
        ({}, None),
    ],
)
def test_detect_family_from_files(
    tmp_path: Path, files: dict[str, str], family: str | None
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content, "utf-8")
    assert detect_family(tmp_path) == family


def test_manifest_round_trip(tmp_path: Path) -> None:
    manifest = ModelManifest(
        name="opus-mt-en-zh",
        family="marian",
        pairs=((Lang.EN, Lang.ZH),),
        checksum="sha256:" + "0" * 64,
        repo_id="Helsinki-NLP/opus-mt-en-zh",
        revision="a" * 40,
        target_tokens={Lang.ZH: ">>cmn_Hans<<"},
        quantization="int8",
    )
    write_manifest(tmp_path, manifest)
    assert read_manifest(tmp_path) == manifest
    assert json.loads((tmp_path / MANIFEST_NAME).read_text("utf-8"))["target_tokens"] == {
        "zh": ">>cmn_Hans<<"
    }


def test_manifest_is_optional(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None


def test_unreadable_manifest_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"name": "x", "family": "marian"', "utf-8")
    with pytest.raises(EngineError, match="cannot read the model manifest") as caught:
        read_manifest(tmp_path)
    assert f"delete {MANIFEST_NAME}" in caught.value.hint
