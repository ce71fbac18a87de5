"""A real app over a real SQLite store, with the sample site of sitedata.py.

``site`` is shared by the tests of one module that only read; tests that change the store use
the function-scoped ``services``/``sample``/``client``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser
from tests.web.sitedata import SampleSite, populate

from warta.config import Settings
from warta.services import Services, build_services
from warta.web.app import create_app


@dataclass
class LiveSite:
    services: Services
    sample: SampleSite
    app: FastAPI
    client: TestClient

    def html(self, path: str, *, status: int = 200) -> LexborHTMLParser:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code, response.text[:300])
        return LexborHTMLParser(response.text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    services = build_services(Settings(home=tmp_path_factory.mktemp("site")))
    try:
        sample = populate(services)
        app = create_app(services)
        with TestClient(app, follow_redirects=False) as client:
            yield LiveSite(services, sample, app, client)
    finally:
        services.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def sample(services: Services) -> SampleSite:
    return populate(services)


@pytest.fixture
def app(services: Services, sample: SampleSite) -> FastAPI:
    return create_app(services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
