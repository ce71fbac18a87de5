"""The site's glossary (``/desk/glossary``) and publishing policy (``/desk/settings``).

Administrators change them; editors see them read-only. Every change goes through the glossary
and desk services, which check the role again and write the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from warta.desk import service
from warta.desk import session as sessions
from warta.desk.forms import Form, read_form
from warta.desk.i18n import N_
from warta.desk.render import (
    NO_STORE,
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
from warta.desk.views import POLICY_LABELS
from warta.domain import GlossaryTerm, PublishingPolicy
from warta.engines.setup import DEFAULT_ENGINE, route_for
from warta.errors import FieldError, ForbiddenError, WartaError
from warta.glossary import GlossaryChange
from warta.languages import TARGET_LANGS, Lang
from warta.web.locales import LOCALES

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_TERM = 200
MAX_CSV_BYTES = 1024 * 1024


def _admin(user: DeskUser, what: str) -> None:
    if not user.is_admin:
        raise ForbiddenError(
            f"only an administrator of the site can change {what}",
            hint="ask an administrator of your site",
            role="editor",
        )


def _changed(ctx: Ctx, result: GlossaryChange) -> str:
    """The success message of a glossary change, naming how many editions were queued again."""
    count = result.requeued
    return ctx.t.ngettext(
        "The glossary is saved; %(num)s edition is translated again.",
        "The glossary is saved; %(num)s editions are translated again.",
        count,
    ) % {"num": count}


# --- glossary -------------------------------------------------------------------------------


@router.get("/glossary")
def glossary_page(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    flash: Flash | None = None
    try:
        glossary = service.glossary(ctx.integrations, ctx.user)
        terms = sorted(glossary.terms, key=lambda term: term.source.casefold())
        version = glossary.version
    except WartaError as error:
        terms, version, flash = [], 0, failed(ctx, error)
    editing = request.query_params.get("edit")
    chosen = next((term for term in terms if term.source == editing), None)
    return render(
        ctx,
        "glossary.html",
        flash=flash,
        title=ctx.t.gettext("Glossary"),
        terms=terms,
        version=version,
        langs=[(lang, LOCALES[lang]) for lang in TARGET_LANGS],
        editing=chosen,
    )


def term_from(form: Form) -> GlossaryTerm:
    source = " ".join(form.get("source").split())
    if not source:
        raise FieldError(
            "the glossary term is empty", hint="write the Indonesian term", field="source"
        )
    if len(source) > MAX_TERM:
        raise FieldError(
            f"the glossary term is longer than {MAX_TERM} characters",
            hint="write a shorter term",
            field="source",
        )
    keep = form.get("mode") == "keep"
    translations: dict[Lang, str] = {}
    if not keep:
        for lang in TARGET_LANGS:
            text = " ".join(form.get(f"tr_{lang.value}").split())
            if text:
                translations[lang] = text[:MAX_TERM]
        if not translations:
            raise FieldError(
                f"the term {source!r} has no rendering",
                hint="write how it must read in at least one language, or keep it as is",
                field="translations",
            )
    return GlossaryTerm(
        source=source,
        translations=translations,
        do_not_translate=keep,
        case_sensitive=form.get("case_sensitive") == "on",
    )


async def _glossary_action(request: Request, act: Any) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    form = await read_form(request, max_bytes=MAX_CSV_BYTES + 64 * 1024)
    try:
        sessions.check_csrf(ctx.integrations, ctx.user, form.get(sessions.CSRF_FIELD))
        _admin(ctx.user, "the glossary")
        result = await threaded(act, ctx, ctx.user, form)
    except ForbiddenError as error:
        return refused(ctx, error, back="/desk/glossary")
    except WartaError as error:
        return redirect(ctx, "/desk/glossary", flash=failed(ctx, error))
    return redirect(ctx, "/desk/glossary", flash=Flash("ok", _changed(ctx, result)))


@router.post("/glossary")
async def put_term(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> GlossaryChange:
        return service.put_term(ctx.integrations, user, term_from(form))

    return await _glossary_action(request, act)


@router.post("/glossary/delete")
async def delete_term(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> GlossaryChange:
        source = form.get("source").strip()
        if not source:
            raise FieldError("no term was chosen", hint="reload the page", field="source")
        return service.delete_term(ctx.integrations, user, source)

    return await _glossary_action(request, act)


@router.post("/glossary/import")
async def import_terms(request: Request) -> Response:
    def act(ctx: Ctx, user: DeskUser, form: Form) -> GlossaryChange:
        upload = form.files.get("file")
        if upload is None or not upload.data.strip():
            raise FieldError(
                "no CSV file was chosen, or it is empty",
                hint="choose a CSV file (export one to see the columns)",
                field="file",
            )
        if len(upload.data) > MAX_CSV_BYTES:
            raise FieldError(
                f"the CSV file is larger than {MAX_CSV_BYTES // 1024} KiB",
                hint="split it into smaller files",
                field="file",
            )
        return service.import_csv(ctx.integrations, user, upload.data)

    return await _glossary_action(request, act)


@router.get("/glossary/export.csv")
def export_terms(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    try:
        data = service.export_csv(ctx.integrations, ctx.user)
    except WartaError as error:
        return redirect(ctx, "/desk/glossary", flash=failed(ctx, error))
    slug = ctx.user.editor.site
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="glossary-{slug}.csv"',
        },
    )


# --- publishing policy ------------------------------------------------------------------------


@router.get("/settings")
def settings_page(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    flash: Flash | None = None
    try:
        current = service.policies(ctx.integrations, ctx.user)
    except WartaError as error:
        current, flash = {}, failed(ctx, error)
    return render(
        ctx,
        "settings.html",
        flash=flash,
        title=ctx.t.gettext("Publishing policy"),
        rows=[
            {
                "lang": lang.value,
                "autonym": LOCALES[lang].autonym,
                "policy": current.get(lang, PublishingPolicy.AUTO).value,
            }
            for lang in TARGET_LANGS
        ],
        policies=[
            (policy.value, ctx.t.gettext(POLICY_LABELS[policy])) for policy in PublishingPolicy
        ],
        engines=_engine_rows(ctx) if ctx.user.is_admin else [],
    )


def _engine_rows(ctx: Ctx) -> list[dict[str, Any]]:
    """Per language, the engines that translate for the admin's site, in fallback order, each
    with its model and whether it is disabled (and why). Read-only: `warta routes set`."""
    assert ctx.user is not None  # noqa: S101 -- only called for a logged-in admin
    services = ctx.integrations.services
    configs, routes = services.engine.configuration()
    by_name = {c.name: c for c in configs}
    site_id = ctx.user.site_id
    slug = next((s.slug for s in services.store.list_sites() if s.id == site_id), None)
    rows: list[dict[str, Any]] = []
    for lang in TARGET_LANGS:
        route = route_for(routes, site=slug, lang=lang)
        chain = route.chain if route is not None else (DEFAULT_ENGINE,)
        rows.append(
            {
                "lang": lang.value,
                "autonym": LOCALES[lang].autonym,
                "engines": [
                    {
                        "name": name,
                        "kind": by_name[name].kind if name in by_name else "ctranslate2",
                        "model": by_name[name].model if name in by_name else "",
                        "disabled": by_name[name].disabled_reason
                        if name in by_name and by_name[name].disabled
                        else "",
                    }
                    for name in chain
                ],
                "own": route is not None and route.site is not None,
            }
        )
    return rows


@router.post("/settings")
async def save_settings(request: Request) -> Response:
    ctx = context(request)
    if ctx.user is None:
        return login_redirect(ctx)
    user = ctx.user
    form = await read_form(request)
    try:
        sessions.check_csrf(ctx.integrations, user, form.get(sessions.CSRF_FIELD))
        _admin(user, "the publishing policy")
        wanted: dict[Lang, PublishingPolicy] = {}
        for lang in TARGET_LANGS:
            raw = form.get(f"policy_{lang.value}")
            if not raw:
                continue
            try:
                wanted[lang] = PublishingPolicy(raw)
            except ValueError as exc:
                raise FieldError(
                    f"{raw[:20]!r} is not a publishing policy",
                    hint="choose auto, clean or approval",
                    field=f"policy_{lang.value}",
                ) from exc
        current = await threaded(service.policies, ctx.integrations, user)
        for lang, policy in wanted.items():
            if current.get(lang) is not policy:
                await threaded(service.set_policy, ctx.integrations, user, lang=lang, policy=policy)
    except ForbiddenError as error:
        return refused(ctx, error, back="/desk/settings")
    except WartaError as error:
        return redirect(ctx, "/desk/settings", flash=failed(ctx, error))
    return redirect(ctx, "/desk/settings", flash=ok(ctx, N_("The publishing policy is saved.")))
