"""Engines looked up by name, without importing CTranslate2 until asked."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warta.engines.fake import FakeEngine
from warta.engines.registry import engine_class, engine_names
from warta.errors import ConfigError


def test_names_resolve_to_classes() -> None:
    from warta.engines.ctranslate2 import CTranslate2Engine

    assert engine_names() == ("ctranslate2", "fake")
    assert engine_class("fake") is FakeEngine
    assert engine_class("ctranslate2") is CTranslate2Engine


def test_unknown_engine_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown engine 'argos'") as caught:
        engine_class("argos")
    assert "ctranslate2, fake" in caught.value.hint


def test_registry_models_and_fake_do_not_import_the_runtime() -> None:
    code = (
        "import sys\n"
        "import warta.engines.registry, warta.engines.models, warta.engines.fake\n"
        "import warta.engines.catalog, warta.engines.families, warta.engines.alignment\n"
        "heavy = [m for m in ('ctranslate2', 'sentencepiece', 'huggingface_hub', 'torch')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
