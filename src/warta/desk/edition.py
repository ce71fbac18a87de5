"""One edition at the desk: side by side with its Indonesian source, corrections (form and JSON),
approve, reject, send back. Its history and rollback: :mod:`warta.desk.history`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from warta.desk import service
from warta.desk import session as sessions
from warta.desk.forms import read_form
from warta.desk.i18n import N_
from warta.desk.render import (
    LOGIN_NEEDED,
    NO_STORE,
    Ctx,
    context,
    describe,
    edition_path,
    error_page,
    error_status,
    failed,
    login_redirect,
    not_found_page,
    ok,
    redirect,
    refused,
    render,
    threaded,
)
from warta.desk.session import DeskUser
from warta.desk.views import (
    LangTab,
    count_flagged,
    editor_reason,
    publication_notice,
    segment_rows,
    status_label,
    target_locale,
    when,
)
from warta.domain import Edition, PublishingPolicy
from warta.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    WartaError,
)
from warta.languages import TARGET_LANGS, Lang
from warta.publishing import Publication
from warta.quality.explain import explain_all
from warta.web.locales import LOCALES

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_NOTE = 2000
MAX_CORRECTION = 20_000


def target_lang(code: str) -> Lang:
    for lang in TARGET_LANGS:
        if lang.value == code:
            return lang
    raise NotFoundError(
        f"{code[:20]!r} is not a language of the editions",
        hint="use one of " + ", ".join(lang.value for lang in TARGET_LANGS),
        lang=code[:20],
    )


# --- the edition page ------------------------------------------------------------------------


def _publication(integrations: Any, user: DeskUser, edition: Edition) -> Publication:
    found: Publication = integrations.queries.publication(site_id=user.site_id, edition=edition)
    return found


def edition_context(ctx: Ctx, user: DeskUser, external_id: str, lang: Lang) -> dict[str, Any]:
    view, edition = service.edition(ctx.integrations, user, external_id=external_id, lang=lang)
    publication = view.publications.get(lang)
    policy = publication.policy if publication is not None else PublishingPolicy.AUTO
    return {
        "external_id": external_id,
        "lang": lang.value,
        "revision": view.revision,
        "edition": edition,
        "reason": editor_reason(edition),
        "edition_status": edition.status.value,
        "status_label": status_label(ctx.t, edition.status),
        "segments": segment_rows(edition, ctx.t),
        "flagged": count_flagged(edition),
        "policy": policy.value,
        "notice": publication_notice(ctx.t, edition=edition, publication=publication),
        "target": target_locale(lang),
        "source": LOCALES[Lang.ID],
        "updated": when(ctx.t, edition.updated_at),
        "tabs": [
            LangTab(
                code=other.value,
                autonym=LOCALES[other].autonym,
                href=edition_path(external_id, other),
                current=other is lang,
            )
            for other in TARGET_LANGS
            if view.edition(other) is not None
        ],
        "base": edition_path(external_id, lang),
    }


@router.get("/articles/{external_id}/{lang}")
def edition_page(request: Request, external_id: str, lang: str) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    try:
        values = edition_context(ctx, ctx.user, external_id, target_lang(lang))
    except WartaError as error:
        return error_page(ctx, error)
    return render(ctx, "edition.html", title=values["revision"].title, **values)


# --- actions (forms: POST-redirect-GET) ------------------------------------------------------


async def scoped(ctx: Ctx, user: DeskUser, external_id: str, lang: str) -> Lang:
    """The edition's language, once the edition is known on the editor's site (else
    NotFoundError, shown as the 404 page; errors of the action itself are flash messages)."""
    code = target_lang(lang)
    await threaded(service.edition, ctx.integrations, user, external_id=external_id, lang=code)
    return code


async def _form_action(
    request: Request, external_id: str, lang: str, *, act: Any, success: str, **values: Any
) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    back = edition_path(external_id, lang)
    form = await read_form(request)
    try:
        code = await scoped(ctx, ctx.user, external_id, lang)
    except WartaError as error:
        return not_found_page(ctx, error)
    try:
        sessions.check_csrf(ctx.integrations, ctx.user, form.get(sessions.CSRF_FIELD))
        anchor = await threaded(act, ctx, ctx.user, form, code)
    except ForbiddenError as error:
        return refused(ctx, error, back=back)
    except WartaError as error:
        return redirect(ctx, back, flash=failed(ctx, error))
    return redirect(ctx, back + (anchor or ""), flash=ok(ctx, success, **values))


@router.post("/articles/{external_id}/{lang}/segments/{index}")
async def correct_form(request: Request, external_id: str, lang: str, index: str) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Any, code: Lang) -> str:
        position = _index(index)
        service.correct(
            ctx.integrations,
            user,
            external_id=external_id,
            lang=code,
            index=position,
            target_html=_correction(form.get("target_html")),
            base_version=form.int("version"),
            revision=form.int("revision") if form.get("revision") else None,
        )
        return f"#seg-{position}"

    return await _form_action(
        request, external_id, lang, act=act, success=N_("The correction is saved.")
    )


@router.post("/articles/{external_id}/{lang}/approve")
async def approve(request: Request, external_id: str, lang: str) -> Response:
    def act(ctx: Ctx, user: DeskUser, _form: Any, code: Lang) -> None:
        service.approve(ctx.integrations, user, external_id=external_id, lang=code)

    return await _form_action(
        request, external_id, lang, act=act, success=N_("Approved: readers see this edition now.")
    )


@router.post("/articles/{external_id}/{lang}/reject")
async def reject(request: Request, external_id: str, lang: str) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Any, code: Lang) -> None:
        note = form.get("note").strip()[:MAX_NOTE]
        if not note:
            raise FieldError(
                "a rejection needs a note", hint="say what is wrong with it", field="note"
            )
        service.reject(ctx.integrations, user, external_id=external_id, lang=code, note=note)

    return await _form_action(
        request, external_id, lang, act=act, success=N_("Rejected: readers do not see it.")
    )


@router.post("/articles/{external_id}/{lang}/send-back")
async def send_back(request: Request, external_id: str, lang: str) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Any, code: Lang) -> None:
        note = form.get("note").strip()[:MAX_NOTE]
        service.send_back(ctx.integrations, user, external_id=external_id, lang=code, note=note)

    return await _form_action(
        request,
        external_id,
        lang,
        act=act,
        success=N_("Sent back: it will be translated again (corrections are kept)."),
    )


def _index(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise FieldError(
            f"{raw[:20]!r} is not a sentence number", hint="reload the page", field="index"
        )
    return int(raw)


def _correction(text: str) -> str:
    clean = text.strip()
    if not clean:
        raise FieldError(
            "the correction is empty",
            hint="write the corrected sentence, or cancel",
            field="target_html",
        )
    if len(clean) > MAX_CORRECTION:
        raise FieldError(
            f"the correction is longer than {MAX_CORRECTION} characters",
            hint="correct one sentence at a time",
            field="target_html",
        )
    return clean


# --- the JSON endpoint of the segment editor (desk.js) ----------------------------------------


def _json_error(ctx: Ctx, error: WartaError, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"message": describe(error, ctx.t), **extra}
    return JSONResponse({"error": body}, status_code=error_status(error), headers=NO_STORE)


@router.post("/api/articles/{external_id}/{lang}/segments/{index}")
async def correct_json(request: Request, external_id: str, lang: str, index: str) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return JSONResponse(
            {"error": {"message": ctx.t.gettext(LOGIN_NEEDED)}}, status_code=401, headers=NO_STORE
        )
    user = ctx.user
    try:
        sessions.check_csrf(ctx.integrations, user, request.headers.get(sessions.CSRF_HEADER))
        body = await _json_body(request)
        code = target_lang(lang)
        position = _index(index)
        version = body.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise FieldError("the sentence's version is missing", hint="reload the page")
        text = body.get("target_html")
        revision = body.get("revision")
        edition, warnings = await threaded(
            service.correct,
            ctx.integrations,
            user,
            external_id=external_id,
            lang=code,
            index=position,
            target_html=_correction(text if isinstance(text, str) else ""),
            base_version=version,
            revision=revision if isinstance(revision, int) else None,
        )
        publication = await threaded(_publication, ctx.integrations, user, edition)
    except ConflictError as error:
        current_html = error.context.get("current_html")
        current_version = error.context.get("current_version")
        return _json_error(ctx, error, current_html=current_html, current_version=current_version)
    except WartaError as error:
        return _json_error(ctx, error)
    return JSONResponse(
        _segment_json(ctx, edition, position, warnings=warnings, publication=publication),
        headers=NO_STORE,
    )


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise FieldError("the request is not JSON", hint="reload the page") from exc
    if not isinstance(body, dict):
        raise FieldError("the request is not a JSON object", hint="reload the page")
    return body


def _segment_json(
    ctx: Ctx,
    edition: Edition,
    index: int,
    *,
    warnings: tuple[str, ...],
    publication: Publication,
) -> dict[str, Any]:
    rows = {row.index: row for row in segment_rows(edition, ctx.t)}
    row = rows[index]
    notice = publication_notice(ctx.t, edition=edition, publication=publication)
    return {
        "segment": {
            "index": row.index,
            "version": row.version,
            "target_html": str(row.target),
            "origin": row.origin,
            "origin_label": row.origin_label,
            "edited_by": row.edited_by,
            "edited_at": row.edited_at,
            "flags": [{"flag": f.flag, "text": f.text} for f in row.flags],
        },
        "warnings": [
            {"flag": e.flag, "text": e.text} for e in explain_all(warnings, lang=ctx.lang)
        ],
        "edition": {
            "version": edition.version,
            "status": edition.status.value,
            "status_label": status_label(ctx.t, edition.status),
            "flagged": count_flagged(edition),
            "published": notice.published,
            "notice": notice.text,
        },
        "message": ctx.t.gettext("The correction is saved."),
    }
