"""``create_app(services)``: the ASGI application serving the site and the API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from warta import __version__
from warta.api import errors as api_errors
from warta.api.docs import install_docs
from warta.api.routes import router as api_router
from warta.desk import mount_desk
from warta.services import Services
from warta.web import errors as web_errors
from warta.web.fast import ChangeListener, FastPages
from warta.web.hosts import install_host_checks
from warta.web.ops import install_ops
from warta.web.routes import router as web_router
from warta.web.state import WebState


def create_app(services: Services, *, cache_clock: Callable[[], float] | None = None) -> FastAPI:
    """The site (HTML pages, feeds, sitemaps, static files) and the JSON API under /api.

    ``cache_clock`` (monotonic seconds) times the reads of the store's change counter
    (:mod:`warta.web.fast`); tests pass their own."""
    app = FastAPI(
        title="warta",
        version=__version__,
        docs_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_listen_for_changes,
    )
    install_docs(app, openapi_url="/api/openapi.json")  # Swagger UI without a CDN
    app.state.services = services
    app.state.web = WebState.build(services, clock=cache_clock or time.monotonic)
    api_errors.install(app)
    web_errors.install(app)
    app.include_router(api_router)

    install_ops(app, services)  # /healthz, /readyz, /metrics (warta.web.ops)

    mount_desk(app)  # the review desk under /desk/, before the site's /{lang}/... routes
    app.mount("/static", StaticFiles(packages=[("warta.web", "static")]), name="static")
    app.include_router(web_router)
    # Cache hits answered before the rest of the stack, without the database (warta.web.fast).
    app.add_middleware(FastPages, watch=app.state.web.watch, on_hit=app.state.web.cache.note_hit)
    install_host_checks(app, services.settings)  # outermost: Vary: Host, WARTA_TRUSTED_HOSTS
    return app


@asynccontextmanager
async def _listen_for_changes(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs on PostgreSQL, other processes' writes invalidate the page cache at
    once (LISTEN/NOTIFY); the periodic read of the change counter stays as the safety net."""
    services: Services = app.state.services
    listener: ChangeListener | None = None
    if services.db.dialect.name == "postgresql":
        listener = ChangeListener(services.db.url, app.state.web.watch)
        listener.start()
    try:
        yield
    finally:
        if listener is not None:
            listener.close()


def app_from_environment() -> FastAPI:
    """The app of one ``warta serve --workers N`` process: settings from ``WARTA_*`` variables,
    the database already migrated by the parent."""
    from warta.config import Settings
    from warta.observability.logs import configure_from_settings
    from warta.services import build_services

    settings = Settings()
    configure_from_settings(settings)  # a spawned server process: log as the parent does
    return create_app(build_services(settings, migrate=False))
