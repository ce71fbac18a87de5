"""Editors' endpoints, on the login session: log in and out, review, correct, approve.

Writes need the session cookie *and* the CSRF token in ``X-CSRF-Token``. Every lookup is scoped to
the editor's site.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    CorrectedEdition,
    CorrectionRequest,
    EditionHistoryPublic,
    EditionPublic,
    EditionVersionPublic,
    EditorPublic,
    JobPublic,
    LoginRequest,
    LoginResult,
    PolicyList,
    PolicyUpdate,
    RejectRequest,
    ReviewItem,
    ReviewList,
    RollbackRequest,
    SegmentChangePublic,
    SendBackRequest,
    TargetLang,
    VersionChanges,
    target,
)
from warta.domain import Edition, PublishingPolicy
from warta.integrations import Integrations
from warta.languages import TARGET_LANGS
from warta.store.editors import EditorSession

router = APIRouter(prefix="/editor", tags=["editor"], responses=errors(400, 401, 408, 413, 422))

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=200)]
LangPath = Annotated[TargetLang, Path()]
VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
COOKIE_PATH = "/api/v1/editor"


@router.post("/login", responses=errors(429))
def login(
    body: LoginRequest, request: Request, response: Response, integrations: IntegrationsDep
) -> LoginResult:
    """Start a session: sets the HttpOnly session cookie and returns the CSRF token."""
    # Rate-limited per account and per client address (warta.integrations.access.LoginThrottle).
    login = integrations.accounts.login(
        site=body.site,
        email=body.email,
        password=body.password,
        address=request.client.host if request.client else None,
    )
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


@router.put(
    "/articles/{external_id}/editions/{lang}/segments/{index}", responses=errors(403, 404, 409)
)
def correct(
    external_id: ExternalIdPath,
    lang: LangPath,
    index: Annotated[int, Path(ge=0, le=100_000)],
    body: CorrectionRequest,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> CorrectedEdition:
    """Replace one sentence with the editor's correction (kept for later revisions too).

    Send the segment's ``version`` as you read it: if someone changed the segment since, the
    answer is 409 and ``error.context`` carries ``current_html`` and ``current_version``.
    """
    result = integrations.desk.correct(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        index=index,
        target_html=body.target_html,
        base_version=body.version,
        editor=session.editor,
        revision=body.revision,
    )
    return _corrected(
        integrations,
        session,
        external_id=external_id,
        edition=result.edition,
        warnings=result.warnings,
    )


@router.get("/articles/{external_id}/editions/{lang}/history", responses=errors(404))
def history(
    external_id: ExternalIdPath, lang: LangPath, session: EditorDep, integrations: IntegrationsDep
) -> EditionHistoryPublic:
    """Every version of the edition (of the current revision), newest first."""
    entries = integrations.desk.history(
        site_id=session.editor.site_id, external_id=external_id, lang=target(lang)
    )
    return EditionHistoryPublic(items=[EditionVersionPublic.from_domain(e) for e in entries])


@router.get("/articles/{external_id}/editions/{lang}/history/{version}", responses=errors(404))
def version_changes(
    external_id: ExternalIdPath,
    lang: LangPath,
    version: VersionPath,
    session: EditorDep,
    integrations: IntegrationsDep,
) -> VersionChanges:
    """What one version changed, segment by segment, against the version before it."""
    site_id = session.editor.site_id
    changes = integrations.desk.diff(
        site_id=site_id, external_id=external_id, lang=target(lang), version=version
    )  # NotFoundError (404) when there is no such version
    entries = integrations.desk.history(site_id=site_id, external_id=external_id, lang=target(lang))
    (entry,) = (e for e in entries if e.version == version)
    return VersionChanges(
        version=EditionVersionPublic.from_domain(entry),
        changes=[SegmentChangePublic.from_domain(c) for c in changes],
    )


@router.post("/articles/{external_id}/editions/{lang}/rollback", responses=errors(403, 404, 409))
def rollback(
    external_id: ExternalIdPath,
    lang: LangPath,
    body: RollbackRequest,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> CorrectedEdition:
    """Restore the texts of an earlier version, as a new version (changed sentences: human)."""
    edition = integrations.desk.rollback(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        to_version=body.version,
        editor=session.editor,
    )
    return _corrected(integrations, session, external_id=external_id, edition=edition, warnings=())


@router.post(
    "/articles/{external_id}/editions/{lang}/send-back",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(403, 404, 409),
)
def send_back(
    external_id: ExternalIdPath,
    lang: LangPath,
    body: SendBackRequest,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> JobPublic:
    """Queue the edition for a fresh re-translation (machine memory is not reused).

    While the edition is being translated, the answer is that job (status ``running``): the
    fresh re-translation is queued when its result is stored."""
    job = integrations.desk.send_back(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        editor=session.editor,
        note=body.note,
    )
    return JobPublic(id=job.id, lang=job.lang.value, status=job.status)


def _corrected(
    integrations: Integrations,
    session: EditorSession,
    *,
    external_id: str,
    edition: Edition,
    warnings: Sequence[str],
) -> CorrectedEdition:
    view = integrations.queries.view(site_id=session.editor.site_id, external_id=external_id)
    public = EditionPublic.from_domain(
        edition,
        external_id=external_id,
        revision=view.revision.number,
        published=view.published(edition.lang),
        with_segments=True,
    )
    return CorrectedEdition(**public.model_dump(), warnings=list(warnings))


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
        actor=session.editor.email,
    )
    view = integrations.queries.view(site_id=session.editor.site_id, external_id=external_id)
    return EditionPublic.from_domain(
        approved.edition,
        external_id=external_id,
        revision=view.revision.number,
        published=approved.published,
        with_segments=False,
    )


@router.post("/articles/{external_id}/editions/{lang}/reject", responses=errors(403, 404, 409))
def reject(
    external_id: ExternalIdPath,
    lang: LangPath,
    body: RejectRequest,
    session: EditorWriteDep,
    integrations: IntegrationsDep,
) -> EditionPublic:
    """Reject the edition as it is now: readers see the Indonesian original until it changes."""
    edition = integrations.desk.reject(
        site_id=session.editor.site_id,
        external_id=external_id,
        lang=target(lang),
        editor=session.editor,
        note=body.note,
    )
    view = integrations.queries.view(site_id=session.editor.site_id, external_id=external_id)
    return EditionPublic.from_domain(
        edition,
        external_id=external_id,
        revision=view.revision.number,
        published=view.published(edition.lang),
        with_segments=False,
    )


@router.get("/policies")
def policies(session: EditorDep, integrations: IntegrationsDep) -> PolicyList:
    """The site's publishing policy per language."""
    return PolicyList.from_domain(integrations.desk.policies(site_id=session.editor.site_id))


@router.put("/policies", responses=errors(403))
def set_policies(
    body: PolicyUpdate, session: EditorWriteDep, integrations: IntegrationsDep
) -> PolicyList:
    """Set the policy of one language (``lang``) or of all five (admins only)."""
    langs = [target(body.lang)] if body.lang else list(TARGET_LANGS)
    for one in langs:
        integrations.desk.set_policy(
            site_id=session.editor.site_id,
            lang=one,
            policy=PublishingPolicy(body.policy),
            editor=session.editor,
        )
    return PolicyList.from_domain(integrations.desk.policies(site_id=session.editor.site_id))
