"""Converted model directories: validation, checksums, manifests, and ``pull_model``.

A usable directory holds CTranslate2's ``model.bin`` and ``config.json`` plus the family's
SentencePiece files (see :mod:`warta.engines.families`). ``pull_model`` also writes
``warta-model.json``, a manifest recording where the weights came from::

    {"format": 1, "name": "opus-mt-id-en", "repo_id": "Helsinki-NLP/opus-mt-id-en",
     "revision": "<commit sha>", "family": "marian", "pairs": [{"source": "id", "target": "en"}],
     "target_tokens": {}, "checksum": "sha256:...", "quantization": "int8",
     "converter": "ctranslate2 4.x", "max_positions": 512, "random_weights": false,
     "warning": "", "created_at": "..."}

Nothing here imports CTranslate2, huggingface_hub or torch at import time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from warta.engines.catalog import KNOWN_MODELS, KnownModel, Pair
from warta.engines.families import FAMILIES, check_family, spm_files
from warta.errors import EngineError, FieldError, ModelNotFoundError
from warta.languages import Lang

__all__ = [
    "KNOWN_MODELS",
    "MANIFEST_NAME",
    "KnownModel",
    "ModelDirInfo",
    "ModelManifest",
    "PulledModel",
    "detect_family",
    "file_checksum",
    "inspect_model_dir",
    "pull_model",
    "read_manifest",
    "validate_model_dir",
    "write_manifest",
]

MANIFEST_NAME = "warta-model.json"
_VOCABULARIES = ("shared_vocabulary.json", "shared_vocabulary.txt", "target_vocabulary.json")
_CONVERT_HINT = (
    "convert the Hugging Face checkpoint with `warta models pull NAME`, or by hand with "
    "`ct2-transformers-converter --model REPO --output_dir DIR --copy_files TOKENIZER_FILES`"
)


class ModelDirInfo(NamedTuple):
    family: str
    checksum: str  # "sha256:<hex>" of model.bin


@dataclass(frozen=True, slots=True)
class ModelManifest:
    name: str
    family: str
    pairs: tuple[Pair, ...]
    checksum: str
    repo_id: str | None = None
    revision: str | None = None  # the commit the weights were downloaded at
    target_tokens: Mapping[Lang, str] = field(default_factory=dict)
    quantization: str = ""
    converter: str = ""
    max_positions: int | None = None  # position table size: longer inputs must be cut
    random_weights: bool = False  # built by warta.engines.testing: output is meaningless
    warning: str = ""
    # Document context: the source-vocabulary token this model was trained with between the
    # previous sentence and the current one ("prev <sep> current" -> translation of current).
    # None: a sentence-level model, which gets no context.
    context_separator: str | None = None
    created_at: str = ""  # ISO 8601, UTC

    def to_dict(self) -> dict[str, object]:
        return {
            "format": 1,
            "name": self.name,
            "repo_id": self.repo_id,
            "revision": self.revision,
            "family": self.family,
            "pairs": [{"source": s.value, "target": t.value} for s, t in self.pairs],
            "target_tokens": {lang.value: token for lang, token in self.target_tokens.items()},
            "checksum": self.checksum,
            "quantization": self.quantization,
            "converter": self.converter,
            "max_positions": self.max_positions,
            "random_weights": self.random_weights,
            "warning": self.warning,
            "context_separator": self.context_separator,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ModelManifest:
        pairs = data.get("pairs", [])
        tokens = data.get("target_tokens", {})
        if not isinstance(pairs, list) or not isinstance(tokens, dict):
            raise TypeError("pairs must be a list and target_tokens an object")
        repo_id, revision = data.get("repo_id"), data.get("revision")
        return cls(
            name=str(data["name"]),
            family=check_family(str(data["family"])),
            pairs=tuple((Lang(p["source"]), Lang(p["target"])) for p in pairs),
            checksum=str(data["checksum"]),
            repo_id=None if repo_id is None else str(repo_id),
            revision=None if revision is None else str(revision),
            target_tokens={Lang(k): str(v) for k, v in tokens.items()},
            quantization=str(data.get("quantization", "")),
            converter=str(data.get("converter", "")),
            max_positions=_optional_int(data.get("max_positions")),
            random_weights=bool(data.get("random_weights", False)),
            warning=str(data.get("warning", "")),
            context_separator=_optional_str(data.get("context_separator")),
            created_at=str(data.get("created_at", "")),
        )


@dataclass(frozen=True, slots=True)
class PulledModel:
    """A converted model directory made by :func:`pull_model`, ready for ``warta models add``."""

    name: str
    path: Path
    family: str
    pairs: tuple[Pair, ...]
    checksum: str
    repo_id: str
    revision: str
    warning: str = ""
    reused: bool = False  # the directory was already there and complete: nothing was downloaded


def _optional_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a string or null, got {value!r}")
    return value


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"expected an integer, got {value!r}")
    return int(value)


def file_checksum(path: Path) -> str:
    """``"sha256:<hex>"`` of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def read_manifest(path: Path) -> ModelManifest | None:
    """The directory's ``warta-model.json``, or None if it has none."""
    manifest = Path(path) / MANIFEST_NAME
    if not manifest.is_file():
        return None
    try:
        return ModelManifest.from_dict(json.loads(manifest.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, EngineError) as err:
        raise EngineError(
            f"cannot read the model manifest {manifest}: {err}",
            hint=f"delete {MANIFEST_NAME} (the model works without it) or pull the model again",
            path=str(manifest),
        ) from err


def write_manifest(path: Path, manifest: ModelManifest) -> Path:
    target = Path(path) / MANIFEST_NAME
    target.write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return target


def detect_family(path: Path) -> str | None:
    """The family from the manifest, else from the tokenizer files; None if it cannot tell."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is not None:
        return manifest.family
    if (path / "source.spm").is_file() and (path / "target.spm").is_file():
        return "marian"
    if (path / "spiece.model").is_file():
        return "madlad"
    if (path / "sentencepiece.bpe.model").is_file():
        vocabulary = next((path / v for v in _VOCABULARIES if (path / v).is_file()), None)
        text = vocabulary.read_text(encoding="utf-8") if vocabulary else ""
        if "eng_Latn" in text:
            return "nllb"
        if "__en__" in text:
            return "m2m100"
    return None


def validate_model_dir(path: Path, *, family: str | None = None) -> str:
    """Check that ``path`` is a usable model directory and return its family.

    Raises ModelNotFoundError naming the missing file and how to get it.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelNotFoundError(
            f"model directory {path} does not exist",
            hint="check the path, or make one with `warta models pull NAME`",
            path=str(path),
        )
    for required in ("model.bin", "config.json"):
        if not (path / required).is_file():
            raise ModelNotFoundError(
                f"{path} has no {required}: it is not a converted CTranslate2 model",
                hint=_CONVERT_HINT,
                path=str(path),
                missing=required,
            )
    if family is None:
        family = detect_family(path)
        if family is None:
            raise ModelNotFoundError(
                f"cannot tell which model family {path} belongs to: no source.spm/target.spm, "
                "spiece.model or sentencepiece.bpe.model with a known vocabulary",
                hint="name it explicitly (--family " + "|".join(FAMILIES) + ") "
                "or copy the tokenizer files from the Hugging Face repository",
                path=str(path),
            )
    check_family(family)
    for name in spm_files(family):
        if not (path / name).is_file():
            raise ModelNotFoundError(
                f"{path} has no {name}, the tokenizer of this {family} model",
                hint=f"copy {name} from the model's Hugging Face repository into {path} "
                f"(the converter's --copy_files {' '.join(spm_files(family))})",
                path=str(path),
                missing=name,
                family=family,
            )
    return family


def inspect_model_dir(path: Path, *, family: str | None = None) -> ModelDirInfo:
    """Validate the directory and checksum its weights: ``(family, "sha256:<hex>")``."""
    family = validate_model_dir(path, family=family)
    return ModelDirInfo(family, file_checksum(Path(path) / "model.bin"))


def source_vocabulary(path: Path) -> set[str]:
    """The tokens of a converted model's source vocabulary (shared or source-side file)."""
    path = Path(path)
    for name in ("shared_vocabulary", "source_vocabulary"):
        as_json = path / f"{name}.json"
        if as_json.is_file():
            tokens = json.loads(as_json.read_text(encoding="utf-8"))
            return {str(t) for t in tokens}
        as_text = path / f"{name}.txt"
        if as_text.is_file():
            return set(as_text.read_text(encoding="utf-8").splitlines())
    raise ModelNotFoundError(
        f"{path} has no shared_vocabulary or source_vocabulary file",
        hint=_CONVERT_HINT,
        path=str(path),
    )


def declare_context_separator(
    path: Path, token: str, *, name: str, family: str, pairs: tuple[Pair, ...], checksum: str
) -> ModelManifest:
    """Record in the directory's manifest that the model was trained with document context.

    ``token`` must be in the model's source vocabulary (a token the model never saw in training
    would only add noise). The manifest is created if the directory has none.
    """
    if token not in source_vocabulary(path):
        raise FieldError(
            f"{token!r} is not in the source vocabulary of {path}",
            hint="give the separator token the model was trained with (e.g. <sep>), "
            "or leave --context-separator out for a sentence-level model",
            token=token,
            path=str(path),
        )
    manifest = read_manifest(path) or ModelManifest(
        name=name, family=family, pairs=pairs, checksum=checksum
    )
    manifest = replace(manifest, context_separator=token)
    write_manifest(path, manifest)
    return manifest


def pull_model(
    name: str,
    *,
    dest_dir: Path,
    quantization: str = "int8",
    progress: bool = True,
    endpoint: str | None = None,
    revision: str | None = None,
    force: bool = False,
    timeout: float = 10.0,
) -> PulledModel:
    """Download a known model from the Hugging Face hub and convert it for CTranslate2.

    Writes ``dest_dir/<name>/`` (model.bin, config.json, vocabulary, tokenizer files,
    ``warta-model.json``). ``endpoint`` defaults to ``$HF_ENDPOINT`` (read at call time), then
    https://huggingface.co. A complete directory already there is reused unless ``force``.
    Raises ModelNotFoundError for unknown names, ModelDownloadError when the hub cannot be
    reached (quickly: ``timeout`` seconds, no retry loop), ModelConversionError if converting fails.
    """
    from warta.engines.hub import pull

    return pull(
        name,
        dest_dir=Path(dest_dir),
        quantization=quantization,
        progress=progress,
        endpoint=endpoint,
        revision=revision,
        force=force,
        timeout=timeout,
    )
