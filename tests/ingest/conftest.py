"""Shared fixtures for the ingest tests: one Validator (its language models load once), the
shipped IndoSum sample and FLORES-101 sentences."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import warta
from warta.ingest.validate import Validator

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(warta.__file__).resolve().parent / "demo" / "indosum-sample.jsonl"
FLORES = ROOT / "data" / "flores101-dev"


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator(max_bytes=512 * 1024, min_confidence=0.5)


@pytest.fixture(scope="session")
def indosum_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def flores() -> Callable[..., str]:
    """``flores(lang, start=0, stop=40)``: FLORES-101 dev sentences ``start:stop``, space-joined."""

    def sentences(lang: str, start: int = 0, stop: int = 40) -> str:
        lines = (FLORES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        return " ".join(lines[start:stop])

    return sentences


@pytest.fixture(scope="session")
def indonesian_paragraphs(indosum_rows: list[dict[str, object]]) -> list[str]:
    """Real Indonesian news paragraphs (the first two articles of the IndoSum sample)."""
    out: list[str] = []
    for row in indosum_rows[:2]:
        value = row["paragraphs"]
        assert isinstance(value, list)
        out.extend(str(p) for p in value)
    return out
