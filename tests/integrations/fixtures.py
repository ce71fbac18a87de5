"""Shared fixtures and builders for tests/api and tests/integrations.

``services`` are real :class:`~warta.services.Services` on the migrated test database, with the
store and queue on the hand-moved clock and one Validator for the session (its language models
load once). ``integrations`` allow outbound calls to 127.0.0.1, where the tests run their own
HTTP servers. ``client`` is the real ASGI app (``create_app``) in process.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.dbfixtures import FakeClock
from tests.paths import DEMO_ARTICLES

from warta.config import Settings
from warta.domain import EditionStatus, Site
from warta.engines.fake import FakeEngine
from warta.ingest.validate import Validator
from warta.integrations import IntegrationLimits, Integrations, build_integrations
from warta.integrations.outbound import OutboundPolicy
from warta.integrations.webhooks import RetryPolicy
from warta.languages import TARGET_LANGS, Lang
from warta.newsroom import Newsroom
from warta.services import EngineProvider, Services, build_services
from warta.store.engines import EngineStore
from warta.store.repository import Store
from warta.web.app import create_app
from warta.workers.queue import SqlJobQueue
from warta.workers.runner import Worker

TEST_LIMITS = IntegrationLimits(
    requests_per_second=1000.0,  # tests of the rate limit put a limiter of their own in place
    burst=10_000,
    auth_failures_per_minute=10_000,  # tests of this limit put a limit of their own in place
    outbound=OutboundPolicy(
        timeout_seconds=5.0, connect_timeout_seconds=2.0, allow_private_networks=True
    ),
    webhook_retry=RetryPolicy(max_attempts=3, base_seconds=10.0, cap_seconds=60.0),
)


@pytest.fixture(scope="session")
def shared_validator() -> Validator:
    return Validator(max_bytes=512 * 1024, min_confidence=0.5)


@pytest.fixture
def targets() -> tuple[Lang, ...]:
    """The editions articles get (override in a test module to translate fewer)."""
    return TARGET_LANGS


@pytest.fixture
def services(
    engine: sqlalchemy.Engine,
    store: Store,
    queue: SqlJobQueue,
    shared_validator: Validator,
    tmp_path: Path,
    db_url: str,
    targets: tuple[Lang, ...],
) -> Services:
    settings = Settings(
        home=tmp_path / "home", database_url=db_url, default_site="kabar", targets=targets
    )
    built = build_services(settings, migrate=False)
    built.db.dispose()  # the test's engine, store and queue (on the hand-moved clock) replace it
    return dataclasses.replace(
        built,
        db=engine,
        store=store,
        queue=queue,
        validator=shared_validator,
        engine=EngineProvider(store=store, settings=settings, engines=EngineStore(engine)),
        newsroom=Newsroom(
            store=store, queue=queue, validator=shared_validator, targets=settings.targets
        ),
    )


@pytest.fixture
def integrations(services: Services, clock: FakeClock) -> Integrations:
    return build_integrations(services, limits=TEST_LIMITS, clock=clock)


@pytest.fixture
def app(services: Services, integrations: Integrations) -> FastAPI:
    application = create_app(services)
    application.state.integrations = integrations
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def key(integrations: Integrations, site: Site) -> str:
    return integrations.authenticator.issue(site=site.slug)[1]


@pytest.fixture
def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def other_site(store: Store) -> Site:
    return store.create_site(slug="warta-lain", name="Warta Lain")


@pytest.fixture
def other_key(integrations: Integrations, other_site: Site) -> dict[str, str]:
    return {"Authorization": f"Bearer {integrations.authenticator.issue(site=other_site.slug)[1]}"}


# --- builders ------------------------------------------------------------------------------------

_SAMPLE: list[dict[str, Any]] = []


def indosum(n: int) -> dict[str, Any]:
    """Row ``n`` of the shipped IndoSum sample (real Indonesian news)."""
    if not _SAMPLE:
        _SAMPLE.extend(
            json.loads(line) for line in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()
        )
    return _SAMPLE[n]


def article_payload(n: int = 0, *, external_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid API article from IndoSum row ``n``; ``fields`` override."""
    row = indosum(n)
    body = "".join(f"<p>{p}</p>" for p in row["paragraphs"][:4])
    payload: dict[str, Any] = {
        "external_id": external_id or f"berita-{n}",
        "title": row["title"],
        "lead": "",
        "body_html": body,
        "category": row["category"],
        "tags": ["nasional"],
        "author": "Redaksi",
        "published_at": "2025-03-10T09:30:00+07:00",
        "source_url": row["source_url"],
    }
    payload.update(fields)
    return payload


def translate_queued(services: Services, integrations: Integrations) -> list[tuple[int, Lang]]:
    """Run a worker with the fake engine until idle, then announce the done jobs' events, as
    the worker's hook does (``integrations.announcer.announce_pending`` after recording).

    Returns the (revision id, language) of every edition recorded.
    """
    pending = [
        (row.revision_id, row.lang)
        for row in services.store.status_rows()
        if row.status is EditionStatus.PENDING
    ]
    worker = Worker(
        store=services.store,
        queue=services.queue,
        engine=FakeEngine,
        targets=services.settings.targets,
        name="test-worker",
    )
    worker.run_until_idle()
    while integrations.announcer.announce_pending():
        pass
    recorded = []
    for revision_id, lang in pending:
        edition = services.store.get_edition(revision_id=revision_id, lang=lang)
        if edition.content is not None:
            recorded.append((revision_id, lang))
    return recorded
