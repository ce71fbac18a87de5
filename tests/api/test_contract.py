"""Contract tests: schemathesis generates requests from the app's own OpenAPI description, sends
them in process (ASGI) with a real key and a real editor session, and checks every answer: never
a 5xx, status codes, content types, headers and bodies as documented, auth enforced, invalid
input refused.

Bounded: a few dozen examples per operation, on SQLite, so it runs in well under two minutes on
two cores. Not checked: ``positive_data_acceptance`` — schema-valid articles are still refused
when they are not Indonesian (422), by design.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.core.parameters import ParameterLocation
from tests.integrations.fixtures import article_payload, translate_queued

from warta.integrations import Integrations
from warta.services import Services

MAX_EXAMPLES = 25
EXCLUDED = [checks.positive_data_acceptance]


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the contract does not depend on the database; keep it fast


@pytest.fixture
def seeded(
    app: FastAPI,
    client: TestClient,
    auth: dict[str, str],
    services: Services,
    integrations: Integrations,
) -> dict[str, str]:
    """Headers of a portal (key) and an editor (session + CSRF) on a site with one article."""
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


def _credentials(case: Any, seeded: dict[str, str]) -> dict[str, str]:
    """The portal's and the editor's credentials, except where the case deliberately sends
    invalid headers or cookies (then what it generated must be refused on its own)."""
    negative = {
        location
        for location, info in (case.meta.components.items() if case.meta else ())
        if info.mode is GenerationMode.NEGATIVE
    }
    headers = {}
    if ParameterLocation.HEADER not in negative:
        headers["Authorization"] = seeded["Authorization"]
        headers["X-CSRF-Token"] = seeded["X-CSRF-Token"]
    if ParameterLocation.COOKIE not in negative:
        headers["Cookie"] = seeded["Cookie"]
    return headers


# Every operation of the API; a new endpoint must be added here (the first test checks).
OPERATIONS = [
    ("GET", "/api/v1/status"),
    ("POST", "/api/v1/articles"),
    ("GET", "/api/v1/articles"),
    ("PUT", "/api/v1/articles/{external_id}"),
    ("GET", "/api/v1/articles/{external_id}"),
    ("GET", "/api/v1/articles/{external_id}/editions/{lang}"),
    ("POST", "/api/v1/articles/{external_id}/retranslate"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks/{webhook_id}"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"),
    ("POST", "/api/v1/editor/login"),
    ("POST", "/api/v1/editor/logout"),
    ("GET", "/api/v1/editor/reviews"),
    ("GET", "/api/v1/editor/articles/{external_id}/editions/{lang}"),
    ("PUT", "/api/v1/editor/articles/{external_id}/editions/{lang}/segments/{index}"),
    ("GET", "/api/v1/editor/articles/{external_id}/editions/{lang}/history"),
    ("GET", "/api/v1/editor/articles/{external_id}/editions/{lang}/history/{version}"),
    ("POST", "/api/v1/editor/articles/{external_id}/editions/{lang}/rollback"),
    ("POST", "/api/v1/editor/articles/{external_id}/editions/{lang}/send-back"),
    ("POST", "/api/v1/editor/articles/{external_id}/editions/{lang}/approve"),
    ("POST", "/api/v1/editor/articles/{external_id}/editions/{lang}/reject"),
    ("GET", "/api/v1/editor/policies"),
    ("PUT", "/api/v1/editor/policies"),
    ("GET", "/api/v1/editor/editors"),
    ("POST", "/api/v1/editor/editors"),
    ("PATCH", "/api/v1/editor/editors/{email}"),
    ("GET", "/api/v1/jobs"),
    ("POST", "/api/v1/jobs/{job_id}/retry"),
]


def test_the_contract_covers_every_operation(app: FastAPI) -> None:
    described = {
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    }
    assert described == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_honours_its_openapi_contract(
    app: FastAPI, seeded: dict[str, str], method: str, path: str, mode: GenerationMode
) -> None:
    operation = schemathesis.openapi.from_asgi("/api/openapi.json", app)[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def call(case: Any) -> None:
        case.call_and_validate(headers=_credentials(case, seeded), excluded_checks=EXCLUDED)

    call()
