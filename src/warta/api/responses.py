"""The error responses every endpoint documents in the OpenAPI description."""

from __future__ import annotations

from typing import Any

from warta.api.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "No API key, or an unknown or revoked one (or no editor session).",
    403: "Authenticated, but the request lacks the CSRF token.",
    404: "No such article, edition, webhook, or path (within the caller's site).",
    408: "The request body did not arrive in time.",
    409: "Conflicts with what is stored (e.g. another article under this external_id).",
    413: "The request body, or the article, is too large.",
    415: "The text is not valid UTF-8.",
    422: "A field has the wrong type or value; context.field names it.",
    429: "Too many requests for this key; see Retry-After.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


# Every request may meet these: the body limits, the key, validation and the rate limit.
KEYED = errors(400, 401, 408, 413, 422, 429)
