"""`warta engines add|list|test|usage|enable` and `warta routes set|list`: which engine translates
into which language for which site, with what fallback, at what cost.

Engines and routes may also come from the TOML file named by ``WARTA_ENGINES_FILE``
(:func:`warta.engines.setup.load_settings_file`); what these commands store in the database wins
over the file for the same engine name, or the same site and language.
"""

from __future__ import annotations

import time

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.engines.base import Engine
from warta.engines.setup import (
    DEFAULT_ENGINE,
    ENGINE_KINDS,
    EngineConfig,
    RouteConfig,
    check_engine,
    check_route,
    environment,
)
from warta.errors import EngineError, FieldError, NotFoundError, UnknownLanguageError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang, parse_lang
from warta.store.engines import EngineStore

TEST_SENTENCE = "Pemerintah kota mengumumkan jadwal baru untuk angkutan umum pada hari Senin."
_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def _store(app: AppContext) -> EngineStore:
    return EngineStore(app.services.db)


def _configured(app: AppContext, name: str) -> EngineConfig:
    configs, _ = app.services.engine.configuration()
    for config in configs:
        if config.name == name:
            return config
    if name == DEFAULT_ENGINE:
        return EngineConfig(name=DEFAULT_ENGINE, kind="ctranslate2", source="built in")
    raise NotFoundError(
        f"no engine named {name!r}",
        hint="list engines with `warta engines list`, add one with `warta engines add`",
        engine=name,
    )


@click.group()
def engines() -> None:
    """Translation engines: local models, LLM servers, DeepL, Google, LibreTranslate."""


@engines.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="One of " + "|".join(ENGINE_KINDS) + ".")
@click.option("--url", default="", help="Server URL (openai: http://HOST:PORT/v1).")
@click.option("--model", default="", help="Model name the server knows (LLMs, Google v3).")
@click.option(
    "--key-env",
    default="",
    metavar="VAR",
    help="Name of the environment variable holding the key (never the key itself).",
)
@click.option("--concurrency", type=int, default=4, show_default=True)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds.")
@click.option("--monthly-cap", type=int, default=None, metavar="CHARS", help="Per site.")
@pass_app
def add(
    app: AppContext,
    name: str,
    kind: str,
    url: str,
    model: str,
    key_env: str,
    concurrency: int,
    timeout: float,
    monthly_cap: int | None,
) -> None:
    """Configure an engine (checked first: nothing is stored if it cannot work)."""
    with handled(app):
        config = check_engine(
            EngineConfig(
                name=name,
                kind=kind.strip().lower(),
                url=url.rstrip("/"),
                model=model,
                key_env=key_env,
                concurrency=concurrency,
                timeout=timeout,
                monthly_cap_chars=monthly_cap,
            ),
            env=environment(),
        )
        stored = _store(app).add(config)
    app.err.print(f"added engine {stored.name} ({stored.kind})", highlight=False)


@engines.command("list")
@_FORMAT
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """Every engine (settings file and database), its limits and whether it is enabled."""
    with handled(app):
        configs, _ = app.services.engine.configuration()
    if fmt == "json":
        echo_json([c.to_dict() for c in configs])
        return
    env = environment()
    print_table(
        app.out,
        title="engines",
        columns=["name", "kind", "url", "model", "key", "limits", "status", "from"],
        rows=[
            (
                c.name,
                c.kind,
                c.url,
                c.model,
                ""
                if not c.key_env
                else f"{c.key_env} ({'set' if env.get(c.key_env) else 'NOT SET'})",
                f"{c.concurrency} at once, {c.timeout:g} s"
                + (f", {c.monthly_cap_chars:,} chars/month" if c.monthly_cap_chars else ""),
                f"disabled: {c.disabled_reason}" if c.disabled else "enabled",
                c.source,
            )
            for c in configs
        ],
    )


@engines.command("enable")
@click.argument("name")
@pass_app
def enable(app: AppContext, name: str) -> None:
    """Enable an engine disabled after a refused key (fix the key first)."""
    with handled(app):
        config = _store(app).enable(name)
    app.err.print(f"enabled engine {config.name}", highlight=False)


@engines.command("test")
@click.argument("name")
@click.option("--target", "code", default="en", show_default=True, metavar="LANG")
@pass_app
def test(app: AppContext, name: str, code: str) -> None:
    """Translate one test sentence with the engine; prints the latency and the output."""
    with handled(app):
        target = _target(code)
        config = _configured(app, name)
        engine = _engine(app, config)
        started = time.perf_counter()
        try:
            out = engine.translate([TEST_SENTENCE], source=SOURCE_LANG, target=target)
        except EngineError:
            _store(app).record_usage(engine=config.name, site=None, errors=1)
            raise
        finally:
            close = getattr(engine, "close", None)
            if config.kind != "ctranslate2" and callable(close):
                close()  # the remote client's connections
        elapsed = time.perf_counter() - started
        _store(app).record_usage(
            engine=config.name, site=None, characters=len(TEST_SENTENCE), requests=1
        )
    app.out.print(f"{config.name}: {elapsed * 1000:.0f} ms", highlight=False)
    app.out.print(f"id: {TEST_SENTENCE}", highlight=False)
    app.out.print(f"{target.value}: {out[0].text if out else ''}", highlight=False)


def _engine(app: AppContext, config: EngineConfig) -> Engine:
    if config.kind == "ctranslate2":
        return app.services.engine.local()
    from warta.engines.build import build_remote

    return build_remote(config, env=environment())


@engines.command("usage")
@click.option("--site", default=None, help="Only this site.")
@click.option("--days", type=int, default=30, show_default=True)
@_FORMAT
@pass_app
def usage(app: AppContext, site: str | None, days: int, fmt: str) -> None:
    """Characters, tokens, requests and errors per engine, site and day."""
    with handled(app):
        rows = _store(app).usage(site=site, days=days)
    if fmt == "json":
        echo_json([u.to_dict() for u in rows])
        return
    print_table(
        app.out,
        title=f"engine usage, last {days} day(s)" + (f", site {site}" if site else ""),
        columns=[
            "day",
            "engine",
            "site",
            "characters",
            "tokens in",
            "tokens out",
            "requests",
            "errors",
        ],
        rows=[
            (
                u.day.isoformat(),
                u.engine,
                u.site or "-",
                f"{u.characters:,}",
                f"{u.input_tokens:,}",
                f"{u.output_tokens:,}",
                u.requests,
                u.errors,
            )
            for u in rows
        ],
    )


def _target(code: str) -> Lang:
    lang = parse_lang(code)
    if lang is SOURCE_LANG:
        raise UnknownLanguageError(
            code,
            message=f"cannot translate into {code!r}: Indonesian is the source language",
            hint="name one of " + ", ".join(t.value for t in TARGET_LANGS),
        )
    return lang


@click.group()
def routes() -> None:
    """Which engine translates into which language, per site, and its fallback chain."""


@routes.command("set")
@click.option("--target", "code", required=True, metavar="LANG")
@click.option("--engine", "engine_name", required=True, metavar="NAME")
@click.option("--fallback", multiple=True, metavar="NAME", help="Repeat, in order.")
@click.option("--site", default=None, help="Only this site (default: every site).")
@pass_app
def set_(
    app: AppContext, code: str, engine_name: str, fallback: tuple[str, ...], site: str | None
) -> None:
    """Route Indonesian→LANG to an engine, with fallbacks (`ctranslate2`: the local models)."""
    with handled(app):
        configs, _ = app.services.engine.configuration()
        route = check_route(
            RouteConfig(lang=_target(code), engine=engine_name, fallback=fallback, site=site),
            engines=[c.name for c in configs],
        )
        if site is not None:
            try:
                app.services.store.get_site(site)
            except NotFoundError as exc:  # bad input (exit 2), not a failure
                raise FieldError(exc.message, hint=exc.hint, field="site") from exc
        stored = _store(app).set_route(route)
    app.err.print(
        f"{stored.site or 'every site'}: id→{stored.lang.value} by {' → '.join(stored.chain)}",
        highlight=False,
    )


@routes.command("list")
@_FORMAT
@pass_app
def routes_list(app: AppContext, fmt: str) -> None:
    """Every route (settings file and database); languages without one use `ctranslate2`."""
    with handled(app):
        _, configured = app.services.engine.configuration()
    if fmt == "json":
        echo_json([r.to_dict() for r in configured])
        return
    print_table(
        app.out,
        title="routes",
        columns=["site", "target", "engine", "fallback", "from"],
        rows=[
            (r.site or "(every site)", r.lang.value, r.engine, " → ".join(r.fallback), r.source)
            for r in configured
        ],
    )


COMMANDS = (engines, routes)
