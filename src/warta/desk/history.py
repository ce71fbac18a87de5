"""An edition's history at the desk: every version with who, when and what changed (a diff of
each changed sentence), and rollback to any version (a new version with that one's text)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from warta.desk import service
from warta.desk import session as sessions
from warta.desk.edition import scoped, target_lang
from warta.desk.forms import read_form
from warta.desk.i18n import N_
from warta.desk.render import (
    Ctx,
    context,
    edition_path,
    error_page,
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
from warta.desk.views import action_label, status_label, target_locale, trusted, when
from warta.errors import ForbiddenError, WartaError
from warta.languages import Lang

router = APIRouter(prefix="/desk", include_in_schema=False)


def history_rows(ctx: Ctx, user: DeskUser, external_id: str, lang: Lang) -> list[dict[str, Any]]:
    versions = service.history(ctx.integrations, user, external_id=external_id, lang=lang)
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(versions):
        changes = [
            {"index": change.index, "diff": trusted(change.diff_html)}
            for change in service.diff(
                ctx.integrations, user, external_id=external_id, lang=lang, version=record.version
            )
        ]
        rows.append(
            {
                "version": record.version,
                "actor": record.actor,
                "at": when(ctx.t, record.created_at),
                "action": action_label(ctx.t, record.action),
                "note": record.note,
                "status": status_label(ctx.t, record.status),
                "changes": changes,
                "current": position == 0,
            }
        )
    return rows


@router.get("/articles/{external_id}/{lang}/history")
def history_page(request: Request, external_id: str, lang: str) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    try:
        code = target_lang(lang)
        view, _ = service.edition(ctx.integrations, ctx.user, external_id=external_id, lang=code)
        rows = history_rows(ctx, ctx.user, external_id, code)
    except WartaError as error:
        return error_page(ctx, error)
    return render(
        ctx,
        "history.html",
        title=ctx.t.gettext("History") + " \u00b7 " + view.revision.title,
        external_id=external_id,
        lang=code.value,
        revision=view.revision,
        target=target_locale(code),
        versions=rows,
        base=edition_path(external_id, code),
    )


@router.post("/articles/{external_id}/{lang}/rollback")
async def rollback(request: Request, external_id: str, lang: str) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    back = edition_path(external_id, lang) + "/history"
    form = await read_form(request)
    try:
        code = await scoped(ctx, ctx.user, external_id, lang)
    except WartaError as error:
        return not_found_page(ctx, error)
    try:
        sessions.check_csrf(ctx.integrations, ctx.user, form.get(sessions.CSRF_FIELD))
        version = form.int("to_version")
        await threaded(
            service.rollback,
            ctx.integrations,
            ctx.user,
            external_id=external_id,
            lang=code,
            to_version=version,
        )
    except ForbiddenError as error:
        return refused(ctx, error, back=back)
    except WartaError as error:
        return redirect(ctx, back, flash=failed(ctx, error))
    return redirect(
        ctx, back, flash=ok(ctx, N_("Rolled back to version %(version)s."), version=version)
    )
