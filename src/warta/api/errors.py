"""The one place where errors become HTTP responses.

- :class:`warta.errors.WartaError` -> the status of :data:`_STATUS` and the JSON body
  ``{"error": {"code", "message", "hint", "context"}}`` (401 adds ``WWW-Authenticate``, 429 adds
  ``Retry-After``);
- FastAPI's request validation errors -> the same shape, naming the field and the fix: 400 for a
  body that is not JSON, 422 for wrong fields;
- HTTP errors of the routing itself (404 unknown path, 405 wrong method) -> the same shape, under
  ``/api/`` only (the HTML pages keep their own);
- anything else under ``/api/`` -> 500 with an opaque JSON error (the details go to the log).

:func:`install` also adds the request limits (:mod:`warta.api.limits`) and builds the app's
:class:`~warta.integrations.Integrations`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from warta import errors
from warta.api.limits import API_PREFIX, RequestLimitMiddleware

log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[errors.WartaError], int], ...] = (
    (errors.ArticleTooLargeError, 413),
    (errors.RequestTooLargeError, 413),
    (errors.RequestTimeoutError, 408),
    (errors.EncodingError, 415),
    (errors.UnknownLanguageError, 404),
    (errors.InputError, 422),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.ModelNotFoundError, 503),
    (errors.EngineError, 503),
    (errors.LeaseLostError, 409),
    (errors.AuthenticationError, 401),
    (errors.ForbiddenError, 403),
    (errors.RateLimitError, 429),
)

# Codes for the HTTP errors of routing (unknown path, wrong method...).
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable"}
_LOCATIONS = ("body", "query", "path", "header", "cookie")


def status_for(error: errors.WartaError) -> int:
    for cls, code in _STATUS:
        if isinstance(error, cls):
            return code
    return 500


def error_response(error: errors.WartaError) -> JSONResponse:
    status = status_for(error)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="warta"'
    if status == 429:
        retry = error.context.get("retry_after")
        if isinstance(retry, int | float):
            headers["Retry-After"] = str(max(1, math.ceil(retry)))
    return JSONResponse(status_code=status, content={"error": error.to_dict()}, headers=headers)


async def _handle(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.WartaError)  # noqa: S101 -- registered for WartaError only
    return error_response(exc)


async def _handle_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 -- registered for it only
    if not request.url.path.startswith(API_PREFIX):
        return await request_validation_exception_handler(request, exc)
    problems = list(exc.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        problem = next(p for p in problems if p.get("type") == "json_invalid")
        ctx = problem.get("ctx") or {}
        position = problem.get("loc", ("body", 0))[-1]
        error = errors.FieldError(
            f"the request body is not valid JSON: {ctx.get('error', 'syntax error')} "
            f"at character {position}",
            hint="send one JSON object with Content-Type: application/json",
            field="body",
            position=position,
        )
        return JSONResponse(status_code=400, content={"error": error.to_dict()})
    return error_response(validation_error(problems))


def validation_error(problems: Sequence[Mapping[str, Any]]) -> errors.FieldError:
    """One FieldError naming the first bad field and its fix; ``errors`` lists them all."""
    described = [(field_name(p.get("loc", ())), p) for p in problems]
    field, first = described[0]
    more = f" (and {len(described) - 1} more problem(s), listed in context.errors)"
    return errors.FieldError(
        f"{field}: {first.get('msg', 'invalid value')}" + (more if len(described) > 1 else ""),
        hint=_hint(field, first),
        field=field,
        errors=[f"{name}: {p.get('msg', 'invalid value')}" for name, p in described],
    )


def field_name(loc: Sequence[Any]) -> str:
    """``("body", "tags", 3)`` -> ``tags[3]``; ``("query", "limit")`` -> ``limit``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        if len(parts) == 1:
            return str(parts[0])
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _hint(field: str, problem: Mapping[str, Any]) -> str:
    kind = str(problem.get("type", ""))
    ctx = problem.get("ctx") or {}
    if field == "body" and kind in ("missing", "model_attributes_type", "dict_type"):
        return "send a JSON object with Content-Type: application/json (see /api/docs)"
    hints = {
        "missing": f"add the field `{field}`",
        "extra_forbidden": f"remove `{field}`: it is not a field of this request (see /api/docs)",
        "string_type": f"send `{field}` as a JSON string",
        "string_too_short": f"send a non-empty `{field}`",
        "string_too_long": f"shorten `{field}` to at most {ctx.get('max_length')} characters",
        "too_short": f"send at least {ctx.get('min_length')} item(s) in `{field}`",
        "too_long": f"send at most {ctx.get('max_length')} item(s) in `{field}`",
        "list_type": f"send `{field}` as a JSON array",
        "literal_error": f"use one of {ctx.get('expected')} for `{field}`",
        "enum": f"use one of {ctx.get('expected')} for `{field}`",
        "int_parsing": f"send `{field}` as a whole number",
        "int_type": f"send `{field}` as a whole number",
        "greater_than_equal": f"send `{field}` of at least {ctx.get('ge')}",
        "less_than_equal": f"send `{field}` of at most {ctx.get('le')}",
        "timezone_aware": f"add a UTC offset to `{field}`, e.g. 2025-03-10T09:30:00+07:00",
        "nul_character": f"remove the NUL characters (U+0000) from `{field}`",
        "datetime_out_of_range": (
            f"send `{field}` between {ctx.get('earliest')} and {ctx.get('latest')} in UTC"
        ),
        "datetime_parsing": f"send `{field}` as ISO 8601, e.g. 2025-03-10T09:30:00+07:00",
        "datetime_from_date_parsing": (
            f"send `{field}` as ISO 8601, e.g. 2025-03-10T09:30:00+07:00"
        ),
        "datetime_type": f"send `{field}` as ISO 8601, e.g. 2025-03-10T09:30:00+07:00",
        "model_attributes_type": f"send `{field}` as a JSON object",
        "dict_type": f"send `{field}` as a JSON object",
    }
    return hints.get(kind, f"correct `{field}` and send the request again (see /api/docs)")


async def _handle_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 -- registered for it only
    if not request.url.path.startswith(API_PREFIX):
        return await http_exception_handler(request, exc)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    hint = {
        404: "check the path against the API's description at /api/docs",
        405: "check the method against the API's description at /api/docs",
    }.get(exc.status_code, "")
    body: dict[str, Any] = {"code": code, "message": str(exc.detail)}
    if hint:
        body["hint"] = hint
    return JSONResponse(
        status_code=exc.status_code, content={"error": body}, headers=dict(exc.headers or {})
    )


async def _handle_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    if not request.url.path.startswith(API_PREFIX):
        return PlainTextResponse("Internal Server Error", status_code=500)
    return JSONResponse(
        status_code=500,
        content={
            "error": {
                "code": "internal_error",
                "message": "warta failed to answer this request",
                "hint": "try again later; if it keeps failing, tell the site's administrator",
            }
        },
    )


def install(app: FastAPI) -> None:
    """Error handlers, request limits and the app's integrations (call before the app starts)."""
    from warta.api.deps import integrations_of
    from warta.services import Services

    app.add_exception_handler(errors.WartaError, _handle)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    app.add_exception_handler(Exception, _handle_unexpected)
    app.add_middleware(RequestLimitMiddleware)
    services = getattr(app.state, "services", None)
    if isinstance(services, Services):
        integrations_of(app.state, services)
