"""DeepL, Google (v2, v3) and LibreTranslate against local servers that follow their APIs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from warta.engines.base import EngineUsage
from warta.engines.remote import (
    DeepLEngine,
    GoogleEngine,
    LibreTranslateEngine,
    RemoteEngine,
    RetryPolicy,
)
from warta.engines.remote.deepl import FREE_URL, PRO_URL
from warta.engines.remote.testing import (
    FakeServer,
    Fault,
    deepl_server,
    fake_translate,
    google_server,
    libretranslate_server,
)
from warta.errors import (
    EngineAuthError,
    EngineRateLimitError,
    EngineResponseError,
    EngineUnavailableError,
)
from warta.languages import Lang
from warta.text.tags import markers, placeholders

KEY = "k3y-0123456789abcdef"


@dataclass(frozen=True)
class Kind:
    name: str
    server: Callable[..., AbstractContextManager[FakeServer]]
    engine: type[RemoteEngine]
    options: dict[str, Any]
    auth_status: int


KINDS = [
    Kind("deepl", deepl_server, DeepLEngine, {}, 403),
    Kind("google-v2", google_server, GoogleEngine, {}, 403),
    Kind("google-v3", google_server, GoogleEngine, {"version": 3, "project": "p1"}, 401),
    Kind("libretranslate", libretranslate_server, LibreTranslateEngine, {}, 403),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def server(kind: Kind) -> Iterator[FakeServer]:
    with kind.server(key=KEY) as running:
        yield running


@pytest.fixture
def make(
    kind: Kind, server: FakeServer, waits: list[float]
) -> Iterator[Callable[..., RemoteEngine]]:
    made: list[RemoteEngine] = []

    def build(**kwargs: Any) -> RemoteEngine:
        options = {**kind.options, **kwargs.pop("options", {})}
        engine = kind.engine(
            name=kind.name,
            url=server.url,
            key=kwargs.pop("key", KEY),
            options=options,
            retry=RetryPolicy(attempts=3, backoff=0.01),
            sleep=waits.append,
            **kwargs,
        )
        made.append(engine)
        return engine

    yield build
    for engine in made:
        engine.close()


def test_translates_html_keeping_tags_and_placeholders(
    make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    usage: list[EngineUsage] = []
    out = make(on_usage=usage.append).translate(tagged, source=Lang.ID, target=Lang.JA)
    assert [markers(h.text) for h in out] == [markers(t) for t in tagged]
    assert [placeholders(h.text) for h in out] == [placeholders(t) for t in tagged]
    assert out[0].text == fake_translate(tagged[0], "ja")
    assert len(server.requests) == 1
    assert usage == [EngineUsage(characters=sum(len(t) for t in tagged))]


def test_sends_the_apis_documented_request(
    kind: Kind, make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    make().translate(tagged[1:2], source=Lang.ID, target=Lang.ZH)
    request = server.requests[0]
    body = request.body
    wire = body.get("text") or body.get("q") or body.get("contents")
    assert wire[0].startswith('Presiden <span id="x1">Joko Widodo</span>')
    assert '<ph id="0"/>' in wire[0]
    if kind.name == "deepl":
        assert request.path == "/v2/translate"
        assert request.headers["authorization"] == f"DeepL-Auth-Key {KEY}"
        assert (body["source_lang"], body["target_lang"], body["tag_handling"]) == (
            "ID",
            "ZH-HANS",
            "html",
        )
    elif kind.name == "google-v2":
        assert request.path == "/language/translate/v2"
        assert request.headers["x-goog-api-key"] == KEY
        assert KEY not in request.path
        assert (body["source"], body["target"], body["format"]) == ("id", "zh-CN", "html")
    elif kind.name == "google-v3":
        assert request.path == "/v3/projects/p1/locations/global:translateText"
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert body["mimeType"] == "text/html"
        assert body["targetLanguageCode"] == "zh-CN"
    else:
        assert request.path == "/translate"
        assert (body["source"], body["target"], body["format"], body["api_key"]) == (
            "id",
            "zh",
            "html",
            KEY,
        )


def test_batches_are_cut_to_the_batch_size(
    make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    out = make(options={"batch_size": 2}, concurrency=2).translate(
        tagged, source=Lang.ID, target=Lang.EN
    )
    assert [h.text for h in out] == [fake_translate(t, "en") for t in tagged]
    sizes = [
        len(r.body.get("text") or r.body.get("q") or r.body.get("contents"))
        for r in server.requests
    ]
    assert sorted(sizes) == [1, 2, 2]


def test_a_wrong_key_is_an_auth_error_not_retried_and_not_shown(
    kind: Kind, make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    engine = make(key="wrong-key-abcdefgh")
    with pytest.raises(EngineAuthError) as caught:
        engine.translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert caught.value.context["status"] == kind.auth_status
    assert caught.value.context["engine"] == kind.name
    assert len(server.requests) == 1
    assert "wrong-key" not in str(caught.value) + str(caught.value.to_dict())


def test_429_honours_retry_after(
    make: Callable[..., RemoteEngine], server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.append(
        Fault(status=429, body={"message": "Too many requests"}, headers={"Retry-After": "3"})
    )
    out = make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert out[0].text == fake_translate(tagged[0], "en")
    assert waits
    assert waits[0] >= 3.0


def test_429_past_the_longest_wait_goes_up_at_once(
    make: Callable[..., RemoteEngine], server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.append(Fault(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(EngineRateLimitError) as caught:
        make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert caught.value.retry_after == 3600.0
    assert waits == []


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_retried_then_succeeds(
    make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str], status: int
) -> None:
    server.faults.extend([Fault(status=status), Fault(status=status)])
    out = make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert out[0].text
    assert len(server.requests) == 3


def test_5xx_every_time_is_unavailable(
    make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    server.faults.extend(Fault(status=503) for _ in range(3))
    with pytest.raises(EngineUnavailableError):
        make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)


@pytest.mark.parametrize(
    "body",
    ["not json at all", {"unexpected": []}, {"translations": "x", "data": 1, "translatedText": 5}],
)
def test_a_malformed_answer_is_a_response_error(
    make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str], body: object
) -> None:
    server.faults.append(Fault(status=200, body=body))
    with pytest.raises(EngineResponseError):
        make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)


def test_fewer_translations_than_texts_is_a_response_error(
    kind: Kind, make: Callable[..., RemoteEngine], server: FakeServer, tagged: list[str]
) -> None:
    one = {
        "deepl": {"translations": [{"text": "a"}]},
        "google-v2": {"data": {"translations": [{"translatedText": "a"}]}},
        "google-v3": {"translations": [{"translatedText": "a"}]},
        "libretranslate": {"translatedText": ["a"]},
    }[kind.name]
    server.faults.append(Fault(status=200, body=one))
    with pytest.raises(EngineResponseError) as caught:
        make().translate(tagged[:2], source=Lang.ID, target=Lang.EN)
    assert "1 translations for 2" in caught.value.message


def test_a_slow_answer_past_the_timeout_is_unavailable(
    make: Callable[..., RemoteEngine], server: FakeServer, waits: list[float], tagged: list[str]
) -> None:
    server.faults.append(Fault(status=0, delay=1.0))
    server.faults.append(Fault(status=0, delay=1.0))
    engine = make(timeout=0.2, concurrency=1)
    engine.http.retry = RetryPolicy(attempts=2, backoff=0.01)
    with pytest.raises(EngineUnavailableError):
        engine.translate(tagged[:1], source=Lang.ID, target=Lang.EN)


def test_describe_says_tags_and_hides_the_key(make: Callable[..., RemoteEngine]) -> None:
    info = make().describe(source=Lang.ID, target=Lang.AR)
    assert info.markup == "tags"
    assert KEY not in repr(info)
    assert (
        info.models[0].checksum
        == make(key="another-key-0000").describe(source=Lang.ID, target=Lang.AR).models[0].checksum
    )


def test_deepl_picks_the_free_or_pro_endpoint_by_key() -> None:
    with DeepLEngine(name="d", key="abc:fx") as free, DeepLEngine(name="d", key="abc") as pro:
        assert (free.url, pro.url) == (FREE_URL, PRO_URL)


def test_deepl_sends_the_glossary_for_the_target() -> None:
    with deepl_server(key=KEY) as server:
        options = {"glossary_id": {"ja": "gl-ja-1"}}
        with DeepLEngine(name="d", url=server.url, key=KEY, options=options) as engine:
            engine.translate(["Halo"], source=Lang.ID, target=Lang.JA)
            engine.translate(["Halo"], source=Lang.ID, target=Lang.FR)
    assert server.requests[0].body["glossary_id"] == "gl-ja-1"
    assert "glossary_id" not in server.requests[1].body


def test_google_v3_with_a_glossary_reads_glossary_translations() -> None:
    options = {
        "version": 3,
        "project": "p1",
        "location": "us-central1",
        "glossary": "projects/p1/locations/us-central1/glossaries/news",
    }
    with (
        google_server(key=KEY) as server,
        GoogleEngine(name="g", url=server.url, key=KEY, options=options) as engine,
    ):
        out = engine.translate(["Halo dunia"], source=Lang.ID, target=Lang.FR)
    assert out[0].text == fake_translate("Halo dunia", "fr")
    assert server.requests[0].path == "/v3/projects/p1/locations/us-central1:translateText"


def test_an_unsupported_target_is_refused_before_any_request(
    make: Callable[..., RemoteEngine], server: FakeServer
) -> None:
    engine = make(options={"targets": ["en"]})
    assert not engine.supports(source=Lang.ID, target=Lang.JA)
    with pytest.raises(Exception, match="does not translate"):
        engine.translate(["Halo"], source=Lang.ID, target=Lang.JA)
    assert server.requests == []


def test_a_key_echoed_by_the_server_is_redacted_from_errors_and_logs(
    make: Callable[..., RemoteEngine],
    server: FakeServer,
    tagged: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.faults.extend(
        Fault(status=503, body={"message": f"key {KEY} overloaded"}) for _ in range(3)
    )
    with caplog.at_level("DEBUG"), pytest.raises(EngineUnavailableError) as caught:
        make().translate(tagged[:1], source=Lang.ID, target=Lang.EN)
    assert "[redacted]" in caught.value.message
    assert KEY not in str(caught.value.to_dict())
    assert caplog.records
    assert KEY not in caplog.text


def test_secret_looking_options_stay_out_of_the_checksum(make: Callable[..., RemoteEngine]) -> None:
    one = make(options={"api_key": "a"}).checksum()
    assert one == make(options={"api_key": "b"}).checksum()
    assert one != make(options={"batch_size": 7}).checksum()
