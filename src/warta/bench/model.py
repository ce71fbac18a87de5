"""One model on every side: a MarianMTModel with seeded random weights, and its CTranslate2 copies.

The benchmark compares warta's pipeline, raw CTranslate2 and Hugging Face ``generate`` on the
*same weights*: a ``MarianMTModel`` is built from opus-mt-id-en's ``config.json`` (its real shape
and 54,796-token vocabulary) with seeded random initialisation, saved with the real tokenizer
files, and converted with CTranslate2's own ``TransformersConverter`` (int8 for CPU figures,
float16 for GPU figures). Smaller shapes (``small``, ``tiny``) keep the real vocabulary and only
shrink the layers, for quick runs and smoke tests. **The outputs are meaningless**: decoding
lengths are pinned (min = max) so every side does the same work.

Built models are cached under ``cache_dir/<size>-seed<seed>/`` and reused.
"""

from __future__ import annotations

import json
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warta.domain import RegisteredModel
from warta.languages import Lang

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")


@dataclass(frozen=True, slots=True)
class ModelSize:
    name: str
    layers: int  # encoder layers = decoder layers
    d_model: int
    heads: int
    ffn_dim: int


SIZES: dict[str, ModelSize] = {
    # The real shape of Helsinki-NLP/opus-mt-id-en (checked against its config.json).
    "opus": ModelSize("opus", layers=6, d_model=512, heads=8, ffn_dim=2048),
    "small": ModelSize("small", layers=3, d_model=256, heads=4, ffn_dim=1024),
    "tiny": ModelSize("tiny", layers=1, d_model=32, heads=2, ffn_dim=64),
}


@dataclass(frozen=True, slots=True)
class BenchModel:
    size: ModelSize
    seed: int
    root: Path
    parameters: int
    vocab_size: int
    max_positions: int

    @property
    def hf_dir(self) -> Path:
        return self.root / "hf"

    def ct2_dir(self, quantization: str) -> Path:
        return self.root / f"ct2-{quantization}"

    @property
    def name(self) -> str:
        return f"opus-mt-id-en-{self.size.name}-random-seed{self.seed}"

    def registered(
        self, target: Lang, *, quantization: str, path: Path | None = None
    ) -> RegisteredModel:
        """The model as warta registers it, for id→``target`` (``path``: a copy of the dir)."""
        from warta.engines.models import file_checksum

        directory = path or self.ct2_dir(quantization)
        return RegisteredModel(
            name=self.name,
            path=str(directory),
            source=Lang.ID,
            target=target,
            family="marian",
            checksum=file_checksum(directory / "model.bin"),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "shape": self.size.name,
            "encoder_layers": self.size.layers,
            "decoder_layers": self.size.layers,
            "d_model": self.size.d_model,
            "heads": self.size.heads,
            "ffn_dim": self.size.ffn_dim,
            "vocab_size": self.vocab_size,
            "parameters": self.parameters,
            "seed": self.seed,
            "weights": "random (seeded); outputs are meaningless",
            "built_from": "MarianMTModel(config of opus-mt-id-en) + TransformersConverter",
        }


def build_bench_model(
    cache_dir: Path,
    *,
    tokenizer_dir: Path,
    size: str = "opus",
    seed: int = 0,
    quantizations: tuple[str, ...] = ("int8",),
) -> BenchModel:
    """Build (or reuse) the Hugging Face model and its CTranslate2 conversions."""
    shape = SIZES[size]
    root = cache_dir / f"{shape.name}-seed{seed}"
    hf_dir = root / "hf"
    if not (hf_dir / "bench-model.json").is_file():
        _build_hf(hf_dir, tokenizer_dir=tokenizer_dir, shape=shape, seed=seed)
    facts = json.loads((hf_dir / "bench-model.json").read_text(encoding="utf-8"))
    model = BenchModel(
        size=shape,
        seed=seed,
        root=root,
        parameters=int(facts["parameters"]),
        vocab_size=int(facts["vocab_size"]),
        max_positions=int(facts["max_positions"]),
    )
    for quantization in quantizations:
        if not (model.ct2_dir(quantization) / "warta-model.json").is_file():
            _convert(model, quantization=quantization)
    return model


def _build_hf(hf_dir: Path, *, tokenizer_dir: Path, shape: ModelSize, seed: int) -> None:
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    missing = [
        name for name in (*TOKENIZER_FILES, "config.json") if not (tokenizer_dir / name).is_file()
    ]
    if missing:
        raise FileNotFoundError(
            f"{tokenizer_dir} lacks {', '.join(missing)}: pass the opus-mt-id-en folder "
            "(data/opus-mt-id-en in the repository) with --data-dir"
        )
    quiet_transformers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # transformers' notes about legacy config keys
        config = MarianConfig.from_pretrained(str(tokenizer_dir))
        if shape.name != "opus":
            config.encoder_layers = config.decoder_layers = shape.layers
            config.num_hidden_layers = shape.layers
            config.d_model = shape.d_model
            config.encoder_attention_heads = config.decoder_attention_heads = shape.heads
            config.encoder_ffn_dim = config.decoder_ffn_dim = shape.ffn_dim
        torch.manual_seed(seed)
        model: Any = MarianMTModel(config)
        model.eval()
        tokenizer = MarianTokenizer.from_pretrained(str(tokenizer_dir))
        staging = hf_dir.with_name(hf_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
    facts = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": int(config.vocab_size),
        "max_positions": int(config.max_position_embeddings),
        "seed": seed,
        "shape": shape.name,
    }
    (staging / "bench-model.json").write_text(json.dumps(facts, indent=2), encoding="utf-8")
    shutil.rmtree(hf_dir, ignore_errors=True)
    staging.rename(hf_dir)


def _convert(model: BenchModel, *, quantization: str) -> None:
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    from warta.engines.models import ModelManifest, file_checksum, write_manifest

    target = model.ct2_dir(quantization)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    quiet_transformers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converter = TransformersConverter(
            str(model.hf_dir), copy_files=["source.spm", "target.spm"]
        )
        converter.convert(str(staging), quantization=quantization, force=True)
    write_manifest(
        staging,
        ModelManifest(
            name=model.name,
            family="marian",
            pairs=((Lang.ID, Lang.EN),),
            checksum=file_checksum(staging / "model.bin"),
            quantization=quantization,
            converter=f"ctranslate2 {ctranslate2.__version__} TransformersConverter",
            max_positions=model.max_positions,
            random_weights=True,
            warning="random weights for benchmarks: the output is meaningless",
        ),
    )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def copy_model_dir(source: Path, dest: Path) -> Path:
    """A separate copy of a converted model (warta loads one translator per directory)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    return dest


def quiet_transformers() -> None:
    """No progress bars or info logs from transformers in the benchmark's output."""
    from transformers.utils import logging

    hf_logging: Any = logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
