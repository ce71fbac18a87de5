"""No input makes the API answer 5xx: every operation, explored with extreme values.

Schemathesis generates each operation's requests from the app's OpenAPI description (valid
ones, so that the request gets past the first check); Hypothesis then swaps any query, path and
body field for an extreme value: integers at and beyond 32 and 64 bits, times at the ends of the
calendar in far time zones (``9999-12-31T23:59:59.999999-23:59``), cursors holding either, NUL
bytes, lone surrogates, 10,000-character strings, unknown language codes. The answer must be
below 500 and, when it is an error, warta's JSON error. Bounded: ``MAX_EXAMPLES`` per operation
(about 20 s per backend on two busy cores); on SQLite, and on PostgreSQL when
``WARTA_TEST_DATABASE_URL`` is set.

The contract itself (status codes and bodies as documented) is tests/api/test_contract.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NotSet
from tests.api.test_contract import OPERATIONS
from tests.integrations.fixtures import article_payload, translate_queued

from warta.integrations import Integrations
from warta.services import Services

MAX_EXAMPLES = 30

FAR_TIMES = [
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "1970-01-01T00:00:00+00:00",
    "2025-02-29T00:00:00+07:00",
    "10000-01-01T00:00:00Z",
    "2025-03-10T09:30:00+24:00",
]
BIG_INTS = [0, -1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1]
BIG_INTS += [10**40]
ODD_STRINGS = [
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "a" * 10_000,
    "9" * 40,
    "../../etc/passwd",
    "%00",
    "%2F",
    "a/b",
    "xx",
    "EN",
    "id",
    "zh-Hant",
    "🙂" * 50,
    "<script>alert(1)</script>",
    " ",
    "\u202e",
]


def _cursor(at: str, article_id: Any) -> str:
    raw = json.dumps([at, article_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = st.builds(
    _cursor, st.sampled_from(FAR_TIMES), st.sampled_from([*BIG_INTS, "1", None, 1.5])
)
EXTREME: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(BIG_INTS),
    st.sampled_from(FAR_TIMES),
    st.sampled_from(ODD_STRINGS),
    CURSORS,
    st.sampled_from([None, True, 1.5e308, -0.0, [], {}]),
    st.lists(st.sampled_from(ODD_STRINGS), max_size=3),
)


@pytest.fixture
def seeded(
    client: TestClient, auth: dict[str, str], services: Services, integrations: Integrations
) -> dict[str, str]:
    """Portal key and editor session (cookie + CSRF) on a site with one translated article."""
    assert client.post("/api/v1/articles", json=article_payload(0), headers=auth).status_code == 201
    translate_queued(services, integrations)
    integrations.accounts.create(site="kabar", email="redaksi@kabar.example", password="p" * 12)
    login = client.post(
        "/api/v1/editor/login",
        json={"site": "kabar", "email": "redaksi@kabar.example", "password": "p" * 12},
    )
    return {
        **auth,
        "Cookie": f"warta_session={login.cookies['warta_session']}",
        "X-CSRF-Token": login.json()["csrf_token"],
    }


def _parameters(app: FastAPI, method: str, path: str) -> dict[str, list[str]]:
    """The operation's parameter names by location, and its JSON body's top-level fields."""
    spec = app.openapi()
    operation = spec["paths"][path][method.lower()]
    names: dict[str, list[str]] = {"query": [], "path": [], "body": []}
    for parameter in operation.get("parameters", []):
        if parameter["in"] in names:
            names[parameter["in"]].append(parameter["name"])
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema", {})
    for option in [schema, *schema.get("anyOf", [])]:
        ref = option.get("$ref", "")
        if ref:
            model = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
            names["body"] += list(model.get("properties", {}))
    return names


def _extreme_case(case: Any, data: st.DataObject, names: dict[str, list[str]]) -> None:
    """Swap some of ``case``'s values (any of them may stay as generated) for extreme ones."""
    if names["query"]:
        query = dict(case.query or {})
        for name in names["query"]:
            if data.draw(st.booleans()):
                value = data.draw(EXTREME)
                query[name] = value if isinstance(value, str) else json.dumps(value)
        case.query = query
    for name in names["path"]:
        if data.draw(st.booleans()):
            value = data.draw(EXTREME)
            text = value if isinstance(value, str) else json.dumps(value)
            # percent-encoded as a client must (a raw NUL is no URL at all)
            case.path_parameters[name] = quote(text.encode("utf-8", "surrogatepass"), safe="")
    if names["body"] and isinstance(case.body, dict):
        for name in names["body"]:
            if data.draw(st.booleans()):
                case.body[name] = data.draw(EXTREME)


def test_no_extreme_value_makes_any_operation_answer_5xx(
    app: FastAPI, client: TestClient, seeded: dict[str, str]
) -> None:
    """Every operation in turn, on one seeded site (seeding costs more than the calls)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    for method, path in OPERATIONS:
        _explore(client, schema[path][method], seeded, names=_parameters(app, method, path))


def _explore(
    client: TestClient, operation: Any, seeded: dict[str, str], *, names: dict[str, list[str]]
) -> None:
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE), data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def call(case: Any, data: st.DataObject) -> None:
        _extreme_case(case, data, names)
        kwargs = case.as_transport_kwargs(headers=dict(seeded))
        response = client.request(
            kwargs["method"],
            kwargs["url"],
            params=kwargs.get("params"),
            headers=kwargs.get("headers"),
            content=None if isinstance(case.body, NotSet) else _json_body(case.body),
        )
        sent = (case.method, case.path, case.path_parameters, case.query)
        assert response.status_code < 500, (sent, response.text)
        if response.status_code >= 400:
            assert "error" in response.json(), (sent, response.text)

    call()


def _json_body(body: Any) -> bytes:
    # json.dumps keeps a lone surrogate as the escape \ud800, as a hostile client would send it
    return json.dumps(body).encode()
