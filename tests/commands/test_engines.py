"""`warta engines ...` and `warta routes ...`: configuration that is checked before it is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from warta.cli import cli


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner(env={"COLUMNS": "200", "DEEPL_TEST_KEY": "secret-key-value"})

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            cli, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False, env=env
        )

    assert invoke("sites", "create", "demo").exit_code == 0
    return invoke


def engines(run) -> list[dict[str, object]]:
    result = run("engines", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def routes(run) -> list[dict[str, object]]:
    result = run("routes", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_an_engine_and_a_route_with_fallbacks_are_stored_and_listed(run):
    added = run(
        "engines", "add", "local-llm", "--kind", "openai", "--url", "http://127.0.0.1:8000/v1",
        "--model", "qwen2.5-7b-instruct", "--concurrency", "8", "--monthly-cap", "1000000",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    added = run("engines", "add", "deepl", "--kind", "deepl", "--key-env", "DEEPL_TEST_KEY")
    assert added.exit_code == 0, added.output

    result = run(
        "routes", "set", "--target", "ja", "--engine", "local-llm",
        "--fallback", "deepl", "--fallback", "ctranslate2", "--site", "demo",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "demo: id→ja by local-llm → deepl → ctranslate2" in result.stderr
    listed = {e["name"]: e for e in engines(run)}
    assert listed["local-llm"]["concurrency"] == 8
    assert listed["local-llm"]["monthly_cap_chars"] == 1000000
    assert listed["deepl"]["key_env"] == "DEEPL_TEST_KEY"
    assert "secret-key-value" not in json.dumps(listed)  # the key is never stored or shown
    assert routes(run) == [
        {
            "site": "demo",
            "lang": "ja",
            "engine": "local-llm",
            "fallback": ["deepl", "ctranslate2"],
            "source": "database",
        }
    ]
    table = run("engines", "list").stdout
    assert "DEEPL_TEST_KEY (set)" in table


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        # a kind warta has no client for
        (
            ("engines", "add", "x", "--kind", "bing"),
            "unknown engine kind 'bing'",
            "ctranslate2|openai|deepl|google|libretranslate",
        ),
        # the key's variable is named but not set
        (
            ("engines", "add", "d", "--kind", "deepl", "--key-env", "NOT_SET_ANYWHERE"),
            "NOT_SET_ANYWHERE (the key of engine d) is not set",
            "export NOT_SET_ANYWHERE=",
        ),
        # DeepL without a key at all
        (("engines", "add", "d", "--kind", "deepl"), "needs a key", "--key-env VAR"),
        # an LLM server without its URL
        (("engines", "add", "l", "--kind", "openai"), "needs the server's URL", "--url"),
        # a route naming an engine nobody added
        (
            ("routes", "set", "--target", "ja", "--engine", "nope"),
            "unknown engine 'nope'",
            "warta engines add nope",
        ),
        # Indonesian is the source
        (
            ("routes", "set", "--target", "id", "--engine", "ctranslate2"),
            "Indonesian is the source",
            "en, zh, ja, ar, fr",
        ),
        # a site that does not exist
        (
            ("routes", "set", "--target", "ja", "--engine", "ctranslate2", "--site", "ghost"),
            "no site 'ghost'",
            "warta sites create ghost",
        ),
    ],
    ids=["kind", "key-env-unset", "no-key", "no-url", "route-engine", "target-id", "site"],
)
def test_bad_configuration_exits_2_with_the_fix_and_stores_nothing(run, args, message, fix):
    result = run(*args)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert fix in result.stderr
    assert engines(run) == []
    assert routes(run) == []


def test_engines_test_prints_latency_and_output_and_counts_usage(run, tmp_path):
    # No model is registered: the local engine says so, exit 1, and the error is counted.
    result = run("engines", "test", "ctranslate2", "--target", "en")
    assert result.exit_code == 1
    assert "no model" in result.stderr.lower() or "model" in result.stderr.lower()

    usage = json.loads(run("engines", "usage", "--format", "json").stdout)
    assert [(u["engine"], u["site"], u["errors"]) for u in usage] == [("ctranslate2", None, 1)]


def test_enable_clears_a_disabled_engine(run, tmp_path):
    from warta.config import Settings
    from warta.services import build_services
    from warta.store.engines import EngineStore

    assert (
        run("engines", "add", "deepl", "--kind", "deepl", "--key-env", "DEEPL_TEST_KEY").exit_code
        == 0
    )
    services = build_services(Settings(home=tmp_path / "home"))
    try:
        EngineStore(services.db).disable("deepl", reason="403 Forbidden: wrong key")
    finally:
        services.close()
    assert "disabled: 403 Forbidden: wrong key" in run("engines", "list").stdout

    result = run("engines", "enable", "deepl")

    assert result.exit_code == 0, result.output
    (listed,) = engines(run)
    assert (listed["disabled_at"], listed["disabled_reason"]) == (None, "")


def test_the_settings_file_adds_engines_and_routes_the_database_overrides(run, tmp_path):
    path = tmp_path / "engines.toml"
    path.write_text(
        '[engines.vllm]\nkind = "openai"\nurl = "http://127.0.0.1:8000/v1"\nmodel = "m"\n\n'
        '[[routes]]\ntarget = "ja"\nengine = "vllm"\nfallback = ["ctranslate2"]\n',
        encoding="utf-8",
    )
    env = {"WARTA_ENGINES_FILE": str(path)}
    listed = json.loads(run("engines", "list", "--format", "json", env=env).stdout)
    assert [(e["name"], e["source"]) for e in listed] == [("vllm", "settings file")]
    result = run("routes", "set", "--target", "ja", "--engine", "ctranslate2", env=env)
    assert result.exit_code == 0, result.output

    listed_routes = json.loads(run("routes", "list", "--format", "json", env=env).stdout)

    assert [(r["lang"], r["engine"], r["source"]) for r in listed_routes] == [
        ("ja", "ctranslate2", "database")
    ]


def test_engines_test_translates_one_sentence_through_the_server(run):
    from warta.engines.remote.testing import openai_server

    with openai_server() as server:
        url = server.url + "/v1"
        assert run("engines", "add", "llm", "--kind", "openai", "--url", url).exit_code == 0

        result = run("engines", "test", "llm", "--target", "ja")

        assert result.exit_code == 0, result.output
        assert len(server.requests) == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("llm: ")
    assert lines[0].endswith(" ms")
    assert lines[1].startswith("id: Pemerintah kota")
    assert lines[2].startswith("ja: ")
    assert len(lines[2]) > 10
    usage = json.loads(run("engines", "usage", "--format", "json").stdout)
    assert [(u["engine"], u["requests"]) for u in usage] == [("llm", 1)]
