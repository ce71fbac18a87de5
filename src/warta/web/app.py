"""``create_app(services)``: the ASGI application serving the site and the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from warta import __version__
from warta.api import errors as api_errors
from warta.api.docs import install_docs
from warta.api.routes import router as api_router
from warta.desk import mount_desk
from warta.services import Services
from warta.web import errors as web_errors
from warta.web.routes import router as web_router
from warta.web.state import WebState


def create_app(services: Services) -> FastAPI:
    """The site (HTML pages, feeds, sitemaps, static files) and the JSON API under /api."""
    app = FastAPI(
        title="warta", version=__version__, docs_url=None, openapi_url="/api/openapi.json"
    )
    install_docs(app, openapi_url="/api/openapi.json")  # Swagger UI without a CDN
    app.state.services = services
    app.state.web = WebState.build(services)
    api_errors.install(app)
    web_errors.install(app)
    app.include_router(api_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    mount_desk(app)  # the review desk under /desk/, before the site's /{lang}/... routes
    app.mount("/static", StaticFiles(packages=[("warta.web", "static")]), name="static")
    app.include_router(web_router)
    return app
