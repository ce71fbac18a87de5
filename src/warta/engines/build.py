"""Configured engine -> engine object, for the router: the remote clients of
:mod:`warta.engines.remote` (imported only when a route needs one), with their keys from
``key_env`` or the secrets file, and their usage reported to the router.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from warta.engines.base import Engine, UsageCallback
from warta.engines.setup import EngineConfig


def build_remote(
    config: EngineConfig,
    *,
    on_usage: UsageCallback | None = None,
    env: Mapping[str, str] | None = None,
    secrets_file: Path | None = None,
) -> Engine:
    """The client of a remote engine (openai, deepl, google, libretranslate).

    Raises ConfigError when it cannot work (no key where one is required, no URL); the router
    then disables the engine with that reason.
    """
    from warta.engines import remote

    keys = (
        remote.KeySource(secrets_file=secrets_file)
        if env is None
        else remote.KeySource(secrets_file=secrets_file, environ=env)
    )
    return remote.build_remote(config, keys=keys, on_usage=on_usage)
