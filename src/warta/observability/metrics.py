"""Prometheus metrics in a registry owned by the application (never the global default one).

:func:`warta.services.build_services` builds one :class:`Metrics` per process and keeps it on
``Services.metrics``; nothing is collected or registered at import time. What it holds:

Counted in the process (the worker's :class:`MetricsObserver`, the site's page cache):

``warta_segments_translated_total{lang}``
    sentences the engine translated (memory reuse not counted): ``rate()`` is segments per second;
``warta_editions_total{lang}``
    editions recorded by this process's workers;
``warta_publish_to_edition_seconds{lang}`` (histogram)
    from a revision's ``created_at`` (the article published or edited) to its edition stored;
    buckets from a quarter second (GPU) to two hours (a backlog on CPU);
``warta_engine_errors_total{kind,lang}``
    batches that failed, by :class:`~warta.domain.JobErrorKind` (``transient``, ``permanent``);
``warta_page_cache_hits_total``, ``warta_page_cache_misses_total``
    the site's page cache (:mod:`warta.web.cache`; hits answered by :mod:`warta.web.fast`
    included), read from the cache's own counters at scrape time.

Read from the database at scrape time (one short connection, three grouped queries):

``warta_jobs{status,priority,lang}``
    queue depth: jobs ``queued``, ``running`` and ``failed`` (dead letters), by priority
    (``news``, ``retranslate``, ``backfill``) and target language; every combination of the
    configured targets is present, 0 when empty, so alerts see a drop to zero;
``warta_engine_usage_requests_total{engine}``, ``warta_engine_usage_errors_total{engine}``
    what the ``engine_usage`` ledger holds for each configured (remote) engine;
``warta_webhook_events{state}``
    the webhook outbox: ``pending`` (never tried), ``retrying`` (failed at least once, to be
    tried again) and ``failed`` (attempts spent: not delivered);
``warta_metrics_database_up``
    1 when those queries answered, 0 when the database did not (the other series are left out).

Counters live per process: with ``warta serve --workers N`` each server process answers for
itself, and a scrape reaches one of them; the database-derived series are the same in all.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol
from wsgiref.simple_server import WSGIServer

import sqlalchemy
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from sqlalchemy import and_, case, func, select

from warta.domain import JobPriority, JobStatus
from warta.languages import TARGET_LANGS, Lang
from warta.store.tables import EngineUsageRow, JobRow, WebhookEventRow

__all__ = [
    "LATENCY_BUCKETS",
    "Metrics",
    "MetricsObserver",
]

log = logging.getLogger(__name__)

# Seconds: sub-second GPU batches up to a two-hour backlog on CPU.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1200.0,
    1800.0,
    3600.0,
    7200.0,
)
_DEPTH_STATES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)
_WEBHOOK_STATES = ("pending", "retrying", "failed")


class CacheCounts(Protocol):
    hits: int
    misses: int


class CountingCache(Protocol):
    """What :class:`~warta.web.cache.PageCache` offers: its hits and misses so far."""

    def stats(self) -> CacheCounts: ...


class Metrics:
    """The metrics of one process, in :attr:`registry`.

    ``db``: read at scrape time for the queue depth, engine usage and the webhook outbox (None:
    no database-derived series). ``targets``: the languages whose queue depth is always shown.
    """

    def __init__(
        self, *, db: sqlalchemy.Engine | None = None, targets: Sequence[Lang] = TARGET_LANGS
    ) -> None:
        self.registry = CollectorRegistry()
        self.segments_translated = Counter(
            "warta_segments_translated",
            "Sentences translated by the engine (reused ones not counted)",
            ["lang"],
            registry=self.registry,
        )
        self.editions = Counter(
            "warta_editions", "Editions recorded by this process", ["lang"], registry=self.registry
        )
        self.publish_latency = Histogram(
            "warta_publish_to_edition_seconds",
            "From a revision stored (published or edited) to its edition recorded",
            ["lang"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.engine_errors = Counter(
            "warta_engine_errors",
            "Translation batches that failed, by error kind (transient, permanent)",
            ["kind", "lang"],
            registry=self.registry,
        )
        self._caches = _PageCacheCollector()
        self.registry.register(self._caches)
        if db is not None:
            self.registry.register(_DatabaseCollector(db, targets=targets))
        self._lock = threading.Lock()
        self._serving = False
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def observer(self) -> MetricsObserver:
        """A :class:`~warta.workers.observe.WorkerObserver` feeding these metrics."""
        return MetricsObserver(self)

    def watch_page_cache(self, cache: CountingCache) -> None:
        """Count ``cache``'s hits and misses (summed over every cache watched and alive)."""
        self._caches.add(cache)

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The registry in the format ``accept`` asks for (Prometheus text by default, or
        OpenMetrics): ``(body, content type)``."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type

    def serve(self, port: int, *, addr: str = "0.0.0.0") -> int | None:  # noqa: S104 -- scraped from outside the container
        """Serve the registry over HTTP on ``port`` (``/metrics`` and every other path), once per
        process: later calls do nothing. The port bound, or None when off (0) or taken (logged:
        the work goes on without it)."""
        with self._lock:
            if self._serving or port <= 0:
                return self.port
            self._serving = True
            try:
                server, thread = start_http_server(port, addr=addr, registry=self.registry)
            except OSError as exc:
                log.warning("cannot serve metrics on %s:%d: %s", addr, port, exc)
                return None
            self._server, self._thread = server, thread
            log.info("metrics on http://%s:%d/metrics", addr, server.server_port)
            return int(server.server_port)

    @property
    def port(self) -> int | None:
        """The port :meth:`serve` bound, if it did."""
        server = self._server
        return None if server is None else int(server.server_port)

    def close(self) -> None:
        """Stop the HTTP server :meth:`serve` started, if any."""
        with self._lock:
            server, self._server = self._server, None
            thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)


class MetricsObserver:
    """What a worker reports, counted: a :class:`~warta.workers.observe.WorkerObserver`."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def edition_recorded(
        self,
        *,
        lang: Lang,
        site_id: int,  # noqa: ARG002 -- not a label: one series per site would not scale
        segments_translated: int,
        latency_seconds: float | None,
    ) -> None:
        m = self._metrics
        m.editions.labels(lang=lang.value).inc()
        if segments_translated > 0:
            m.segments_translated.labels(lang=lang.value).inc(segments_translated)
        if latency_seconds is not None and latency_seconds >= 0:
            m.publish_latency.labels(lang=lang.value).observe(latency_seconds)

    def batch_failed(self, *, lang: Lang, error_kind: str) -> None:
        kind = error_kind or "unknown"
        self._metrics.engine_errors.labels(kind=kind, lang=lang.value).inc()


class _PageCacheCollector:
    """Page cache hits and misses, read from the caches' own counters at scrape time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caches: weakref.WeakSet[CountingCache] = weakref.WeakSet()

    def add(self, cache: CountingCache) -> None:
        with self._lock:
            self._caches.add(cache)

    def describe(self) -> Iterable[Metric]:
        return self._families(0, 0)

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            caches = list(self._caches)
        hits = misses = 0
        for cache in caches:
            stats = cache.stats()
            hits += stats.hits
            misses += stats.misses
        return self._families(hits, misses)

    @staticmethod
    def _families(hits: int, misses: int) -> list[Metric]:
        return [
            CounterMetricFamily(
                "warta_page_cache_hits", "Pages answered from the page cache", value=hits
            ),
            CounterMetricFamily(
                "warta_page_cache_misses", "Pages rendered for want of a cached copy", value=misses
            ),
        ]


class _DatabaseCollector:
    """Queue depth, engine usage and the webhook outbox, read at scrape time."""

    def __init__(self, db: sqlalchemy.Engine, *, targets: Sequence[Lang]) -> None:
        self._db = db
        self._targets = tuple(targets)

    def describe(self) -> Iterable[Metric]:
        return [*self._empty(), _up(1)]

    def collect(self) -> Iterator[Metric]:
        try:
            with self._db.connect() as connection:
                jobs = connection.execute(_jobs_query()).all()
                usage = connection.execute(_usage_query()).all()
                hooks = connection.execute(_webhooks_query()).all()
        except Exception as exc:  # noqa: BLE001 -- a scrape answers (the rest) without the database
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            log.warning("metrics: cannot read the database: %s", reason or type(exc).__name__)
            yield _up(0)
            return
        depth, requests, errors, outbox = self._empty()
        counts: dict[tuple[str, str, str], int] = {
            (state.value, _priority(p), lang.value): 0
            for state in _DEPTH_STATES
            for p in JobPriority
            for lang in self._targets
        }
        for status, priority, lang, count in jobs:
            key = (str(status), _priority(int(priority)), str(lang))
            counts[key] = counts.get(key, 0) + int(count)
        for labels, n in sorted(counts.items()):
            depth.add_metric(list(labels), n)
        for engine, sent, failed in usage:
            requests.add_metric([str(engine)], int(sent or 0))
            errors.add_metric([str(engine)], int(failed or 0))
        states = dict.fromkeys(_WEBHOOK_STATES, 0)
        for state, count in hooks:
            states[str(state)] = states.get(str(state), 0) + int(count)
        for state, count in states.items():
            outbox.add_metric([state], count)
        yield from (depth, requests, errors, outbox, _up(1))

    @staticmethod
    def _empty() -> tuple[
        GaugeMetricFamily, CounterMetricFamily, CounterMetricFamily, GaugeMetricFamily
    ]:
        return (
            GaugeMetricFamily(
                "warta_jobs",
                "Translation jobs by status (queued, running, failed), priority and language",
                labels=["status", "priority", "lang"],
            ),
            CounterMetricFamily(
                "warta_engine_usage_requests",
                "Requests sent to each engine (engine_usage ledger)",
                labels=["engine"],
            ),
            CounterMetricFamily(
                "warta_engine_usage_errors",
                "Requests to each engine that failed (engine_usage ledger)",
                labels=["engine"],
            ),
            GaugeMetricFamily(
                "warta_webhook_events",
                "Webhook events not delivered: pending, retrying (failed before), failed (gave up)",
                labels=["state"],
            ),
        )


def _up(value: int) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "warta_metrics_database_up",
        "Whether the database answered the metrics queries of this scrape",
        value=value,
    )


def _priority(value: int) -> str:
    try:
        return JobPriority(value).name.lower()
    except ValueError:
        return str(value)


def _jobs_query() -> sqlalchemy.Select[str, int, str, int]:
    return (
        select(JobRow.status, JobRow.priority, JobRow.lang, func.count())
        .where(JobRow.status.in_([s.value for s in _DEPTH_STATES]))
        .group_by(JobRow.status, JobRow.priority, JobRow.lang)
    )


def _usage_query() -> sqlalchemy.Select[str, int, int]:
    return select(
        EngineUsageRow.engine, func.sum(EngineUsageRow.requests), func.sum(EngineUsageRow.errors)
    ).group_by(EngineUsageRow.engine)


def _webhooks_query() -> sqlalchemy.Select[str, int]:
    """Undelivered events by state; ``retrying``: pending, but tried (and failed) before."""
    state = case(
        (and_(WebhookEventRow.status == "pending", WebhookEventRow.attempts > 0), "retrying"),
        else_=WebhookEventRow.status,
    ).label("state")
    return (
        select(state, func.count())
        .where(WebhookEventRow.status.in_(["pending", "failed"]))
        .group_by(state)
    )
