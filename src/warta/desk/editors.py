"""The site's editors (``/desk/editors``), for administrators: who they are, their role and
status; add one (with a generated password, shown once on the page that answers), change a role,
disable and enable. Editors get a 403 page in words. Every change goes through the accounts
service, which checks the role again, keeps the site's last active administrator, and writes
the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from warta.desk import service
from warta.desk import session as sessions
from warta.desk.forms import Form, read_form
from warta.desk.i18n import N_
from warta.desk.render import (
    Ctx,
    context,
    failed,
    login_redirect,
    ok,
    redirect,
    refused,
    render,
    threaded,
)
from warta.desk.session import DeskUser, Flash
from warta.desk.views import when
from warta.domain import EditorRole
from warta.errors import ConflictError, FieldError, ForbiddenError, WartaError
from warta.integrations.access import NewPassword
from warta.store.editors import Editor, parse_role

router = APIRouter(prefix="/desk", include_in_schema=False)
PAGE = "/desk/editors"

ROLE_LABELS = {EditorRole.ADMIN: N_("administrator"), EditorRole.EDITOR: N_("editor")}
LAST_ADMIN = N_(
    "%(email)s is the last active administrator of the site: make another editor an "
    "administrator first."
)


def _forbidden() -> ForbiddenError:
    return ForbiddenError(
        "only an administrator of the site can manage its editors",
        hint="ask an administrator of your site",
        role="editor",
    )


def _admin(user: DeskUser) -> None:
    if not user.is_admin:
        raise _forbidden()


def _failed(ctx: Ctx, error: WartaError) -> Flash:
    if isinstance(error, ConflictError) and error.context.get("last_admin"):
        return Flash("error", ctx.t.gettext(LAST_ADMIN) % {"email": error.context.get("email")})
    return failed(ctx, error)


def _rows(ctx: Ctx, found: list[Editor]) -> list[dict[str, Any]]:
    return [
        {
            "email": editor.email,
            "role": editor.role.value,
            "role_label": ctx.t.gettext(ROLE_LABELS[editor.role]),
            "disabled": editor.disabled_at is not None,
            "since": when(ctx.t, editor.disabled_at or editor.created_at),
            "me": editor.id == ctx.user.editor.id if ctx.user else False,
        }
        for editor in found
    ]


def _page(ctx: Ctx, *, flash: Flash | None = None, created: NewPassword | None = None) -> Response:
    assert ctx.user is not None  # noqa: S101 -- the handlers checked it
    try:
        found = service.editors(ctx.integrations, ctx.user)
    except ForbiddenError as error:
        return refused(ctx, error, back="/desk/")
    except WartaError as error:
        found, flash = [], failed(ctx, error)
    return render(
        ctx,
        "editors.html",
        status=201 if created is not None else 200,
        flash=flash,
        title=ctx.t.gettext("Editors"),
        editors=_rows(ctx, found),
        roles=[(role.value, ctx.t.gettext(label)) for role, label in ROLE_LABELS.items()],
        created=created,
    )


@router.get("/editors")
def editors_page(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    if not ctx.user.is_admin:
        return refused(ctx, _forbidden(), back="/desk/")
    return _page(ctx)


def _email(form: Form) -> str:
    email = form.get("email").strip()
    if not email:
        raise FieldError(
            "no email address was given", hint="write the editor's email address", field="email"
        )
    return email


@router.post("/editors")
async def add_editor(request: Request) -> Response:
    """Add an editor; the answer is the page itself, showing the new password this once."""
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    user = ctx.user
    form = await read_form(request)
    try:
        sessions.check_csrf(ctx.integrations, user, form.get(sessions.CSRF_FIELD))
        _admin(user)
        made = await threaded(
            service.add_editor,
            ctx.integrations,
            user,
            email=_email(form),
            role=parse_role(form.get("role", EditorRole.EDITOR.value)),
        )
    except ForbiddenError as error:
        return refused(ctx, error, back=PAGE)
    except WartaError as error:
        return redirect(ctx, PAGE, flash=_failed(ctx, error))
    message = ctx.t.gettext(N_("%(email)s can log in now.")) % {"email": made.editor.email}
    return _page(ctx, flash=Flash("ok", message), created=made)


async def _change(request: Request, act: Any, success: str) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    user = ctx.user
    form = await read_form(request)
    try:
        sessions.check_csrf(ctx.integrations, user, form.get(sessions.CSRF_FIELD))
        _admin(user)
        editor: Editor = await threaded(act, ctx, user, form)
    except ForbiddenError as error:
        return refused(ctx, error, back=PAGE)
    except WartaError as error:
        return redirect(ctx, PAGE, flash=_failed(ctx, error))
    return redirect(
        ctx,
        PAGE,
        flash=ok(
            ctx,
            success,
            email=editor.email,
            role=ctx.t.gettext(ROLE_LABELS[editor.role]),
        ),
    )


@router.post("/editors/role")
async def change_role(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> Editor:
        role = parse_role(form.get("role"))
        return service.change_role(ctx.integrations, user, email=_email(form), role=role)

    return await _change(request, act, N_("%(email)s is now an %(role)s."))


@router.post("/editors/disable")
async def disable(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> Editor:
        return service.set_disabled(ctx.integrations, user, email=_email(form), disabled=True)

    return await _change(request, act, N_("%(email)s is disabled and can no longer log in."))


@router.post("/editors/enable")
async def enable(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> Editor:
        return service.set_disabled(ctx.integrations, user, email=_email(form), disabled=False)

    return await _change(request, act, N_("%(email)s can log in again."))
