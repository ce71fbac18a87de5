"""What operators and orchestrators call: liveness, readiness and Prometheus metrics.

``GET /healthz``
    liveness: the process answers. Reads nothing (no database), so a database outage never gets
    a healthy process restarted. ``{"status": "ok", "version": ...}``.
``GET /readyz``
    readiness (:mod:`warta.observability.health`): database, migrations, broker, models. 200 with
    every check when all pass, 503 naming the failing ones (``"failing": ["migrations"]``).
``GET /metrics``
    Prometheus exposition of ``Services.metrics`` (:mod:`warta.observability.metrics`), text
    format or OpenMetrics as the ``Accept`` header asks. Open unless ``WARTA_METRICS_TOKEN`` is
    set; then it asks for ``Authorization: Bearer <token>`` (401 otherwise). Scrape it from inside
    the network: queue depths and engine names are not secrets, but not for the public either.

None of them is cached or depends on the Host (:mod:`warta.web.fast` passes them through).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from warta import __version__
from warta.api.errors import error_response
from warta.errors import AuthenticationError
from warta.observability.health import ReadinessChecks
from warta.services import Services

__all__ = ["install_ops", "router"]

router = APIRouter(include_in_schema=False)


def install_ops(app: FastAPI, services: Services) -> None:
    """Add the routes, the readiness checks, and count the site's page cache in the metrics
    (call after ``app.state.web`` is built, before the site's catch-all routes)."""
    app.state.readiness = ReadinessChecks(db=services.db, broker_url=services.settings.broker_url)
    services.metrics.watch_page_cache(app.state.web.cache)
    app.include_router(router)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    checks: ReadinessChecks = request.app.state.readiness
    readiness = checks.run()
    return JSONResponse(
        readiness.as_json(),
        status_code=200 if readiness.ok else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    token = services.settings.metrics_token.get_secret_value()
    if token and not _bearer_matches(request.headers.get("authorization"), token):
        return error_response(
            AuthenticationError(
                "/metrics needs the metrics token",
                hint="send `Authorization: Bearer <WARTA_METRICS_TOKEN>` (the scraper's "
                "bearer_token / authorization setting)",
            )
        )
    body, content_type = services.metrics.exposition(request.headers.get("accept"))
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


def _bearer_matches(header: str | None, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
