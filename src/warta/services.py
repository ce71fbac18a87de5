"""The composition root: build every long-lived object from :class:`Settings`, once.

The CLI, the web app, workers and tests all call :func:`build_services`; nothing else constructs
stores, queues or engines, and nothing is global.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy

from warta.config import Settings
from warta.domain import RegisteredModel
from warta.engines.base import Decoding, Engine
from warta.engines.setup import (
    EngineConfig,
    RouteConfig,
    SettingsFile,
    environment,
    load_settings_file,
    merge,
    merge_routes,
)
from warta.ingest.validate import Validator
from warta.languages import Lang
from warta.newsroom import Newsroom
from warta.observability.metrics import Metrics
from warta.quality.estimator import QualityEstimator
from warta.store.engines import EngineStore
from warta.store.repository import Store
from warta.store.session import check_database, make_engine, upgrade_database
from warta.workers.queue import SqlJobQueue
from warta.workers.runner import Worker


class EngineProvider:
    """Builds the translation engine from the registered models, and rebuilds it when they change.

    Loading CTranslate2 is deferred to the first use, so processes that never translate never
    import it.
    """

    def __init__(
        self, *, store: Store, settings: Settings, engines: EngineStore | None = None
    ) -> None:
        self._store = store
        self._settings = settings
        self._engines = engines
        self._lock = threading.Lock()
        self._models: tuple[RegisteredModel, ...] | None = None
        self._engine: Engine | None = None
        self._file: SettingsFile | None = None
        self._routing: tuple[object, ...] = ()
        self._router: Engine | None = None
        self._retired: list[Engine] = []  # routers replaced after a configuration change

    @property
    def decoding(self) -> Decoding:
        s = self._settings
        return Decoding(
            beam_size=s.beam_size,
            num_hypotheses=s.num_hypotheses,
            length_penalty=s.length_penalty,
            context_sentences=s.context_sentences,
            max_decoding_length=s.max_decoding_length,
            batch_tokens=s.batch_tokens,
        )

    def __call__(self) -> Engine:
        """The local engine, or a :class:`~warta.engines.router.Router` over it where routes
        are configured (database or settings file; the database wins, see
        :mod:`warta.engines.setup`)."""
        local = self.local()
        configs, routes = self.configuration()
        if not routes:
            return local
        with self._lock:
            if self._router is None or (local, configs, routes) != self._routing:
                self._close_router()
                self._router = self._route(local, configs=configs, routes=routes)
                self._routing = (local, configs, routes)
            return self._router

    def local(self) -> Engine:
        """The local engine (CTranslate2 on the registered models), never routed."""
        models = tuple(self._store.list_models())
        with self._lock:
            if self._engine is None or models != self._models:
                self._engine = self._build(models)
                self._models = models
                self._close_router()
            return self._engine

    def close(self) -> None:
        """Close the remote engines' connections (the local engine needs nothing)."""
        with self._lock:
            self._close_router()
            retired, self._retired = self._retired, []
        for router in retired:
            close = getattr(router, "close", None)
            if callable(close):
                close()

    def _close_router(self) -> None:
        """Retire the router: a batch may still be translating with it on the engine thread,
        so its connections are closed with the provider, not now."""
        if self._router is not None:
            self._retired.append(self._router)
        self._router = None

    def configuration(self) -> tuple[tuple[EngineConfig, ...], tuple[RouteConfig, ...]]:
        """Every configured engine and route, the settings file's merged under the database's."""
        if self._file is None:
            self._file = load_settings_file(self._settings.engines_file)
        stored = self._engines.engines() if self._engines is not None else []
        routes = self._engines.routes() if self._engines is not None else []
        return (
            tuple(merge(database=stored, file=self._file.engines)),
            tuple(merge_routes(database=routes, file=self._file.routes)),
        )

    def _route(
        self, local: Engine, *, configs: Sequence[EngineConfig], routes: Sequence[RouteConfig]
    ) -> Engine:
        from warta.engines.build import build_remote
        from warta.engines.router import Router

        env = environment()
        return Router(
            default=local,
            configs=configs,
            routes=routes,
            build=lambda config, on_usage: build_remote(config, on_usage=on_usage, env=env),
            ledger=self._engines,
        )

    def _build(self, models: Sequence[RegisteredModel]) -> Engine:
        from warta.engines.ctranslate2 import CTranslate2Engine

        s = self._settings
        return CTranslate2Engine(
            models,
            decoding=self.decoding,
            device=s.device,
            compute_type=s.compute_type,
            routes=dict(s.routes),
            inter_threads=s.inter_threads,
            intra_threads=s.intra_threads,
        )


@dataclass
class Services:
    settings: Settings
    db: sqlalchemy.Engine
    store: Store
    queue: SqlJobQueue
    validator: Validator
    engine: EngineProvider
    newsroom: Newsroom
    estimator: QualityEstimator
    metrics: Metrics = field(default_factory=Metrics)  # Prometheus (warta.observability.metrics)
    _closed: bool = field(default=False, repr=False)

    def worker(
        self,
        *,
        name: str | None = None,
        engine: Callable[[], Engine] | None = None,
        targets: Sequence[Lang] | None = None,
        jobs_per_batch: int | None = None,
        estimator: QualityEstimator | None = None,
    ) -> Worker:
        """A worker that announces its recorded editions' webhook events (outbox): after each
        edition it writes the events its done jobs owe (:mod:`warta.integrations.announce`; a
        crash in between leaves them to the next announcer, e.g. ``warta webhooks deliver``).

        The keyword overrides (engine, targets, batch size, estimator) default to this
        application's; the benchmarks use them to run production's worker on their own engine.
        """
        from warta.integrations.announce import Announcer

        announcer = Announcer(self.db)
        s = self.settings
        self.metrics.serve(s.metrics_port)  # WARTA_METRICS_PORT: once per process; 0 = off
        return Worker(
            store=self.store,
            queue=self.queue,
            engine=engine or self.engine,
            targets=s.targets if targets is None else targets,
            name=name,
            lease_seconds=s.job_lease_seconds,
            jobs_per_batch=s.jobs_per_batch if jobs_per_batch is None else jobs_per_batch,
            estimator=estimator or self.estimator,
            on_recorded=lambda _edition, _site_id: announcer.announce_pending(),
            observer=self.metrics.observer(),
        )

    def close(self) -> None:
        if not self._closed:
            self.metrics.close()
            self.engine.close()
            self.db.dispose()
            self._closed = True


def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    """Build the application from settings; runs database migrations unless ``migrate=False``."""
    if not settings.database_url:
        settings.home.mkdir(parents=True, exist_ok=True)
    db = make_engine(settings.resolved_database_url)
    check_database(db)  # a wrong or unreachable URL fails here, clearly, within the timeout
    if migrate:
        upgrade_database(db)
    store = Store(db)
    queue = SqlJobQueue(
        db,
        max_attempts=settings.job_max_attempts,
        retry_base_seconds=settings.job_retry_base_seconds,
        retry_max_seconds=max(settings.job_retry_max_seconds, settings.job_retry_base_seconds),
    )
    validator = Validator(
        max_bytes=settings.max_article_bytes,
        min_confidence=settings.min_indonesian_confidence,
        max_segments=settings.max_segments,
        max_repeated_share=settings.max_repeated_share,
    )
    newsroom = Newsroom(store=store, queue=queue, validator=validator, targets=settings.targets)
    return Services(
        settings=settings,
        db=db,
        store=store,
        queue=queue,
        validator=validator,
        engine=EngineProvider(store=store, settings=settings, engines=EngineStore(db)),
        newsroom=newsroom,
        estimator=QualityEstimator(),
        metrics=Metrics(db=db, targets=settings.targets),
    )
