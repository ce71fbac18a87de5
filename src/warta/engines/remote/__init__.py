"""Remote translation engines: LLM servers and translation APIs behind the
:class:`~warta.engines.base.Engine` protocol.

Public surface::

    build_remote(config, *, keys=None, on_usage=None, ...) -> RemoteEngine
    KINDS                      kind -> class ("openai", "deepl", "google", "libretranslate")
    KeySource                  keys from $key_env or the secrets file
    RemoteSettings             a configuration made on the spot (CLI options)
    RetryPolicy                attempts and backoff of the shared HTTP layer

Every remote engine describes itself with ``markup="tags"``: the pipeline sends tagged text
(:func:`warta.text.tags.to_tagged`) and reads it back (:func:`warta.text.tags.finish_tagged`).
Test doubles of each API's server: :mod:`warta.engines.remote.testing`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

from warta.engines.base import UsageCallback
from warta.engines.remote._common import RemoteConfig, RemoteEngine, RemoteSettings
from warta.engines.remote._http import RetryPolicy, parse_retry_after, redact
from warta.engines.remote._keys import KeySource
from warta.engines.remote.deepl import DeepLEngine
from warta.engines.remote.google import GoogleEngine
from warta.engines.remote.libretranslate import LibreTranslateEngine
from warta.engines.remote.openai import OpenAIEngine
from warta.errors import ConfigError

KINDS: Mapping[str, type[RemoteEngine]] = {
    "openai": OpenAIEngine,
    "deepl": DeepLEngine,
    "google": GoogleEngine,
    "libretranslate": LibreTranslateEngine,
}
KEY_REQUIRED = frozenset({"deepl", "google"})

__all__ = [
    "KEY_REQUIRED",
    "KINDS",
    "DeepLEngine",
    "GoogleEngine",
    "KeySource",
    "LibreTranslateEngine",
    "OpenAIEngine",
    "RemoteConfig",
    "RemoteEngine",
    "RemoteSettings",
    "RetryPolicy",
    "build_remote",
    "parse_retry_after",
    "redact",
]


def build_remote(
    config: RemoteConfig,
    *,
    keys: KeySource | None = None,
    on_usage: UsageCallback | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RemoteEngine:
    """The engine for ``config`` (its ``kind`` picks the client).

    Raises ConfigError for an unknown kind, a kind that needs a URL without one, or a kind that
    needs a key without one (the router then disables the engine and says why).
    """
    cls = KINDS.get(config.kind)
    if cls is None:
        raise ConfigError(
            f"engine {config.name}: {config.kind!r} is not a remote engine kind",
            hint="use one of " + ", ".join(KINDS),
            engine=config.name,
        )
    source = keys if keys is not None else KeySource()
    key = source.key(config.name, key_env=config.key_env)
    if key is None and config.kind in KEY_REQUIRED:
        where = f"${config.key_env}" if config.key_env else "no key_env"
        raise ConfigError(
            f"engine {config.name} ({config.kind}) has no key ({where}, and none in the "
            "secrets file)",
            hint=f"export {config.key_env or 'a variable'} with the key and name it with "
            "--key-env, or add it to the file WARTA_ENGINE_SECRETS_FILE names",
            engine=config.name,
        )
    if config.kind in ("openai", "libretranslate") and not config.url:
        raise ConfigError(
            f"engine {config.name} ({config.kind}) has no URL",
            hint="give the server's address with --url, e.g. http://localhost:8000/v1 for vLLM",
            engine=config.name,
        )
    return cls(
        name=config.name,
        url=config.url,
        model=config.model,
        key=key,
        options=config.options,
        concurrency=config.concurrency,
        timeout=config.timeout,
        retry=retry,
        on_usage=on_usage,
        transport=transport,
        sleep=sleep,
    )
