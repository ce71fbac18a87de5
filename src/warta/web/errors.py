"""Error pages: HTML in the requested language for the site, the API's own answers under /api.

- HTTP errors (no such route, a handler's 404) -> the site's error page, or FastAPI's JSON under
  ``/api``.
- :class:`~warta.errors.WartaError` -> the API's handler (``warta.api.errors``, the one place that
  maps errors to statuses) under ``/api``; the error page with that status elsewhere.
- Anything unexpected -> a plain 500 page (no stack trace, no database access), logged by the
  server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from warta.api.errors import status_for
from warta.errors import WartaError
from warta.web import pages
from warta.web.routes import base_url, error_lang
from warta.web.state import WebState

Handler = Callable[[Request, Exception], Awaitable[Response]]
log = logging.getLogger("warta.web")


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def _render(request: Request, status: int, *, with_site: bool) -> bytes:
    state = request.app.state.web
    assert isinstance(state, WebState)  # noqa: S101 -- create_app sets it
    site = None
    if with_site:
        try:
            site = state.sites.site(request)
        except WartaError:
            site = None
    req = pages.PageRequest(
        state=state, site=site, lang=error_lang(request), base_url=base_url(request)
    )
    return pages.error_page(req, status=status)


async def error_page(request: Request, status: int, *, with_site: bool = True) -> HTMLResponse:
    body = await run_in_threadpool(_render, request, status, with_site=with_site)
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Install after ``warta.api.errors.install``: its handlers keep answering under /api."""
    previous = dict(app.exception_handlers)

    def api_handler(kind: type[Exception]) -> Handler | None:
        return previous.get(kind)

    api_http, api_warta, api_crash = (
        api_handler(HTTPException),
        api_handler(WartaError),
        api_handler(Exception),
    )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)  # noqa: S101 -- registered for HTTPException
        if _is_api(request):
            if api_http is not None:
                return await api_http(request, exc)
            return await http_exception_handler(request, exc)
        return await error_page(request, exc.status_code)

    async def on_warta_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WartaError)  # noqa: S101 -- registered for WartaError
        if _is_api(request) and api_warta is not None:
            return await api_warta(request, exc)
        status = status_for(exc)
        if status >= 500:
            log.error("page %s failed: %s", request.url.path, exc)
        # Bad input on a page (unknown article, language...) reads as "no such page".
        return await error_page(request, 404 if 400 <= status < 500 else status)

    async def on_crash(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            if api_crash is not None:
                return await api_crash(request, exc)
            return PlainTextResponse("Internal Server Error", status_code=500)
        log.error("page %s crashed", request.url.path, exc_info=exc)
        return await error_page(request, 500, with_site=False)

    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(WartaError, on_warta_error)
    app.add_exception_handler(Exception, on_crash)
