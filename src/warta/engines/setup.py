"""Configured engines and routes: the records, their validation, and the settings file.

An *engine* here is a named, configured translation service (``kind`` says which client:
CTranslate2 on the registered models, or a remote API); a *route* says which engine translates
Indonesian into one language, for one site or for every site (``site`` None), and which engines
to fall back on, in order. Pure: no I/O except :func:`load_settings_file`, which reads the TOML
file named by ``WARTA_ENGINES_FILE``.

Where both configure something, the database wins: an engine in the database replaces the file's
engine of the same name, and a database route replaces the file's route for the same site and
language (see :func:`merge`). Keys are never part of a configuration: ``key_env`` names the
environment variable that holds one.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from warta.errors import ConfigError, FieldError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang

ENGINE_KINDS: tuple[str, ...] = ("ctranslate2", "openai", "deepl", "google", "libretranslate")
# Kinds that cannot work without a key; the others (self-hosted LLM servers, LibreTranslate,
# the local models) take one only if the server asks for it.
KEY_REQUIRED: frozenset[str] = frozenset({"deepl", "google"})
URL_REQUIRED: frozenset[str] = frozenset({"openai", "libretranslate"})
DEFAULT_ENGINE = "ctranslate2"  # the name of the implicit engine on the registered models
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """One configured engine. ``monthly_cap_chars``: characters it may be sent per calendar
    month (UTC) for each site; None: no cap."""

    name: str
    kind: str
    url: str = ""
    model: str = ""
    key_env: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    concurrency: int = 4
    timeout: float = 60.0
    monthly_cap_chars: int | None = None
    disabled_at: datetime | None = None
    disabled_reason: str = ""
    source: str = "database"  # or "settings file"

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def to_dict(self) -> dict[str, object]:
        """For ``--format json`` and the desk; holds the key's variable name, never a key."""
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "model": self.model,
            "key_env": self.key_env,
            "options": dict(self.options),
            "concurrency": self.concurrency,
            "timeout": self.timeout,
            "monthly_cap_chars": self.monthly_cap_chars,
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
            "disabled_reason": self.disabled_reason,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """Engine and fallback chain for Indonesian into ``lang``; ``site`` None: every site."""

    lang: Lang
    engine: str
    fallback: tuple[str, ...] = ()
    site: str | None = None
    source: str = "database"

    @property
    def chain(self) -> tuple[str, ...]:
        return (self.engine, *self.fallback)

    def to_dict(self) -> dict[str, object]:
        return {
            "site": self.site,
            "lang": self.lang.value,
            "engine": self.engine,
            "fallback": list(self.fallback),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class UsageDay:
    """What one engine was sent for one site (None: no site, e.g. ``engines test``) on a day."""

    engine: str
    site: str | None
    day: date
    characters: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    errors: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "site": self.site,
            "day": self.day.isoformat(),
            "characters": self.characters,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "requests": self.requests,
            "errors": self.errors,
        }


def check_engine(config: EngineConfig, *, env: Mapping[str, str]) -> EngineConfig:
    """The configuration if it can work; FieldError naming the fix otherwise.

    ``env`` is the environment the workers will read keys from (``os.environ``).
    """
    if not _NAME.fullmatch(config.name):
        raise FieldError(
            f"engine name {config.name!r} is not a name",
            hint="use lower-case letters, digits, '-', '_' or '.', e.g. `deepl-pro`",
            field="name",
        )
    if config.kind not in ENGINE_KINDS:
        raise FieldError(
            f"unknown engine kind {config.kind!r}",
            hint="use --kind " + "|".join(ENGINE_KINDS),
            field="kind",
            engine=config.name,
        )
    if config.kind in URL_REQUIRED and not config.url:
        raise FieldError(
            f"a {config.kind} engine needs the server's URL",
            hint="pass --url, e.g. --url http://localhost:8000/v1",
            field="url",
            engine=config.name,
        )
    if config.url and not re.match(r"https?://[^\s/]+", config.url):
        raise FieldError(
            f"{config.url!r} is not an http(s) URL",
            hint="pass --url http://HOST[:PORT][/PATH]",
            field="url",
            engine=config.name,
        )
    if config.key_env and not _ENV.fullmatch(config.key_env):
        raise FieldError(
            f"{config.key_env!r} is not an environment variable name",
            hint="pass the NAME of the variable that holds the key (--key-env DEEPL_KEY), "
            "never the key itself",
            field="key_env",
            engine=config.name,
        )
    if config.kind in KEY_REQUIRED and not config.key_env:
        raise FieldError(
            f"a {config.kind} engine needs a key",
            hint="export the key in an environment variable and pass its name with --key-env VAR",
            field="key_env",
            engine=config.name,
        )
    if config.key_env and not env.get(config.key_env):
        raise FieldError(
            f"the environment variable {config.key_env} (the key of engine {config.name}) "
            "is not set",
            hint=f"export {config.key_env}=YOUR-KEY in the environment of warta and its workers",
            field="key_env",
            engine=config.name,
        )
    if config.concurrency < 1 or config.timeout <= 0:
        raise FieldError(
            f"engine {config.name}: concurrency must be at least 1 and timeout above 0",
            hint="pass e.g. --concurrency 4 --timeout 60",
            field="concurrency" if config.concurrency < 1 else "timeout",
            engine=config.name,
        )
    if config.monthly_cap_chars is not None and config.monthly_cap_chars < 1:
        raise FieldError(
            f"engine {config.name}: a monthly cap must be at least one character",
            hint="pass --monthly-cap CHARS with CHARS >= 1, or leave it out for no cap",
            field="monthly_cap_chars",
            engine=config.name,
        )
    return config


def check_route(route: RouteConfig, *, engines: Iterable[str]) -> RouteConfig:
    """The route if its language is a target and every engine in its chain is configured."""
    if route.lang is SOURCE_LANG or route.lang not in TARGET_LANGS:
        raise FieldError(
            f"cannot route translation into {route.lang.value!r}: Indonesian is the source",
            hint="pass --target one of " + ", ".join(t.value for t in TARGET_LANGS),
            field="target",
        )
    known = set(engines) | {DEFAULT_ENGINE}
    for name in route.chain:
        if name not in known:
            raise FieldError(
                f"unknown engine {name!r} in the route to {route.lang.value}",
                hint="add it first with `warta engines add "
                f"{name} --kind KIND ...`, or use one of: " + ", ".join(sorted(known)),
                field="engine",
                engine=name,
            )
    if len(set(route.chain)) != len(route.chain):
        raise FieldError(
            f"the route to {route.lang.value} names an engine twice: {', '.join(route.chain)}",
            hint="name each engine once (the primary, then the fallbacks in order)",
            field="fallback",
        )
    return route


def merge(*, database: Sequence[EngineConfig], file: Sequence[EngineConfig]) -> list[EngineConfig]:
    """Engines from the settings file and the database; the database wins on a name."""
    names = {e.name for e in database}
    return [*(e for e in file if e.name not in names), *database]


def merge_routes(
    *, database: Sequence[RouteConfig], file: Sequence[RouteConfig]
) -> list[RouteConfig]:
    """Routes from the settings file and the database; the database wins per (site, lang)."""
    taken = {(r.site, r.lang) for r in database}
    return [*(r for r in file if (r.site, r.lang) not in taken), *database]


def route_for(routes: Sequence[RouteConfig], *, site: str | None, lang: Lang) -> RouteConfig | None:
    """The site's own route to ``lang``, else the route for every site, else None."""
    general: RouteConfig | None = None
    for route in routes:
        if route.lang is not lang:
            continue
        if route.site is not None and route.site == site:
            return route
        if route.site is None:
            general = route
    return general


@dataclass(frozen=True, slots=True)
class SettingsFile:
    engines: tuple[EngineConfig, ...] = ()
    routes: tuple[RouteConfig, ...] = ()


def load_settings_file(path: Path | None) -> SettingsFile:
    """Engines and routes from a TOML file (None: nothing). The format::

        [engines.local-llm]
        kind = "openai"
        url = "http://localhost:8000/v1"
        model = "Qwen/Qwen2.5-7B-Instruct"
        concurrency = 8

        [[routes]]
        target = "ja"
        engine = "local-llm"
        fallback = ["ctranslate2"]
        site = "kompas"        # optional: every site when left out

    Keys are not validated against the environment here (the file may be read by a process
    that translates nothing); a missing key disables the engine when it is first called.
    """
    if path is None:
        return SettingsFile()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read the engines file {path}: {exc}",
            hint="fix the file or unset WARTA_ENGINES_FILE",
            path=str(path),
        ) from exc
    engines: list[EngineConfig] = []
    for name, table in dict(data.get("engines", {})).items():
        if not isinstance(table, dict):
            raise ConfigError(f"[engines.{name}] must be a table", hint="see the README")
        known = {"kind", "url", "model", "key_env", "options", "concurrency", "timeout"}
        extra = set(table) - known - {"monthly_cap_chars"}
        if extra:
            raise ConfigError(
                f"[engines.{name}] has unknown settings: {', '.join(sorted(extra))}",
                hint="use " + ", ".join(sorted(known | {"monthly_cap_chars"})),
                path=str(path),
            )
        config = EngineConfig(
            name=str(name),
            kind=str(table.get("kind", "")),
            url=str(table.get("url", "")),
            model=str(table.get("model", "")),
            key_env=str(table.get("key_env", "")),
            options=dict(table.get("options", {})),
            concurrency=int(table.get("concurrency", 4)),
            timeout=float(table.get("timeout", 60.0)),
            monthly_cap_chars=table.get("monthly_cap_chars"),
            source="settings file",
        )
        engines.append(_checked(config, path))
    names = [e.name for e in engines]
    routes: list[RouteConfig] = []
    for table in data.get("routes", []):
        try:
            route = RouteConfig(
                lang=Lang(str(table["target"])),
                engine=str(table["engine"]),
                fallback=tuple(str(n) for n in table.get("fallback", [])),
                site=table.get("site"),
                source="settings file",
            )
            routes.append(check_route(route, engines=names))
        except (KeyError, ValueError, FieldError) as exc:
            raise ConfigError(
                f"a [[routes]] entry of {path} cannot work: {exc}",
                hint='give target = "LANG" and engine = "NAME" of a configured engine',
                path=str(path),
            ) from exc
    return SettingsFile(engines=tuple(engines), routes=tuple(routes))


def _checked(config: EngineConfig, path: Path) -> EngineConfig:
    try:
        # The key is checked when the engine is called, not when the file is read.
        return check_engine(config, env={config.key_env: "set"} if config.key_env else {})
    except FieldError as exc:
        raise ConfigError(
            f"{path}: {exc.message}", hint=exc.hint, path=str(path), engine=config.name
        ) from exc


def environment() -> Mapping[str, str]:
    """The process environment (the one place this package reads it)."""
    return os.environ
