"""Engine and route configuration: checks, the settings file, merging, which route applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.engines.setup import (
    EngineConfig,
    RouteConfig,
    check_engine,
    check_route,
    load_settings_file,
    merge,
    merge_routes,
    route_for,
)
from warta.errors import ConfigError, FieldError
from warta.languages import Lang


def test_a_key_is_named_never_given() -> None:
    with pytest.raises(FieldError, match="never the key itself"):
        check_engine(
            EngineConfig(name="d", kind="deepl", key_env="abc-123:fx"), env={"abc-123:fx": "x"}
        )
    ok = check_engine(EngineConfig(name="d", kind="deepl", key_env="DEEPL"), env={"DEEPL": "k"})
    assert "k" not in str(ok.to_dict().values())


def test_a_route_names_each_engine_once_and_only_configured_ones() -> None:
    with pytest.raises(FieldError, match="names an engine twice"):
        check_route(RouteConfig(lang=Lang.JA, engine="a", fallback=("a",)), engines=["a"])
    route = RouteConfig(lang=Lang.JA, engine="a", fallback=("ctranslate2",))
    assert check_route(route, engines=["a"]) == route


def test_the_site_route_wins_over_the_route_for_every_site() -> None:
    general = RouteConfig(lang=Lang.JA, engine="a")
    own = RouteConfig(lang=Lang.JA, engine="b", site="kompas")
    routes = [own, general]
    assert route_for(routes, site="kompas", lang=Lang.JA) == own
    assert route_for(routes, site="tempo", lang=Lang.JA) == general
    assert route_for(routes, site=None, lang=Lang.JA) == general
    assert route_for(routes, site="kompas", lang=Lang.EN) is None


def test_the_database_wins_over_the_settings_file() -> None:
    file = [EngineConfig(name="a", kind="openai", url="http://f"), EngineConfig(name="b", kind="x")]
    db = [EngineConfig(name="a", kind="openai", url="http://db")]
    assert [(e.name, e.url) for e in merge(database=db, file=file)] == [
        ("b", ""),
        ("a", "http://db"),
    ]
    file_routes = [RouteConfig(lang=Lang.JA, engine="a"), RouteConfig(lang=Lang.ZH, engine="a")]
    db_routes = [RouteConfig(lang=Lang.JA, engine="b")]
    merged = merge_routes(database=db_routes, file=file_routes)
    assert [(r.lang, r.engine) for r in merged] == [(Lang.ZH, "a"), (Lang.JA, "b")]


def test_the_settings_file_is_read_and_its_mistakes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "engines.toml"
    path.write_text(
        '[engines.vllm]\nkind = "openai"\nurl = "http://127.0.0.1:8000/v1"\n'
        'model = "Qwen/Qwen2.5-7B-Instruct"\nconcurrency = 8\nmonthly_cap_chars = 1000\n\n'
        '[[routes]]\ntarget = "ja"\nengine = "vllm"\nfallback = ["ctranslate2"]\nsite = "k"\n',
        encoding="utf-8",
    )
    loaded = load_settings_file(path)
    (engine,) = loaded.engines
    assert (engine.name, engine.concurrency, engine.monthly_cap_chars) == ("vllm", 8, 1000)
    assert loaded.routes == (
        RouteConfig(
            lang=Lang.JA,
            engine="vllm",
            fallback=("ctranslate2",),
            site="k",
            source="settings file",
        ),
    )
    assert load_settings_file(None).engines == ()

    path.write_text('[[routes]]\ntarget = "ja"\nengine = "nope"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown engine 'nope'"):
        load_settings_file(path)
    path.write_text('[engines.x]\nkind = "bing"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown engine kind 'bing'"):
        load_settings_file(path)
    path.write_text(
        '[engines.x]\nkind = "openai"\nurl = "http://x"\ncolour = 1\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="unknown settings: colour"):
        load_settings_file(path)
