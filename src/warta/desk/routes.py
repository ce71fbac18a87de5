"""Logging in and out, and the queue of editions to review (``/desk/``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from warta.desk import service
from warta.desk import session as sessions
from warta.desk.forms import read_form
from warta.desk.i18n import N_
from warta.desk.render import (
    Ctx,
    context,
    describe,
    edition_path,
    failed,
    login_redirect,
    ok,
    redirect,
    refused,
    render,
    threaded,
)
from warta.desk.session import Flash
from warta.desk.views import STATUS_LABELS, reason_words, status_label, when
from warta.errors import ForbiddenError, RateLimitError, WartaError
from warta.languages import TARGET_LANGS, Lang
from warta.web.locales import LOCALES

router = APIRouter(prefix="/desk", include_in_schema=False)
PAGE_SIZE = 25
MAX_PAGE = 10_000


def _safe_next(target: str) -> str:
    """Only a path of the desk itself (no other host, no scheme)."""
    if target.startswith("/desk") and not target.startswith("//") and "\\" not in target:
        return target
    return "/desk/"


@router.get("")
def desk_root() -> Response:
    return RedirectResponse("/desk/", status_code=308)


@router.get("/login")
def login_page(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is not None:
        return redirect(ctx, "/desk/")
    services = ctx.integrations.services
    site = services.settings.default_site
    state = getattr(request.app.state, "web", None)
    if state is not None:
        site = state.sites.slug_for(request.headers.get("host"))
    return render(
        ctx,
        "login.html",
        title=ctx.t.gettext("Log in"),
        site=site,
        email="",
        next=_safe_next(request.query_params.get("next", "/desk/")),
    )


@router.post("/login")
async def login(request: Request) -> Response:
    ctx = context(request)
    form = await read_form(request)
    site, email, password = (
        form.get("site").strip(),
        form.get("email").strip(),
        form.get("password"),
    )
    target = _safe_next(form.get("next", "/desk/"))

    def again(error: WartaError) -> Response:
        status = 429 if isinstance(error, RateLimitError) else 401
        return render(
            ctx,
            "login.html",
            status=status,
            title=ctx.t.gettext("Log in"),
            flash=Flash("error", describe(error, ctx.t)),
            site=site,
            email=email,
            next=target,
        )

    try:
        done = await threaded(
            ctx.integrations.accounts.login,
            site=site,
            email=email,
            password=password,
            address=request.client.host if request.client else None,
        )
    except WartaError as error:
        return again(error)
    response = redirect(
        ctx, target, flash=ok(ctx, N_("Welcome, %(email)s."), email=done.editor.email)
    )
    sessions.start(
        response, done, secure=ctx.secure, max_age=int(ctx.integrations.limits.session_seconds)
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    ctx = context(request)
    form = await read_form(request)
    if ctx.user is not None:
        try:
            sessions.check_csrf(ctx.integrations, ctx.user, form.get(sessions.CSRF_FIELD))
        except ForbiddenError as error:
            return refused(ctx, error, back="/desk/")
        await threaded(
            ctx.integrations.accounts.logout, request.cookies.get(sessions.SESSION_COOKIE)
        )
    response = redirect(ctx, "/desk/login", flash=ok(ctx, N_("You are logged out.")))
    sessions.end(response)
    return response


def _choice(raw: str | None, allowed: tuple[str, ...]) -> str | None:
    return raw if raw in allowed else None


@router.get("/")
def queue_page(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    params = request.query_params
    lang_code = _choice(params.get("lang_filter"), tuple(lang.value for lang in TARGET_LANGS))
    status = _choice(params.get("status"), service.QUEUE_STATUSES)
    flagged_raw = _choice(params.get("flagged"), ("yes", "no"))
    order = _choice(params.get("order"), service.QUEUE_ORDERS) or "newest"
    raw_page = params.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 1
    page = min(max(page, 1), MAX_PAGE)
    try:
        rows = service.queue(
            ctx.integrations,
            ctx.user,
            lang=Lang(lang_code) if lang_code else None,
            status=status,
            flagged=None if flagged_raw is None else flagged_raw == "yes",
            order=order,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        error_flash = None
    except WartaError as error:
        rows, error_flash = [], failed(ctx, error)
    filters = {
        k: v
        for k, v in {
            "lang_filter": lang_code,
            "status": status,
            "flagged": flagged_raw,
            "order": order if order != "newest" else None,
        }.items()
        if v
    }

    def page_href(number: int) -> str:
        return "/desk/?" + urlencode({**filters, "page": number})

    items = [
        {
            "row": row,
            "href": edition_path(row.external_id, row.lang),
            "status": str(getattr(row.status, "value", row.status)),
            "status_label": status_label(ctx.t, row.status),
            "reason": reason_words(row.reason),
            "updated": when(ctx.t, row.updated_at),
            "lang_name": LOCALES[row.lang].autonym,
        }
        for row in list(rows)[:PAGE_SIZE]
    ]
    return render(
        ctx,
        "queue.html",
        flash=error_flash,
        title=ctx.t.gettext("Review queue"),
        items=items,
        langs=[(lang.value, LOCALES[lang].autonym) for lang in TARGET_LANGS],
        statuses=[(code, ctx.t.gettext(STATUS_LABELS[code])) for code in service.QUEUE_STATUSES],
        chosen={
            "lang": lang_code or "",
            "status": status or "",
            "flagged": flagged_raw or "",
            "order": order,
        },
        page=page,
        previous_href=page_href(page - 1) if page > 1 else None,
        next_href=page_href(page + 1) if len(rows) > PAGE_SIZE else None,
    )


def require_user(ctx: Ctx) -> Response | None:
    """A redirect to the login page when nobody is logged in."""
    return login_redirect(ctx) if ctx.user is None else None
