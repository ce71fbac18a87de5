"""The one place where :class:`warta.errors.WartaError` becomes an HTTP response."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from warta import errors

_STATUS: tuple[tuple[type[errors.WartaError], int], ...] = (
    (errors.ArticleTooLargeError, 413),
    (errors.EncodingError, 415),
    (errors.UnknownLanguageError, 404),
    (errors.InputError, 422),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.ModelNotFoundError, 503),
    (errors.EngineError, 503),
    (errors.LeaseLostError, 409),
)


def status_for(error: errors.WartaError) -> int:
    for cls, code in _STATUS:
        if isinstance(error, cls):
            return code
    return 500


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.WartaError)  # noqa: S101 -- registered for WartaError only
    return JSONResponse(status_code=status_for(exc), content={"error": exc.to_dict()})


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.WartaError, _handle)
