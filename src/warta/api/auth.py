"""Who is calling: the site of an API key (Bearer), or an editor's login session (cookie).

:data:`SiteDep` authenticates the key (failures are limited per client address, then 429),
applies the key's rate limit and gives the handler the key's site; every lookup the handler makes
is scoped to that site. :data:`EditorDep` reads the session cookie; :data:`EditorWriteDep` also
requires the session's CSRF token in ``X-CSRF-Token`` (cookie-authenticated writes only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from warta.api.deps import IntegrationsDep
from warta.errors import RateLimitError
from warta.store.editors import EditorSession

SESSION_COOKIE = "warta_session"

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="wrt_…",
    description="An API key of the site, made by `warta keys create --site SITE`.",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="An editor's session, set by POST /api/v1/editor/login.",
)


@dataclass(frozen=True, slots=True)
class SiteAccess:
    """The site a request acts for, and the key it used."""

    site_id: int
    site: str  # slug
    key_prefix: str


def site_access(
    request: Request,
    integrations: IntegrationsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> SiteAccess:
    key = integrations.authenticator.authenticate(
        credentials.credentials if credentials else None,
        address=request.client.host if request.client else None,
    )
    wait = integrations.rate_limiter.acquire(key.prefix)
    if wait > 0:
        limiter = integrations.rate_limiter
        raise RateLimitError(
            f"too many requests with key {key.prefix}: the limit is {limiter.rate:g} a second "
            f"on average, {limiter.burst} at once",
            retry_after=wait,
            prefix=key.prefix,
        )
    return SiteAccess(site_id=key.site_id, site=key.site, key_prefix=key.prefix)


SiteDep = Annotated[SiteAccess, Depends(site_access)]


def editor_session(
    integrations: IntegrationsDep,
    token: Annotated[str | None, Depends(session_cookie)],
) -> EditorSession:
    return integrations.accounts.session(token)


EditorDep = Annotated[EditorSession, Depends(editor_session)]


def editor_write(
    integrations: IntegrationsDep,
    session: EditorDep,
    x_csrf_token: Annotated[
        str | None,
        Header(description="The csrf_token of the login response; required on every change."),
    ] = None,
) -> EditorSession:
    integrations.accounts.check_csrf(session, x_csrf_token)
    return session


EditorWriteDep = Annotated[EditorSession, Depends(editor_write)]
