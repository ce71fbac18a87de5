"""Fixtures for the quality tests: the FLORES-101 dev set and one estimator per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.quality.estimator import QualityEstimator
from warta.quality.flores import ParallelCorpus, load_flores

DATA = Path(__file__).resolve().parents[2] / "data"
FLORES = DATA / "flores101-dev"


@pytest.fixture(scope="session")
def flores() -> ParallelCorpus:
    """All 997 lines of FLORES-101 dev in id, en, zh, ja, ar, fr."""
    return load_flores(FLORES)


@pytest.fixture(scope="session")
def estimator() -> QualityEstimator:
    """Shared so that lingua's models load once per test session."""
    return QualityEstimator()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real CTranslate2 model directory with random weights (its output is gibberish)."""
    from warta.engines.testing import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("quality-tiny") / "model")
