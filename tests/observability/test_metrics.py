"""The metrics registry of one application: its own, scraped without failing, served by workers."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from warta.config import Settings
from warta.languages import Lang
from warta.observability.metrics import Metrics
from warta.services import Services, build_services
from warta.store.session import make_engine

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples_of(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def parse(metrics: Metrics) -> Samples:
    body, _ = metrics.exposition()
    return samples_of(body.decode())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_each_application_counts_in_its_own_registry_never_the_global_one(
    services: Services, tmp_path: Path
) -> None:
    other = build_services(Settings(home=tmp_path / "other"))
    try:
        services.metrics.observer().edition_recorded(
            lang=Lang.EN, site_id=1, segments_translated=7, latency_seconds=3.0
        )

        mine, theirs = parse(services.metrics), parse(other.metrics)
    finally:
        other.close()
    key = ("warta_segments_translated_total", frozenset({("lang", "en")}))
    assert mine[key] == 7
    assert key not in theirs
    assert b"warta_" not in generate_latest(REGISTRY)


def test_the_observer_counts_editions_segments_latency_and_errors() -> None:
    metrics = Metrics()
    observer = metrics.observer()

    observer.edition_recorded(lang=Lang.JA, site_id=1, segments_translated=4, latency_seconds=0.4)
    observer.edition_recorded(lang=Lang.JA, site_id=2, segments_translated=0, latency_seconds=None)
    observer.edition_recorded(lang=Lang.JA, site_id=2, segments_translated=1, latency_seconds=-2)
    observer.batch_failed(lang=Lang.JA, error_kind="permanent")
    observer.batch_failed(lang=Lang.JA, error_kind="")

    samples = parse(metrics)
    ja = ("lang", "ja")
    assert samples[("warta_editions_total", frozenset({ja}))] == 3
    assert samples[("warta_segments_translated_total", frozenset({ja}))] == 5
    # only the first had a (sensible) latency: 0.4 s falls in the 0.5 s bucket, not 0.25 s
    assert samples[("warta_publish_to_edition_seconds_count", frozenset({ja}))] == 1
    assert (
        samples[("warta_publish_to_edition_seconds_bucket", frozenset({ja, ("le", "0.25")}))] == 0
    )
    assert samples[("warta_publish_to_edition_seconds_bucket", frozenset({ja, ("le", "0.5")}))] == 1
    assert samples[("warta_engine_errors_total", frozenset({ja, ("kind", "permanent")}))] == 1
    assert samples[("warta_engine_errors_total", frozenset({ja, ("kind", "unknown")}))] == 1


def test_a_scrape_answers_when_the_database_does_not(tmp_path: Path) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'warta.db'}")
    metrics = Metrics(db=unreachable)
    metrics.observer().batch_failed(lang=Lang.FR, error_kind="transient")

    samples = parse(metrics)

    assert samples[("warta_metrics_database_up", frozenset())] == 0
    assert not any(name == "warta_jobs" for name, _ in samples)
    key = ("warta_engine_errors_total", frozenset({("lang", "fr"), ("kind", "transient")}))
    assert samples[key] == 1


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it() -> None:
    body, content_type = Metrics().exposition("application/openmetrics-text; version=1.0.0")

    assert content_type.startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")


def test_a_worker_process_serves_its_metrics_on_the_metrics_port(tmp_path: Path) -> None:
    port = free_port()
    services = build_services(Settings(home=tmp_path, metrics_port=port))
    try:
        assert services.metrics.port is None  # nothing served before a worker is built
        services.worker(name="first")
        services.worker(name="second")  # the same server: started once per process

        response = httpx.get(f"http://127.0.0.1:{port}/metrics")

        assert services.metrics.port == port
        assert response.status_code == 200
        samples = samples_of(response.text)
        assert samples[("warta_metrics_database_up", frozenset())] == 1
    finally:
        services.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")


def test_a_taken_metrics_port_is_logged_and_the_worker_still_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 -- the same address the metrics server binds
        taken.listen()
        port = int(taken.getsockname()[1])
        services = build_services(Settings(home=tmp_path, metrics_port=port))
        try:
            with caplog.at_level(logging.WARNING, logger="warta.observability.metrics"):
                worker = services.worker(name="busy-port")
            summary = worker.run_until_idle()
        finally:
            services.close()

    assert summary.editions == 0
    assert services.metrics.port is None
    assert f"cannot serve metrics on 0.0.0.0:{port}" in caplog.text


def test_metrics_port_zero_serves_nothing(services: Services) -> None:
    services.worker(name="quiet")

    assert services.settings.metrics_port == 0
    assert services.metrics.port is None
