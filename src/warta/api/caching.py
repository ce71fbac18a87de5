"""Conditional GET: strong ETags over the exact JSON body, and ``If-None-Match`` -> 304.

The ETag is a hash of the response body, so it changes exactly when the representation does
(a new revision, an edition translated, corrected or approved). Responses are private to the
caller (``Cache-Control: private, no-cache``): caches must revalidate, and never share them
between keys.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

CACHE_CONTROL = "private, no-cache"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag in If-None-Match is current."}
}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """True if the ``If-None-Match`` header names ``etag`` (weak comparison) or is ``*``."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == wanted:
            return True
    return False


def cached_json(request: Request, model: BaseModel, *, status_code: int = 200) -> Response:
    body = model.model_dump_json().encode("utf-8")
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization, Cookie"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(
        content=body, status_code=status_code, media_type="application/json", headers=headers
    )
