"""Rendering desk pages, redirecting with a message, and errors in words.

Every desk handler answers with a page, a redirect or (for the JavaScript endpoints) JSON; a
:class:`~warta.errors.WartaError` never escapes as a bare 500: :func:`describe` turns it into a
sentence in the page's language and the handler shows it (flash message or error page).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from warta.api.deps import integrations_of
from warta.api.errors import status_for
from warta.desk import session as sessions
from warta.desk.i18n import DESK_LANGS, LANG_COOKIE, N_, choose_lang
from warta.desk.session import DeskUser, Flash
from warta.desk.state import DeskState, desk_state
from warta.errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    RateLimitError,
    WartaError,
)
from warta.integrations import Integrations
from warta.languages import Lang
from warta.services import Services
from warta.web.i18n import Translator
from warta.web.locales import LOCALES

NO_STORE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    # Scripts and styles only from the desk's own files: stored segment HTML is sanitised, and
    # even markup that slipped through could not run a script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}

WRONG_PASSWORD = N_("The site, email or password is wrong.")
RATE_LIMITED = N_(
    "Too many login attempts for this account. Wait %(seconds)s seconds and try again."
)
CSRF_FAILED = N_(
    "This form has expired or did not come from the desk. Reload the page and try again."
)
ADMIN_ONLY = N_("Only an administrator of the site can do this.")
NOT_FOUND = N_("This was not found on your site.")
CONFLICT = N_("Someone changed this before you.")
LOGIN_NEEDED = N_("Please log in to continue.")


@dataclass(frozen=True, slots=True)
class Ctx:
    """One desk request: its app state, services, language and editor (None on the login page)."""

    request: Request
    state: DeskState
    integrations: Integrations
    lang: Lang
    user: DeskUser | None

    @property
    def t(self) -> Translator:
        return self.state.translators[self.lang]

    @property
    def secure(self) -> bool:
        return self.request.url.scheme == "https"


def context(request: Request) -> Ctx:
    services = request.app.state.services
    assert isinstance(services, Services)  # noqa: S101 -- set by create_app
    integrations = integrations_of(request.app.state, services)
    return Ctx(
        request=request,
        state=desk_state(request),
        integrations=integrations,
        lang=choose_lang(request),
        user=sessions.current_user(request, integrations),
    )


def path_part(value: str) -> str:
    return quote(value, safe="")


def edition_path(external_id: str, lang: Lang | str) -> str:
    code = lang.value if isinstance(lang, Lang) else lang
    return f"/desk/articles/{path_part(external_id)}/{code}"


def describe(error: WartaError, t: Translator) -> str:
    """The error in a sentence for the editor (the service's own words where it has them)."""
    if isinstance(error, AuthenticationError):
        return t.gettext(WRONG_PASSWORD)
    if isinstance(error, RateLimitError):
        retry = error.context.get("retry_after")
        seconds = max(1, math.ceil(retry)) if isinstance(retry, int | float) else 60
        return t.gettext(RATE_LIMITED) % {"seconds": seconds}
    if isinstance(error, ForbiddenError):
        if str(error.context.get("field", "")).lower() == "x-csrf-token":
            return t.gettext(CSRF_FAILED)
        return t.gettext(ADMIN_ONLY)
    detail = error.message + (f" ({error.hint})" if error.hint else "")
    if isinstance(error, NotFoundError):
        return f"{t.gettext(NOT_FOUND)} {detail}"
    if isinstance(error, ConflictError):
        return f"{t.gettext(CONFLICT)} {detail}"
    return detail


def error_status(error: WartaError) -> int:
    if isinstance(error, InputError):
        return status_for(error) if status_for(error) in (413, 415) else 400
    return status_for(error)


def render(
    ctx: Ctx,
    template: str,
    *,
    status: int = 200,
    flash: Flash | None = None,
    title: str = "",
    **values: Any,
) -> HTMLResponse:
    shown = flash or sessions.read_flash(ctx.request)
    body = ctx.state.templates.get_template(template).render(
        **ctx.t.template_globals(),
        **_common(ctx, title=title, flash=shown),
        **values,
    )
    response = HTMLResponse(body, status_code=status, headers=NO_STORE)
    if sessions.read_flash(ctx.request) is not None:
        sessions.clear_flash(response)
    chosen = ctx.request.query_params.get("lang")
    if chosen in {lang.value for lang in DESK_LANGS}:
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=365 * 86400, path="/desk", samesite="strict"
        )
    return response


def _common(ctx: Ctx, *, title: str, flash: Flash | None) -> Mapping[str, Any]:
    request = ctx.request
    switch = []
    for lang in DESK_LANGS:
        params = dict(request.query_params)
        params["lang"] = lang.value
        switch.append(
            {
                "href": request.url.path + "?" + urlencode(params),
                "autonym": LOCALES[lang].autonym,
                "code": lang.value,
                "current": lang is ctx.lang,
            }
        )
    user = ctx.user
    return {
        "ui": LOCALES[ctx.lang],
        "page_title": title,
        "flash": flash,
        "user": user,
        "csrf": user.csrf_token if user else "",
        "is_admin": bool(user and user.is_admin),
        "role": (sessions.role_of(user.editor).value if user else ""),
        "switch": switch,
        "assets": ctx.state.assets_version,
        "path": request.url.path,
        "edition_path": edition_path,
    }


def redirect(ctx: Ctx, url: str, *, flash: Flash | None = None) -> Response:
    response = RedirectResponse(url, status_code=303, headers=NO_STORE)
    if flash is not None:
        sessions.set_flash(response, flash, secure=ctx.secure)
    return response


def ok(ctx: Ctx, message: str, **values: Any) -> Flash:
    text = ctx.t.gettext(message)
    return Flash("ok", text % values if values else text)


def failed(ctx: Ctx, error: WartaError) -> Flash:
    return Flash("error", describe(error, ctx.t))


def login_redirect(ctx: Ctx) -> Response:
    target = ctx.request.url.path
    if ctx.request.url.query:
        target += "?" + ctx.request.url.query
    return redirect(
        ctx,
        "/desk/login?" + urlencode({"next": target}),
        flash=Flash("error", ctx.t.gettext(LOGIN_NEEDED)),
    )


def not_found_page(ctx: Ctx, error: WartaError | None = None) -> HTMLResponse:
    text = describe(error, ctx.t) if error is not None else ctx.t.gettext(NOT_FOUND)
    return render(ctx, "message.html", status=404, title=ctx.t.gettext("Not found"), message=text)


def refused(ctx: Ctx, error: ForbiddenError, *, back: str) -> HTMLResponse:
    """403: a change without the session's CSRF token, or an admin's change by an editor."""
    return render(
        ctx,
        "message.html",
        status=403,
        title=ctx.t.gettext("Not allowed"),
        message=describe(error, ctx.t),
        back=back,
    )


def error_page(ctx: Ctx, error: WartaError) -> HTMLResponse:
    status = error_status(error)
    if status == 404:
        return not_found_page(ctx, error)
    return render(
        ctx,
        "message.html",
        status=status,
        title=ctx.t.gettext("Something went wrong"),
        message=describe(error, ctx.t),
    )


async def threaded(function: Any, /, *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(function, *args, **kwargs)
