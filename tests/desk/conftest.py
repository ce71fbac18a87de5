"""Fixtures of the desk tests: the real app (``create_app``) in process on a migrated SQLite
database, a site with an admin and an editor, articles with stored editions (English flagged),
and a logged-in client helper that reads the CSRF token from the page as a browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.dbfixtures import clock, db_url, engine, make_draft, queue, site, store
from tests.integrations.fixtures import (
    integrations,
    other_site,
    services,
    shared_validator,
)
from tests.store.machine import machine_edition

from warta.domain import EditorRole, Revision, Site
from warta.integrations import Integrations
from warta.languages import Lang
from warta.store.repository import Store
from warta.web.app import create_app

__all__ = [
    "clock",
    "db_url",
    "engine",
    "integrations",
    "other_site",
    "queue",
    "services",
    "shared_validator",
    "site",
    "store",
]

PASSWORD = "kopi-tubruk-pagi"  # noqa: S105 -- a test account's password
ADMIN = "pemred@kabar.example"
EDITOR = "redaksi@kabar.example"
BODY = (
    "<p>Hujan deras sejak pagi. Sebanyak 1.200 warga mengungsi ke posko terdekat.</p>"
    "<p>Petugas membagikan makanan.</p>"
)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def backend() -> str:
    """The desk's pages are the same on both databases: SQLite only (PostgreSQL: tests/store)."""
    return "sqlite"


@pytest.fixture
def targets() -> tuple[Lang, ...]:
    return (Lang.EN, Lang.AR)


@pytest.fixture
def app(services: object, integrations: Integrations) -> FastAPI:
    from warta.services import Services

    assert isinstance(services, Services)
    application = create_app(services)
    application.state.integrations = integrations
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def accounts(integrations: Integrations, site: Site) -> None:
    integrations.accounts.create(
        site=site.slug, email=ADMIN, password=PASSWORD, role=EditorRole.ADMIN
    )
    integrations.accounts.create(site=site.slug, email=EDITOR, password=PASSWORD)


@dataclass(frozen=True)
class Stored:
    revision: Revision
    external_id: str


@pytest.fixture
def article(store: Store, site: Site) -> Stored:
    """``berita-1``: English (sentence 2, with the number, flagged) and Arabic editions."""
    revision = store.save_article(
        make_draft("berita-1", body_html=BODY), targets=(Lang.EN, Lang.AR)
    ).revision
    store.save_edition(machine_edition(revision, Lang.EN, flags={2: ("number_mismatch:1.200",)}))
    store.save_edition(machine_edition(revision, Lang.AR))
    return Stored(revision=revision, external_id="berita-1")


def csrf_of(page: str) -> str:
    found = CSRF_FIELD.search(page)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def log_in(client: TestClient, email: str = EDITOR, *, site: str = "kabar") -> str:
    """Log in through the form; returns the CSRF token the queue page carries."""
    response = client.post("/desk/login", data={"site": site, "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    page = client.get("/desk/")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
