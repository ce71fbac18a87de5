"""Out-of-range input answers a 4xx JSON error naming the field, never a 5xx, on SQLite and
PostgreSQL: the findings of issue 14 ("HTTP 500 on out-of-range input") one by one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.integrations.fixtures import article_payload


def _cursor(changed_at: str, article_id: Any) -> str:
    raw = json.dumps([changed_at, article_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _field_error(response: Any, field: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["context"]["field"] == field, error
    assert error["hint"], error
    return error


LATEST = "9999-12-31T23:59:59.999999-23:59"  # after year 9999 in UTC


@pytest.mark.parametrize("article_id", [2**63, 2**64, 10**40, -(2**63) - 1])
def test_a_cursor_holding_an_id_beyond_64_bits_is_422_naming_the_cursor(
    client: TestClient, auth: dict[str, str], article_id: int
) -> None:
    cursor = _cursor("2025-03-10T09:30:00+00:00", article_id)
    _field_error(client.get("/api/v1/articles", params={"cursor": cursor}, headers=auth), "cursor")


def test_since_beyond_year_9999_in_utc_is_422_naming_since(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/articles", params={"since": LATEST}, headers=auth)
    _field_error(response, "since")


@pytest.mark.parametrize("at", [LATEST, "0001-01-01T00:00:00+23:59"])
def test_a_cursor_holding_a_time_beyond_the_calendar_is_422_naming_the_cursor(
    client: TestClient, auth: dict[str, str], at: str
) -> None:
    cursor = _cursor(at, 1)
    _field_error(client.get("/api/v1/articles", params={"cursor": cursor}, headers=auth), "cursor")


@pytest.mark.parametrize("published_at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_published_at_beyond_the_calendar_in_utc_is_422_on_put_and_post(
    client: TestClient, auth: dict[str, str], published_at: str
) -> None:
    payload = article_payload(0, published_at=published_at)
    put = client.put("/api/v1/articles/berita-0", json=payload, headers=auth)
    _field_error(put, "published_at")
    _field_error(client.post("/api/v1/articles", json=payload, headers=auth), "published_at")
    assert client.get("/api/v1/articles/berita-0", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/articles/a%00b", "external_id"),
        ("/api/v1/articles/a%00b/editions/en", "external_id"),
        ("/api/v1/articles?category=a%00b", "category"),
        ("/api/v1/articles?cursor=%0A", "cursor"),
    ],
)
def test_a_nul_in_a_path_or_query_value_is_422_naming_it(
    client: TestClient, auth: dict[str, str], path: str, field: str
) -> None:
    """Found by tests/api/test_fuzz.py: PostgreSQL text cannot hold NUL (500 before)."""
    _field_error(client.get(path, headers=auth), field)


@pytest.mark.parametrize("field", ["title", "category", "author", "source_url", "tags"])
def test_a_nul_in_a_body_field_is_422_naming_it(
    client: TestClient, auth: dict[str, str], field: str
) -> None:
    payload = article_payload(0)
    payload[field] = ["a\x00b"] if field == "tags" else f"{payload[field] or 'a'}\x00"
    error = _field_error(client.put("/api/v1/articles/berita-0", json=payload, headers=auth), field)
    assert "NUL" in error["message"], error


def test_a_nul_in_a_webhook_url_or_a_login_is_422(client: TestClient, auth: dict[str, str]) -> None:
    hook = client.post("/api/v1/webhooks", json={"url": "https://x.example/\x00"}, headers=auth)
    _field_error(hook, "url")
    login = client.post(
        "/api/v1/editor/login",
        json={"site": "kabar", "email": "a\x00@kabar.example", "password": "p" * 12},
    )
    _field_error(login, "email")
