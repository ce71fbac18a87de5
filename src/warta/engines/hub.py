"""``warta models pull``: download from a Hugging Face hub, convert with CTranslate2, checksum.

Use :func:`warta.engines.models.pull_model`; this module holds its steps. huggingface_hub,
CTranslate2's converter (torch, transformers) and rich are imported only when pulling.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warta.engines.catalog import KNOWN_MODELS, KnownModel
from warta.engines.families import spm_files
from warta.engines.models import (
    ModelManifest,
    PulledModel,
    file_checksum,
    read_manifest,
    validate_model_dir,
    write_manifest,
)
from warta.errors import (
    EngineError,
    ModelConversionError,
    ModelDownloadError,
    ModelNotFoundError,
)

DEFAULT_ENDPOINT = "https://huggingface.co"
# Configuration and tokenizer files the converter may read; weights are chosen separately.
_SMALL_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "added_tokens.json",
    "vocab.json",
    "*.spm",
    "*.model",
)
_WEIGHTS = (
    ("model*.safetensors", "model.safetensors.index.json"),
    ("pytorch_model*.bin", "pytorch_model.bin.index.json"),
)


def resolve_endpoint(endpoint: str | None) -> str:
    """The explicit endpoint, else ``$HF_ENDPOINT`` as set *now*, else the public hub."""
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def pull(
    name: str,
    *,
    dest_dir: Path,
    quantization: str,
    progress: bool,
    endpoint: str | None,
    revision: str | None,
    force: bool,
    timeout: float,
) -> PulledModel:
    known = KNOWN_MODELS.get(name)
    if known is None:
        raise ModelNotFoundError(
            f"unknown model {name!r}",
            hint="known models: " + ", ".join(KNOWN_MODELS),
            name=name,
        )
    target = dest_dir / name
    if not force and (existing := _already_pulled(known, target)) is not None:
        return existing

    hub = resolve_endpoint(endpoint)
    sha, weights = _resolve(known, hub=hub, revision=revision, timeout=timeout, target=target)
    dest_dir.mkdir(parents=True, exist_ok=True)
    download = dest_dir / f".{name}.download"  # kept if conversion fails: a retry reuses it
    staging = dest_dir / f".{name}.partial"
    _download(
        known, hub=hub, sha=sha, weights=weights, into=download, progress=progress, timeout=timeout
    )
    try:
        converter = _convert(
            known, source=download, into=staging, quantization=quantization, progress=progress
        )
        manifest = ModelManifest(
            name=known.name,
            family=known.family,
            pairs=known.pairs,
            checksum=file_checksum(staging / "model.bin"),
            repo_id=known.repo_id,
            revision=sha,
            target_tokens=dict(known.target_tokens),
            quantization=quantization,
            converter=converter,
            max_positions=_max_positions(download),
            warning=known.warning,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        write_manifest(staging, manifest)
        validate_model_dir(staging, family=known.family)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(download, ignore_errors=True)
    return _pulled(known, target, manifest, reused=False)


def _pulled(known: KnownModel, path: Path, manifest: ModelManifest, *, reused: bool) -> PulledModel:
    return PulledModel(
        name=known.name,
        path=path,
        family=manifest.family,
        pairs=manifest.pairs,
        checksum=manifest.checksum,
        repo_id=manifest.repo_id or known.repo_id,
        revision=manifest.revision or "",
        warning=manifest.warning,
        reused=reused,
    )


def _already_pulled(known: KnownModel, target: Path) -> PulledModel | None:
    try:
        manifest = read_manifest(target)
        if manifest is None or manifest.name != known.name:
            return None
        validate_model_dir(target, family=manifest.family)
    except EngineError:
        return None
    return _pulled(known, target, manifest, reused=True)


def _unreachable(
    known: KnownModel, *, hub: str, target: Path, err: BaseException, answered: bool = False
) -> ModelDownloadError:
    problem = (
        f"the model hub at {hub} answered with an error"
        if answered
        else (f"this machine cannot reach the model hub at {hub}")
    )
    return ModelDownloadError(
        f"{problem} while looking up {known.name} ({known.repo_id}): {type(err).__name__}: {err}",
        hint=(
            f"run `warta models pull {known.name}` on a machine with internet access, copy the "
            f"directory it makes ({target.name}/) to this machine, then register it with "
            f"`warta models add PATH --source SRC --target TGT`; or set HF_ENDPOINT to a "
            "reachable mirror"
        ),
        endpoint=hub,
        repo_id=known.repo_id,
        name=known.name,
    )


def _resolve(
    known: KnownModel, *, hub: str, revision: str | None, timeout: float, target: Path
) -> tuple[str, tuple[str, ...]]:
    """The commit sha to download, and the weight files to fetch (safetensors if present)."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    api = HfApi(endpoint=hub, library_name="warta")
    try:
        info = api.model_info(known.repo_id, revision=revision, timeout=timeout)
    except (RepositoryNotFoundError, RevisionNotFoundError, GatedRepoError) as err:
        raise ModelDownloadError(
            f"{known.repo_id}{'@' + revision if revision else ''} is not available at {hub}: {err}",
            hint="check the revision, the HF_ENDPOINT mirror, or HF_TOKEN for gated repositories",
            endpoint=hub,
            repo_id=known.repo_id,
        ) from err
    except HfHubHTTPError as err:
        raise _unreachable(known, hub=hub, target=target, err=err, answered=True) from err
    except (
        Exception
    ) as err:  # transport errors are requests/httpx/httpx2 types depending on the hub version
        raise _unreachable(known, hub=hub, target=target, err=err) from err
    if not info.sha:
        raise ModelDownloadError(
            f"the hub at {hub} did not say which commit {known.repo_id} is at",
            hint="use a Hugging Face compatible endpoint",
            endpoint=hub,
            repo_id=known.repo_id,
        )
    files = [s.rfilename for s in info.siblings or []]
    missing = [f for f in known.copy_files if f not in files]
    if missing:
        raise ModelDownloadError(
            f"{known.repo_id} has no {missing[0]} (the tokenizer warta needs)",
            hint="pick a revision that has it with `revision=`",
            repo_id=known.repo_id,
        )
    for patterns in _WEIGHTS:
        if any(fnmatch.fnmatch(f, patterns[0]) for f in files):
            return info.sha, patterns
    raise ModelDownloadError(
        f"{known.repo_id} has no PyTorch weights (model.safetensors or pytorch_model.bin)",
        hint="this revision cannot be converted; pick another with `revision=`",
        repo_id=known.repo_id,
    )


def _download(
    known: KnownModel,
    *,
    hub: str,
    sha: str,
    weights: tuple[str, ...],
    into: Path,
    progress: bool,
    timeout: float,
) -> None:
    from huggingface_hub import snapshot_download

    try:
        snapshot_download(
            known.repo_id,
            revision=sha,
            local_dir=into,
            endpoint=hub,
            allow_patterns=[*weights, *_SMALL_FILES, *known.copy_files],
            etag_timeout=timeout,
            tqdm_class=None if progress else _silent_tqdm(),
            library_name="warta",
        )
    except Exception as err:  # as in _resolve: the hub client's error types vary
        raise ModelDownloadError(
            f"downloading {known.repo_id}@{sha[:12]} from {hub} failed: "
            f"{type(err).__name__}: {err}",
            hint=f"run the pull again (finished files in {into} are kept), or pull on a "
            "machine with internet access and copy the directory here",
            endpoint=hub,
            repo_id=known.repo_id,
        ) from err


def _convert(
    known: KnownModel, *, source: Path, into: Path, quantization: str, progress: bool
) -> str:
    """Convert the downloaded checkpoint; returns the converter's name and version."""
    try:
        import ctranslate2
        from ctranslate2.converters import TransformersConverter
    except ImportError as err:
        raise ModelConversionError(
            f"converting {known.name} needs ctranslate2, torch and transformers: {err}",
            hint="install them with `pip install 'warta[convert]'`",
            name=known.name,
        ) from err
    converter = TransformersConverter(str(source), copy_files=list(known.copy_files))
    try:
        if progress:
            from rich.console import Console

            with Console(stderr=True).status(
                f"converting {known.name} to CTranslate2 ({quantization})"
            ):
                converter.convert(str(into), quantization=quantization, force=True)
        else:
            converter.convert(str(into), quantization=quantization, force=True)
    except Exception as err:  # the converter raises whatever torch/transformers raise
        raise ModelConversionError(
            f"converting {known.name} ({known.repo_id}) failed: {type(err).__name__}: {err}",
            hint="check that torch and transformers are installed and recent "
            "(`pip install 'warta[convert]'`), then pull again",
            name=known.name,
            path=str(source),
        ) from err
    for name in spm_files(known.family):
        if not (into / name).is_file():
            raise ModelConversionError(
                f"the converted {known.name} lacks {name}",
                hint="report this: the catalogue's copy_files should include it",
                name=known.name,
            )
    return f"ctranslate2 {ctranslate2.__version__} TransformersConverter"


def _max_positions(checkpoint: Path) -> int | None:
    """Learned/sinusoidal position table size from the checkpoint's config (None: relative)."""
    try:
        config = json.loads((checkpoint / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("max_position_embeddings") if isinstance(config, dict) else None
    return value if isinstance(value, int) and value > 0 else None


def _silent_tqdm() -> Any:
    """A tqdm class that never draws (huggingface_hub wants a class, not a flag)."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    class SilentTqdm(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return SilentTqdm
