"""The openai engine against a local OpenAI-compatible server (real HTTP, real httpx)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from warta.domain import Glossary
from warta.engines.base import EngineUsage, SegmentGroup
from warta.engines.remote import OpenAIEngine, RetryPolicy
from warta.engines.remote.testing import (
    FakeServer,
    Fault,
    OpenAIBehaviour,
    fake_translate,
    openai_server,
)
from warta.errors import (
    EngineAuthError,
    EngineRateLimitError,
    EngineResponseError,
    EngineUnavailableError,
)
from warta.languages import Lang
from warta.text.tags import markers, placeholders


@pytest.fixture
def behaviour() -> OpenAIBehaviour:
    return OpenAIBehaviour()


@pytest.fixture
def server(behaviour: OpenAIBehaviour) -> Iterator[FakeServer]:
    with openai_server(behaviour) as running:
        yield running


@pytest.fixture(autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


_OPEN: list[OpenAIEngine] = []


def engine(server: FakeServer, waits: list[float], **kwargs: object) -> OpenAIEngine:
    options = kwargs.pop("options", {})
    made = OpenAIEngine(
        name="llm",
        url=server.url + "/v1",
        model="qwen2.5-7b-instruct",
        options=options,
        retry=RetryPolicy(attempts=3, backoff=0.01),
        sleep=waits.append,
        **kwargs,
    )
    _OPEN.append(made)
    return made


def bodies(server: FakeServer) -> list[Any]:
    return [r.body for r in server.requests]


def segments_asked(server: FakeServer) -> list[int]:
    return [len(json.loads(b["messages"][-1]["content"])["segments"]) for b in bodies(server)]


def test_translates_an_article_in_one_request_keeping_tags_and_placeholders(
    server: FakeServer,
    waits: list[float],
    tagged: list[str],
    make_group: Callable[..., SegmentGroup],
) -> None:
    usage: list[EngineUsage] = []
    llm = engine(server, waits, on_usage=usage.append)
    out = llm.translate(tagged, source=Lang.ID, target=Lang.JA, groups=[make_group()] * len(tagged))
    assert len(server.requests) == 1
    assert [markers(h.text) for h in out] == [markers(t) for t in tagged]
    assert [placeholders(h.text) for h in out] == [placeholders(t) for t in tagged]
    assert all(h.text != t for h, t in zip(out, tagged, strict=True))
    assert usage[0].characters == sum(len(t) for t in tagged)
    assert usage[0].input_tokens > 0
    assert usage[0].output_tokens > 0


def test_sends_title_glossary_style_and_asks_for_a_json_schema(
    server: FakeServer,
    waits: list[float],
    tagged: list[str],
    make_group: Callable[..., SegmentGroup],
    glossary: Glossary,
) -> None:
    llm = engine(server, waits)
    group = make_group(glossary=glossary, style="Use polite form (desu/masu).")
    llm.translate(tagged, source=Lang.ID, target=Lang.JA, groups=[group] * len(tagged))
    body = bodies(server)[0]
    assert body["model"] == "qwen2.5-7b-instruct"
    assert body["temperature"] == 0.0
    assert body["response_format"]["type"] == "json_schema"
    system, user = body["messages"]
    assert "Japanese" in system["content"]
    assert "desu/masu" in system["content"]
    payload = json.loads(user["content"])
    assert payload["title"] == "Harga beras naik"
    assert payload["glossary"] == [{"source": "Jakarta", "target": "ジャカルタ"}]
    assert [s["id"] for s in payload["segments"]] == [str(i + 1) for i in range(len(tagged))]


def test_one_request_per_article_with_neighbours_as_context(
    server: FakeServer,
    waits: list[float],
    tagged: list[str],
    make_group: Callable[..., SegmentGroup],
) -> None:
    llm = engine(server, waits, options={"max_segments": 2, "context_sentences": 1})
    groups = [make_group("a")] * 3 + [make_group("b")] * (len(tagged) - 3)
    out = llm.translate(tagged, source=Lang.ID, target=Lang.EN, groups=groups)
    assert len(out) == len(tagged)
    payloads = [json.loads(b["messages"][-1]["content"]) for b in bodies(server)]
    assert sorted(len(p["segments"]) for p in payloads) == [1, 2, 2]
    second_of_a = next(p for p in payloads if p.get("context_before") and len(p["segments"]) == 1)
    assert "context_after" not in second_of_a or second_of_a["context_after"]


@pytest.mark.parametrize("answer", ["reordered", "fenced"])
def test_reordered_or_fenced_answers_are_read_by_id(
    behaviour: OpenAIBehaviour,
    server: FakeServer,
    waits: list[float],
    tagged: list[str],
    answer: str,
) -> None:
    behaviour.answer = answer
    out = engine(server, waits).translate(tagged, source=Lang.ID, target=Lang.FR)
    assert [h.text for h in out] == [fake_translate(t, "fr") for t in tagged]
    assert len(server.requests) == 1


def test_a_misaligned_answer_is_asked_again_in_halves(
    behaviour: OpenAIBehaviour, server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    behaviour.misalign_above = 1  # drops a segment whenever asked for more than one
    out = engine(server, waits).translate(tagged, source=Lang.ID, target=Lang.EN)
    assert len(out) == len(tagged)
    assert [h.text for h in out] == [fake_translate(t, "en") for t in tagged]
    assert segments_asked(server) == [5, 2, 1, 1, 3, 1, 2, 1, 1]


@pytest.mark.parametrize(
    "answer", ["partial", "duplicate", "prose", "lose_placeholder", "lose_tag", "no_choices"]
)
def test_an_answer_that_stays_unusable_raises_a_response_error(
    behaviour: OpenAIBehaviour,
    server: FakeServer,
    waits: list[float],
    tagged: list[str],
    answer: str,
) -> None:
    behaviour.answer = answer
    with pytest.raises(EngineResponseError) as caught:
        engine(server, waits).translate(tagged[:2], source=Lang.ID, target=Lang.EN)
    assert caught.value.context["engine"] == "llm"
    assert segments_asked(server)[0] == 2  # then halves, never a guess


def test_a_server_refusing_the_schema_is_asked_for_json_object_then_remembered(
    behaviour: OpenAIBehaviour, server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    behaviour.refuse_schema = True
    llm = engine(server, waits)
    llm.translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    llm.translate(tagged[1:2], source=Lang.ID, target=Lang.EN)
    forms = [b.get("response_format", {}).get("type") for b in bodies(server)]
    assert forms == ["json_schema", "json_object", "json_object"]
    assert llm.response_format == "json_object"


def test_a_server_refusing_both_forms_gets_plain_instructions(
    behaviour: OpenAIBehaviour, server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    behaviour.refuse_schema = behaviour.refuse_json_object = True
    out = engine(server, waits).translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert out[0].text
    assert "response_format" not in bodies(server)[-1]


def test_a_wrong_key_is_an_auth_error_not_retried_and_never_shown(
    behaviour: OpenAIBehaviour, server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    behaviour.key = "sk-right-key-1234"
    llm = engine(server, waits, key="sk-wrong-key-9876")
    with pytest.raises(EngineAuthError) as caught:
        llm.translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert len(server.requests) == 1
    assert "sk-wrong-key-9876" not in str(caught.value.to_dict())
    assert "sk-wrong-key-9876" not in repr(llm)
    assert server.requests[0].headers["authorization"] == "Bearer sk-wrong-key-9876"


def test_the_right_key_is_sent_as_a_bearer_token(
    behaviour: OpenAIBehaviour, server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    behaviour.key = "sk-right-key-1234"
    out = engine(server, waits, key="sk-right-key-1234").translate(
        tagged[:1], source=Lang.ID, target=Lang.EN
    )
    assert out[0].text


def test_429_waits_for_retry_after_then_succeeds(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.append(
        Fault(
            status=429,
            body={"error": {"message": "Rate limit reached"}},
            headers={"Retry-After": "2"},
        )
    )
    out = engine(server, waits).translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert out[0].text
    assert waits[0] >= 2.0
    assert len(server.requests) == 2


def test_429_every_time_raises_rate_limit_error_with_retry_after(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.extend(Fault(status=429, headers={"Retry-After": "1"}) for _ in range(3))
    with pytest.raises(EngineRateLimitError) as caught:
        engine(server, waits).translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert caught.value.retry_after == 1.0
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_then_unavailable(
    server: FakeServer, waits: list[float], tagged: list[str], status: int
) -> None:
    server.faults.extend(Fault(status=status, body="upstream error") for _ in range(3))
    with pytest.raises(EngineUnavailableError):
        engine(server, waits).translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert len(server.requests) == 3
    assert len(waits) == 2
    assert waits[1] > waits[0]  # exponential backoff


def test_a_malformed_body_is_a_response_error(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.extend(Fault(status=200, body="<html>gateway</html>") for _ in range(3))
    with pytest.raises(EngineResponseError):
        engine(server, waits).translate(tagged[:1], source=Lang.ID, target=Lang.EN)


def test_a_slow_answer_past_the_timeout_is_unavailable(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.delay = 1.0
    llm = OpenAIEngine(
        name="llm",
        url=server.url + "/v1",
        model="m",
        timeout=0.2,
        concurrency=1,
        retry=RetryPolicy(attempts=2, backoff=0.01),
        sleep=waits.append,
    )
    with llm, pytest.raises(EngineUnavailableError) as caught:
        llm.translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert "in time" in caught.value.message
    assert len(waits) == 1


def test_a_server_that_is_not_there_is_unavailable(waits: list[float], tagged: list[str]) -> None:
    with openai_server() as gone:
        url = gone.url
    llm = OpenAIEngine(
        name="llm", url=url + "/v1", model="m", retry=RetryPolicy(attempts=1), sleep=waits.append
    )
    with llm, pytest.raises(EngineUnavailableError):
        llm.translate(tagged[:1], source=Lang.ID, target=Lang.EN)


def test_describe_is_stable_names_the_model_and_never_the_key(
    server: FakeServer, waits: list[float]
) -> None:
    one = engine(server, waits, key="sk-secret-abcdef").describe(source=Lang.ID, target=Lang.JA)
    two = engine(server, waits, key="sk-other-123456").describe(source=Lang.ID, target=Lang.JA)
    assert one == two
    assert one.markup == "tags"
    assert one.models[0].name == "openai:qwen2.5-7b-instruct"
    assert one.models[0].checksum.startswith("sha256:")
    assert dict(one.decoding.as_items())["temperature"] == 0.0
    hotter = engine(server, waits, options={"temperature": 0.7}).describe(
        source=Lang.ID, target=Lang.JA
    )
    assert hotter.models[0].checksum != one.models[0].checksum
    assert "secret" not in repr(one)


def test_a_request_too_long_for_the_model_is_asked_again_in_halves(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    too_long = {"error": {"message": "This model's maximum context length is 4096 tokens"}}
    server.faults.append(Fault(status=400, body=too_long))
    llm = engine(server, waits)
    out = llm.translate(tagged[:2], source=Lang.ID, target=Lang.EN)
    assert [h.text for h in out] == [fake_translate(t, "en") for t in tagged[:2]]
    assert segments_asked(server) == [2, 1, 1]
    assert llm.response_format == "json_schema"  # not mistaken for a refused schema


def test_a_bad_request_that_is_not_about_length_is_not_repeated_in_halves(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.extend(
        Fault(status=400, body={"error": {"message": "unknown field 'seed'"}}) for _ in range(3)
    )
    with pytest.raises(EngineResponseError):
        engine(server, waits).translate(tagged[:4], source=Lang.ID, target=Lang.EN)
    assert segments_asked(server) == [4, 4, 4]  # schema, json_object, plain: then up


def test_an_unknown_model_is_a_response_error_without_retries(
    server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.append(Fault(status=404, body={"error": {"message": "model 'x' not found"}}))
    with pytest.raises(EngineResponseError) as caught:
        engine(server, waits).translate(tagged[:4], source=Lang.ID, target=Lang.EN)
    assert caught.value.context["status"] == 404
    assert len(server.requests) == 1
