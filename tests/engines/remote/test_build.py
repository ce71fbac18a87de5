"""Building remote engines from configurations, and where their keys come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warta.engines.base import Engine
from warta.engines.remote import (
    DeepLEngine,
    KeySource,
    OpenAIEngine,
    RemoteSettings,
    build_remote,
    parse_retry_after,
    redact,
)
from warta.engines.remote._common import from_wire, to_wire
from warta.errors import ConfigError


def test_the_environment_variable_wins_over_the_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('deepl-main = "from-file:fx"\n')
    keys = KeySource(secrets_file=secrets, environ={"DEEPL_KEY": "from-env:fx"})
    assert keys.key("deepl-main", key_env="DEEPL_KEY") == "from-env:fx"
    assert keys.key("deepl-main", key_env="UNSET") == "from-file:fx"
    assert keys.key("other", key_env="UNSET") is None


def test_a_json_secrets_file_is_read(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"g": "json-key"}))
    assert KeySource(secrets_file=secrets, environ={}).key("g") == "json-key"


def test_a_broken_secrets_file_is_a_config_error_that_does_not_quote_it(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('deepl = "super-secret-value\n')
    with pytest.raises(ConfigError) as caught:
        KeySource(secrets_file=secrets, environ={}).key("deepl")
    assert "super-secret" not in str(caught.value.to_dict())


def test_a_missing_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        KeySource(secrets_file=tmp_path / "nope.toml", environ={}).key("x")


def test_build_makes_the_client_of_the_kind_with_its_key() -> None:
    config = RemoteSettings(name="deepl-main", kind="deepl", key_env="DEEPL_KEY")
    with build_remote(config, keys=KeySource(environ={"DEEPL_KEY": "abc:fx"})) as engine:
        assert isinstance(engine, DeepLEngine)
        assert isinstance(engine, Engine)
        assert engine.url == "https://api-free.deepl.com"


def test_a_missing_required_key_is_a_config_error_naming_the_variable() -> None:
    config = RemoteSettings(name="deepl-main", kind="deepl", key_env="DEEPL_KEY")
    with pytest.raises(ConfigError, match=r"\$DEEPL_KEY") as caught:
        build_remote(config, keys=KeySource(environ={}))
    assert caught.value.context["engine"] == "deepl-main"


def test_a_self_hosted_llm_needs_a_url_but_no_key() -> None:
    with pytest.raises(ConfigError, match="no URL"):
        build_remote(RemoteSettings(name="llm", kind="openai"), keys=KeySource(environ={}))
    config = RemoteSettings(name="llm", kind="openai", url="http://127.0.0.1:1/v1", model="m")
    with build_remote(config, keys=KeySource(environ={})) as engine:
        assert isinstance(engine, OpenAIEngine)


def test_an_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a remote engine kind"):
        build_remote(RemoteSettings(name="x", kind="ctranslate2"))


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Fri, 04 Dec 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


def test_redact_hides_every_secret() -> None:
    assert redact("key=abcd1234 and abcd1234", ["abcd1234"]) == "key=[redacted] and [redacted]"


def test_tagged_text_goes_to_html_and_back_unchanged() -> None:
    tagged = "A <x1>b &amp; c</x1> {0} d<x2/> <x3>e <x4>f</x4></x3> {12}."
    wire = to_wire(tagged)
    assert wire == (
        'A <span id="x1">b &amp; c</span> <ph id="0"/> d<ph id="x2"/> '
        '<span id="x3">e <span id="x4">f</span></span> <ph id="12"/>.'
    )
    assert from_wire(wire) == tagged


def test_html_answers_in_other_spellings_are_read() -> None:
    answer = "<span id='x1' class='notranslate'>b</span> <ph id=\"0\"></ph> <span>c</span> <b>d</b>"
    assert from_wire(answer) == "<x1>b</x1> {0} c d"


def test_public_options_keep_max_tokens_but_not_keys() -> None:
    from warta.engines.remote._common import public_options

    options = {"max_tokens": 1, "api_key": "x", "auth_token": "y", "glossary_id": "g"}
    assert public_options(options) == {"glossary_id": "g", "max_tokens": 1}
