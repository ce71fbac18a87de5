"""Engine names → implementations, resolved lazily.

The table holds ``"module:Class"`` strings, so importing this module (as the web process does to
validate settings) never imports CTranslate2; only :func:`engine_class` does, when asked for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import cast

from warta.engines.base import Engine
from warta.errors import ConfigError

ENGINES: Mapping[str, str] = {
    "ctranslate2": "warta.engines.ctranslate2:CTranslate2Engine",
    "fake": "warta.engines.fake:FakeEngine",
}


def engine_names() -> tuple[str, ...]:
    return tuple(ENGINES)


def engine_class(name: str) -> type[Engine]:
    """Import and return the engine class registered as ``name``."""
    target = ENGINES.get(name)
    if target is None:
        raise ConfigError(
            f"unknown engine {name!r}", hint="use one of " + ", ".join(ENGINES), engine=name
        )
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ConfigError(
            f"the {name} engine cannot be imported: {err}",
            hint="install its runtime: pip install ctranslate2 sentencepiece",
            engine=name,
        ) from err
    return cast("type[Engine]", getattr(module, attribute))
