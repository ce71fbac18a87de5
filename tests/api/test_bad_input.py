"""Bad input answers a 4xx with warta's JSON error naming the field and the fix, and stores
nothing: malformed JSON, wrong types, unknown fields, oversized and slow bodies, floods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.integrations.fixtures import article_payload

from warta.api import errors as api_errors
from warta.api.routes import router as api_router
from warta.integrations import Integrations
from warta.integrations.ratelimit import TokenBucketLimiter
from warta.services import Services


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message", "hint"}
    return error


def _nothing_stored(services: Services) -> None:
    assert services.store.list_articles() == []
    assert sum(services.queue.counts().values()) == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"external_id": "a", "title": ',  # cut off
        b"{'external_id': 'a'}",  # Python, not JSON
        b'{"external_id": "a",}',  # trailing comma
    ],
)
def test_malformed_json_is_400_naming_the_body(
    client: TestClient, auth: dict[str, str], services: Services, body: bytes
) -> None:
    response = client.post(
        "/api/v1/articles", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    error = _error(response, 400)
    assert error["context"]["field"] == "body"
    assert "JSON" in error["message"]
    assert "application/json" in error["hint"]
    _nothing_stored(services)


# (what is sent, the field named, a word of the hint)
CASES = [
    ({"title": 12}, "title", "string"),  # wrong type
    ({"tags": "politik"}, "tags", "array"),  # a string where a list goes
    ({"tags": ["a" * 101]}, "tags[0]", "100"),  # too long
    ({"published_at": "2025-03-10T09:30:00"}, "published_at", "UTC offset"),  # no offset
    ({"published_at": "kemarin"}, "published_at", "ISO 8601"),
    ({"body_html": ""}, "body_html", "non-empty"),
    ({"judul": "Banjir"}, "judul", "remove"),  # an unknown field
    ({"external_id": None}, "external_id", "string"),
]


@pytest.mark.parametrize(("change", "field", "hint"), CASES)
def test_wrong_fields_are_422_naming_the_field_and_the_fix(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    change: dict[str, Any],
    field: str,
    hint: str,
) -> None:
    payload = article_payload(0)
    payload.update(change)
    error = _error(client.post("/api/v1/articles", json=payload, headers=auth), 422)
    assert error["code"] == "invalid_field"
    assert error["context"]["field"] == field
    assert hint in error["hint"]
    assert error["message"].startswith(field)
    _nothing_stored(services)


def test_a_missing_field_and_a_missing_body_are_named(
    client: TestClient, auth: dict[str, str]
) -> None:
    payload = article_payload(0)
    del payload["title"]
    error = _error(client.post("/api/v1/articles", json=payload, headers=auth), 422)
    assert (error["context"]["field"], error["hint"]) == ("title", "add the field `title`")
    empty = _error(client.post("/api/v1/articles", headers=auth), 422)
    assert empty["context"]["field"] == "body"
    not_json = client.post(
        "/api/v1/articles", content=b"title=Banjir", headers={**auth, "Content-Type": "text/plain"}
    )
    assert _error(not_json, 422)["context"]["field"] == "body"


def test_every_problem_is_listed_when_there_are_several(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/articles", json=article_payload(0, title=1, lead=2), headers=auth
    )
    error = _error(response, 422)
    assert error["context"]["errors"] == [
        "title: Input should be a valid string",
        "lead: Input should be a valid string",
    ]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"body_html": "<script>alert(1)</script>"}, "empty_article", "body_html"),
        (
            {
                "title": "Scientists announce a new tool",
                "body_html": "<p>Scientists from the university announced on Monday that they "
                "have invented a new diagnostic tool that can sort cells by type.</p>",
            },
            "not_indonesian",
            None,
        ),
        ({"source_url": "javascript:alert(1)"}, "invalid_field", "source_url"),
        ({"external_id": "baris\nbaru"}, "invalid_field", "external_id"),
    ],
)
def test_the_newsroom_refusals_come_out_as_422_with_its_hint(
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    change: dict[str, Any],
    code: str,
    field: str | None,
) -> None:
    error = _error(
        client.post("/api/v1/articles", json=article_payload(0, **change), headers=auth), 422
    )
    assert error["code"] == code
    assert error.get("context", {}).get("field") == field
    _nothing_stored(services)


def test_a_body_over_the_limit_is_413_before_anything_is_read(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    limit = integrations.max_request_bytes
    huge = article_payload(0, body_html="<p>" + "kata " * (limit // 5) + "</p>")
    error = _error(client.post("/api/v1/articles", json=huge, headers=auth), 413)
    assert error["code"] == "request_too_large"
    assert error["context"]["limit"] == limit
    _nothing_stored(services)


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> None:
    chunk = b" " * 65536

    def chunks() -> Iterator[bytes]:
        yield b'{"external_id": "x", "title": "Banjir", "body_html": "'
        for _ in range(integrations.max_request_bytes // len(chunk) + 2):
            yield chunk

    response = client.post(
        "/api/v1/articles",
        content=chunks(),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert _error(response, 413)["code"] == "request_too_large"
    _nothing_stored(services)


def test_an_article_over_the_article_limit_is_413_naming_the_setting(
    client: TestClient, auth: dict[str, str], services: Services
) -> None:
    body = "<p>" + "Ribuan warga mengungsi akibat banjir. " * 15000 + "</p>"
    error = _error(
        client.post("/api/v1/articles", json=article_payload(0, body_html=body), headers=auth),
        413,
    )
    assert error["code"] == "article_too_large"
    assert "WARTA_MAX_ARTICLE_BYTES" in error["hint"]
    _nothing_stored(services)


class Ticks:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(
    client: TestClient,
    auth: dict[str, str],
    other_key: dict[str, str],
    integrations: Integrations,
) -> None:
    ticks = Ticks()
    integrations.rate_limiter = TokenBucketLimiter(rate=0.5, burst=2, clock=ticks)
    assert [client.get("/api/v1/articles", headers=auth).status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = client.get("/api/v1/articles", headers=auth)
    error = _error(limited, 429)
    assert error["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "2"
    assert client.get("/api/v1/articles", headers=other_key).status_code == 200  # own bucket
    ticks.now += 2
    assert client.get("/api/v1/articles", headers=auth).status_code == 200


def test_unknown_paths_and_methods_answer_in_the_same_json_shape_in_the_whole_app(
    client: TestClient, auth: dict[str, str]
) -> None:
    assert _error(client.get("/api/v1/artikel", headers=auth), 404)["code"] == "not_found"
    wrong = client.patch("/api/v1/articles", headers=auth)
    assert _error(wrong, 405)["code"] == "method_not_allowed"


def test_unknown_paths_and_methods_answer_in_the_same_json_shape(
    services: Services, integrations: Integrations, auth: dict[str, str]
) -> None:
    # The API's own handlers, on an app with the API alone (create_app also installs the site's
    # error pages, which decide what /api routing errors look like there).
    app = FastAPI()
    app.state.services = services
    app.state.integrations = integrations
    api_errors.install(app)
    app.include_router(api_router)
    with TestClient(app) as client:
        missing = client.get("/api/v1/artikel", headers=auth)
        wrong = client.patch("/api/v1/articles", headers=auth)
    assert _error(missing, 404)["code"] == "not_found"
    assert _error(wrong, 405)["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]
