"""/api/docs works offline: Swagger UI and its assets come from the app, no other host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser

from warta.config import Settings
from warta.services import build_services
from warta.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    services = build_services(Settings(home=Path(tmp_path_factory.mktemp("docs"))))
    try:
        with TestClient(create_app(services)) as test_client:
            yield test_client
    finally:
        services.close()


def test_the_docs_page_names_no_other_host(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.text
    # No absolute URL at all (a CDN, the FastAPI favicon, the spec validator).
    assert re.findall(r"(?:https?:)?//[\w.-]+", response.text) == []
    doc = LexborHTMLParser(response.text)
    sources = [n.attributes["src"] for n in doc.css("script[src]")]
    sources += [n.attributes["href"] for n in doc.css("link[href]")]
    assert sources
    assert all(s and s.startswith("/api/") for s in sources), sources
    assert "'/api/openapi.json'" in response.text
    assert '"validatorUrl": null' in response.text


@pytest.mark.parametrize(
    ("asset", "media_type", "contains"),
    [
        ("swagger-ui-bundle.js", "javascript", b"SwaggerUIBundle"),
        ("swagger-ui.css", "text/css", b".swagger-ui"),
        ("favicon.png", "image/png", b"\x89PNG"),
    ],
)
def test_its_assets_are_served_by_the_app(
    client: TestClient, asset: str, media_type: str, contains: bytes
) -> None:
    page = client.get("/api/docs").text
    assert f"/api/docs-assets/{asset}" in page
    response = client.get(f"/api/docs-assets/{asset}")
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]
    assert contains in response.content


def test_the_swagger_ui_served_renders_openapi_3_1(client: TestClient) -> None:
    # Swagger UI 4 cannot show an OpenAPI 3.1 description (FastAPI writes 3.1): it must be 5.
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/api/docs-assets/swagger-ui-bundle.js").text
    (version,) = re.findall(r'PACKAGE_VERSION:"(\d+)\.\d+\.\d+"', bundle)
    assert int(version) >= 5
