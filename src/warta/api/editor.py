"""Editors' endpoints, on the login session: log in and out, review, correct, approve.

Writes need the session cookie *and* the CSRF token in ``X-CSRF-Token``. Every lookup is scoped to
the editor's site.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from warta.api.auth import (
    SESSION_COOKIE,
    EditorDep,
    EditorWriteDep,
    editor_write,
    session_cookie,
)
from warta.api.deps import IntegrationsDep
from warta.api.responses import errors
from warta.api.schemas import (
    CorrectionRequest,
    EditionPublic,
    EditorPublic,
    LoginRequest,
    LoginResult,
    ReviewItem,
    ReviewList,
    TargetLang,
    target,
)
from warta.errors import RateLimitError

router = APIRouter(prefix="/editor", tags=["editor"], responses=errors(400, 401, 408, 413, 422))

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=200)]
LangPath = Annotated[TargetLang, Path()]
COOKIE_PATH = "/api/v1/editor"


@router.post("/login", responses=errors(429))
def login(
    body: LoginRequest, request: Request, response: Response, integrations: IntegrationsDep
) -> LoginResult:
    """Start a session: sets the HttpOnly session cookie and returns the CSRF token."""
    wait = integrations.login_limiter.acquire(f"{body.site}:{body.email.strip().lower()}")
    if wait > 0:
        raise RateLimitError(
            "too many login attempts for this account", retry_after=wait, field="email"
        )
    login = integrations.accounts.login(site=body.site, email=body.email, password=body.password)
    response.set_cookie(
        SESSION_COOKIE,
        login.token,
        max_age=int(integrations.limits.session_seconds),
        path=COOKIE_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
    return LoginResult(
        editor=EditorPublic(site=login.editor.site, email=login.editor.email),
        csrf_token=login.csrf_token,
        expires_at=login.expires_at,
    )


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(403),
    dependencies=[Depends(editor_write)],
)
def logout(request: Request, integrations: IntegrationsDep) -> Response:
    integrations.accounts.logout(request.cookies.get(session_cookie.model.name))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/reviews")
def reviews(session: EditorDep, integrations: IntegrationsDep) -> ReviewList:
    """Editions of the site's current revisions in which a sentence needs review."""
    rows = integrations.desk.needing_review(site_id=session.editor.site_id)
    return ReviewList(items=[ReviewItem.from_domain(r) for r in rows])


@router.get("/articles/{external_id}/editions/{lang}", responses=errors(404))
def edition(
    external_id: ExternalIdPath, lang: LangPath, session: EditorDep, integrations: IntegrationsDep
) -> EditionPublic:
    """An edition with its sentences, their flags and origins."""
    view, found = integrations.desk.edition(
        site_id=session.editor.site_id, external_id=external_id, lang=target(lang)
    )
    return EditionPublic.from_domain(
        found,
        external_id=external_id,
        revision=view.revision.number,
        published=view.published(found.lang),
        with_segments=True,
    )


@router.put("/articles/{external_id}/editions/{lang}/segments/{index}", responses=errors(403, 404))
def correct(
    external_id: ExternalIdPath,
    lang: LangPath,
    index: Annotated[int, Path(ge=0, le=100_000)],
    body: CorrectionRequest,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> EditionPublic:
    """Replace one sentence with the editor's correction (kept for later revisions too)."""
    view = integrations.desk.correct(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        index=index,
        target_html=body.target_html,
    )
    found = view.edition(target(lang))
    assert found is not None  # noqa: S101 -- correct() raises unless the edition exists
    return EditionPublic.from_domain(
        found,
        external_id=external_id,
        revision=view.revision.number,
        published=view.published(found.lang),
        with_segments=True,
    )


@router.post("/articles/{external_id}/editions/{lang}/approve", responses=errors(403, 404, 409))
def approve(
    external_id: ExternalIdPath,
    lang: LangPath,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> EditionPublic:
    """Publish the edition as it is now (a later change needs a new approval)."""
    approved = integrations.desk.approve(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        editor_id=session.editor.id,
    )
    view = integrations.queries.view(site_id=session.editor.site_id, external_id=external_id)
    return EditionPublic.from_domain(
        approved.edition,
        external_id=external_id,
        revision=view.revision.number,
        published=True,
        with_segments=False,
    )
