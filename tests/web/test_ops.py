"""/healthz, /readyz and /metrics on the real app over real services (warta.web.ops)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event
from tests.dbfixtures import make_draft
from tests.integrations.fixtures import TEST_LIMITS
from tests.web.sitedata import SampleSite

from warta.config import Settings
from warta.domain import RegisteredModel
from warta.engines.fake import FakeEngine
from warta.integrations import build_integrations
from warta.integrations.webhooks import WebhookEvent
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services
from warta.store.engines import EngineStore
from warta.store.session import downgrade_database, head_revision
from warta.web.app import create_app

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a labelled counter never incremented (not exposed yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Statements:
    """Counts every statement the engine runs (a real listener on the real engine)."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


@dataclass
class Ops:
    services: Services
    client: TestClient


@pytest.fixture
def ops(services: Services) -> Iterator[Ops]:
    with TestClient(create_app(services), follow_redirects=False) as client:
        yield Ops(services, client)


@pytest.fixture
def demo(services: Services) -> None:
    services.store.create_site(slug="demo", name="Demo")


@contextmanager
def ops_with(tmp_path: Path, **overrides: object) -> Iterator[Ops]:
    services = build_services(Settings(home=tmp_path / "home", **overrides))  # type: ignore[arg-type]
    try:
        with TestClient(create_app(services), follow_redirects=False) as client:
            yield Ops(services, client)
    finally:
        services.close()


# --- /healthz ----------------------------------------------------------------------------------


def test_healthz_answers_without_a_database_query(ops: Ops) -> None:
    statements = Statements(ops.services.db)

    response = ops.client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert statements.count == 0
    ops.client.get("/readyz")  # the listener does see the queries of a route that reads
    assert statements.count > 0


# --- /readyz -----------------------------------------------------------------------------------


def test_readyz_is_200_with_every_check_on_a_migrated_database(ops: Ops) -> None:
    response = ops.client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    checks = body["checks"]
    assert list(checks) == ["database", "migrations", "broker", "models"]
    assert checks["database"]["status"] == "ok"
    assert checks["migrations"] == {"status": "ok", "detail": f"at {head_revision()}"}
    assert checks["broker"]["status"] == "skip"  # no WARTA_BROKER_URL: nothing to reach
    assert checks["models"]["status"] == "ok"


def test_readyz_is_503_naming_migrations_on_a_database_one_migration_behind(ops: Ops) -> None:
    downgrade_database(ops.services.db, revision="-1")

    response = ops.client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    detail = body["checks"]["migrations"]["detail"]
    assert f"expects {head_revision()}" in detail
    assert "warta db upgrade" in detail
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_is_503_naming_broker_when_the_broker_does_not_answer(tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there

    with ops_with(tmp_path, broker_url=url) as ops:
        response = ops.client.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["failing"] == ["broker"]
        assert "cannot connect" in body["checks"]["broker"]["detail"]
        assert "hunter2" not in response.text  # the broker's password is never shown


def test_readyz_reports_the_models_whose_files_are_gone(
    ops: Ops, tmp_path: Path, register_tiny: Callable[..., list[RegisteredModel]]
) -> None:
    register_tiny(Lang.EN)
    assert ops.client.get("/readyz").json()["checks"]["models"] == {
        "status": "ok",
        "detail": "1 registered, files present",
    }
    gone = tmp_path / "deleted-model"
    ops.services.store.add_model(
        RegisteredModel(
            name="opus-gone",
            path=str(gone),
            source=Lang.ID,
            target=Lang.JA,
            family="marian",
            checksum="sha256:" + "0" * 64,
        )
    )

    response = ops.client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["models"]
    assert "opus-gone (id->ja)" in body["checks"]["models"]["detail"]
    assert str(gone) in body["checks"]["models"]["detail"]


# --- /metrics ----------------------------------------------------------------------------------


def test_queue_depth_counts_the_jobs_a_submitted_article_queued(ops: Ops, demo: None) -> None:
    before = scrape(ops.client)
    assert all(
        value(before, "warta_jobs", status="queued", priority="news", lang=lang.value) == 0
        for lang in TARGET_LANGS
    )

    ops.services.newsroom.submit(make_draft("banjir", site="demo"))

    after = scrape(ops.client)
    for lang in TARGET_LANGS:
        assert value(after, "warta_jobs", status="queued", priority="news", lang=lang.value) == 1
        assert value(after, "warta_jobs", status="running", priority="news", lang=lang.value) == 0
    assert value(after, "warta_metrics_database_up") == 1


def test_a_worker_run_counts_segments_and_publish_to_edition_latency(
    ops: Ops, demo: None, register_tiny: Callable[..., list[RegisteredModel]]
) -> None:
    register_tiny(Lang.EN)
    ops.services.newsroom.submit(
        make_draft(
            "banjir", site="demo", body_html="<p>Hujan deras sejak pagi. Warga mengungsi.</p>"
        )
    )
    before = scrape(ops.client)

    summary = ops.services.worker(name="metrics-test").run_until_idle()

    after = scrape(ops.client)
    assert summary.editions == 1
    assert summary.segments_translated > 0
    assert value(after, "warta_segments_translated_total", lang="en") == (
        value(before, "warta_segments_translated_total", lang="en") + summary.segments_translated
    )
    assert value(after, "warta_editions_total", lang="en") == 1
    assert value(after, "warta_publish_to_edition_seconds_count", lang="en") == 1
    assert value(after, "warta_publish_to_edition_seconds_sum", lang="en") >= 0
    assert value(after, "warta_publish_to_edition_seconds_bucket", lang="en", le="+Inf") == 1
    assert value(after, "warta_jobs", status="queued", priority="news", lang="en") == 0
    assert value(after, "warta_jobs", status="queued", priority="news", lang="ja") == 1  # no model


def test_a_failed_batch_counts_an_engine_error_by_kind(ops: Ops, demo: None) -> None:
    ops.services.newsroom.submit(make_draft("banjir", site="demo"))

    summary = ops.services.worker(
        engine=lambda: FakeEngine(fail_targets={Lang.EN}), targets=[Lang.EN]
    ).run_until_idle()

    samples = scrape(ops.client)
    assert summary.failed == 0  # retried later (backoff), not dead-lettered
    assert value(samples, "warta_engine_errors_total", kind="transient", lang="en") == 1
    assert value(samples, "warta_segments_translated_total", lang="en") == 0


def test_a_second_request_for_the_same_page_counts_a_page_cache_hit(
    ops: Ops, sample: SampleSite
) -> None:
    redirect = ops.client.get(f"/en/{sample.full.id}")
    assert redirect.status_code == 301
    page = redirect.headers["location"]
    before = scrape(ops.client)

    assert ops.client.get(page).status_code == 200
    first = scrape(ops.client)
    assert ops.client.get(page).status_code == 200
    second = scrape(ops.client)

    assert value(first, "warta_page_cache_misses_total") > value(
        before, "warta_page_cache_misses_total"
    )
    assert value(first, "warta_page_cache_hits_total") == value(
        before, "warta_page_cache_hits_total"
    )
    assert (
        value(second, "warta_page_cache_hits_total")
        == value(first, "warta_page_cache_hits_total") + 1
    )
    assert value(second, "warta_page_cache_misses_total") == value(
        first, "warta_page_cache_misses_total"
    )


def test_undelivered_webhook_events_are_counted_pending_then_retrying(ops: Ops, demo: None) -> None:
    services = ops.services
    integrations = build_integrations(services, limits=TEST_LIMITS)
    site = services.store.get_site("demo")
    integrations.webhooks.add(
        site_id=site.id,
        url=f"http://127.0.0.1:{free_port()}/hook",  # nothing listens: every delivery fails
        secret="whsec_metrics-test",  # noqa: S106 -- a test webhook's secret
        events=tuple(e.value for e in WebhookEvent),
    )
    services.newsroom.submit(make_draft("banjir", site="demo"))
    services.worker(engine=FakeEngine, targets=[Lang.EN]).run_until_idle()

    written = scrape(ops.client)
    pending = value(written, "warta_webhook_events", state="pending")
    assert pending >= 1
    assert value(written, "warta_webhook_events", state="retrying") == 0

    with integrations.http_client(follow_redirects=False) as http:
        integrations.dispatcher(http).deliver_due()

    tried = scrape(ops.client)
    assert value(tried, "warta_webhook_events", state="pending") == 0
    assert value(tried, "warta_webhook_events", state="retrying") == pending
    assert value(tried, "warta_webhook_events", state="failed") == 0


def test_engine_usage_ledger_errors_are_exposed_per_engine(ops: Ops, demo: None) -> None:
    ledger = EngineStore(ops.services.db)
    ledger.record_usage(engine="deepl", site="demo", requests=10, errors=2)
    ledger.record_usage(engine="deepl", site=None, requests=5, errors=1)
    ledger.record_usage(engine="google", site="demo", requests=3)

    samples = scrape(ops.client)

    assert value(samples, "warta_engine_usage_requests_total", engine="deepl") == 15
    assert value(samples, "warta_engine_usage_errors_total", engine="deepl") == 3
    assert value(samples, "warta_engine_usage_errors_total", engine="google") == 0
    assert ("warta_engine_usage_errors_total", frozenset({("engine", "google")})) in samples


def test_metrics_ask_for_the_bearer_token_when_one_is_set(tmp_path: Path) -> None:
    with ops_with(tmp_path, metrics_token="s3cret-token") as ops:  # noqa: S106 -- a test token
        missing = ops.client.get("/metrics")
        wrong = ops.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        basic = ops.client.get("/metrics", headers={"Authorization": "Basic s3cret-token"})

        assert [missing.status_code, wrong.status_code, basic.status_code] == [401, 401, 401]
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert "s3cret-token" not in missing.text
        samples = scrape(ops.client, Authorization="Bearer s3cret-token")
        assert value(samples, "warta_metrics_database_up") == 1


def test_metrics_are_open_without_a_token(ops: Ops) -> None:
    samples = scrape(ops.client)

    assert value(samples, "warta_page_cache_hits_total") == 0
    assert value(samples, "warta_metrics_database_up") == 1
