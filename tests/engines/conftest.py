"""Engine test fixtures: real CTranslate2 models with random weights, built once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from warta.domain import RegisteredModel
from warta.engines.base import Decoding
from warta.engines.models import inspect_model_dir
from warta.languages import Lang

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="session")
def flores_id() -> list[str]:
    """The 997 Indonesian FLORES-101 dev sentences (real text, some with edge spaces)."""
    return (DATA / "flores101-dev" / "id.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, flores_id: list[str]) -> Path:
    from warta.engines.testing import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", corpus=flores_id[:400])


@pytest.fixture(scope="session")
def register(tiny_model_dir: Path) -> Callable[..., RegisteredModel]:
    """Register the tiny model (or another directory) for a pair, as the model store would."""
    info = inspect_model_dir(tiny_model_dir)

    def make(
        source: Lang = Lang.ID,
        target: Lang = Lang.EN,
        *,
        name: str = "tiny",
        path: Path | None = None,
    ) -> RegisteredModel:
        return RegisteredModel(
            name=name,
            path=str(path or tiny_model_dir),
            source=source,
            target=target,
            family=info.family,
            checksum=info.checksum,
        )

    return make


@pytest.fixture
def decoding() -> Decoding:
    return Decoding(beam_size=2, max_decoding_length=48, batch_tokens=512)
