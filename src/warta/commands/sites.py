"""`warta sites create|list|policy`: the portals one installation serves, and what each
publishes to readers (the publishing policy per language, :mod:`warta.publishing`)."""

from __future__ import annotations

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.domain import PublishingPolicy
from warta.errors import FieldError, UnknownLanguageError
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang, parse_lang
from warta.store.policies import PolicyStore


@click.group()
def sites() -> None:
    """Sites (portals): each has its own glossary, keys and settings."""


@sites.command("create")
@click.argument("slug")
@click.option("--name", default=None, help="Display name (default: the slug).")
@pass_app
def create(app: AppContext, slug: str, name: str | None) -> None:
    """Create a site."""
    with handled(app):
        site = app.services.store.create_site(slug=slug, name=name or slug)
    app.err.print(f"created site {site.slug}")


@sites.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """List sites."""
    with handled(app):
        rows = app.services.store.list_sites()
    print_table(
        app.out,
        title="sites",
        columns=["slug", "name", "glossary version"],
        rows=[(s.slug, s.name, s.glossary_version) for s in rows],
    )


def _target(code: str) -> Lang:
    lang = parse_lang(code)
    if lang is SOURCE_LANG:
        raise UnknownLanguageError(
            code,
            hint="Indonesian is the source language and always published; name one of "
            + ", ".join(t.value for t in TARGET_LANGS),
        )
    return lang


def _policy(name: str) -> PublishingPolicy:
    try:
        return PublishingPolicy(name.strip().lower())
    except ValueError:
        raise FieldError(
            f"unknown publishing policy {name!r}",
            hint="use auto (translated and needs_review editions are published), clean (only "
            "editions with no flagged sentence) or approval (only editions an editor approved)",
            field="policy",
        ) from None


@sites.command("policy")
@click.argument("slug")
@click.option(
    "--lang",
    "code",
    default=None,
    metavar="LANG",
    help="The language (en, zh, ja, ar, fr); omitted: all five.",
)
@click.option(
    "--policy",
    "name",
    default=None,
    metavar="POLICY",
    help="auto | clean | approval. Omitted: show the policies.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def policy(app: AppContext, slug: str, code: str | None, name: str | None, fmt: str) -> None:
    """Show or set what SLUG publishes to readers, per language.

    auto (the default): translated and needs_review editions; clean: only editions with no
    flagged sentence; approval: only editions an editor approved. A held edition is shown to
    readers as the Indonesian original, like a pending one.
    """
    with handled(app, as_json=fmt == "json"):
        langs = [_target(code)] if code is not None else list(TARGET_LANGS)
        chosen = _policy(name) if name is not None else None
        site = app.services.store.get_site(slug)
        store = PolicyStore(app.services.db)
        if chosen is not None:
            for lang in langs:
                change = store.set_policy(site_id=site.id, lang=lang, policy=chosen, actor="cli")
                verb = "set" if change.changed else "kept"
                app.err.print(f"{verb} {site.slug} {lang.value}: {change.after.value}")
        current = store.policies(site.id)
    shown = [(lang, current[lang]) for lang in langs]
    if fmt == "json":
        echo_json({lang.value: p.value for lang, p in shown})
        return
    print_table(
        app.out,
        title=f"publishing policies of {site.slug}",
        columns=["lang", "policy"],
        rows=[(lang.value, p.value) for lang, p in shown],
    )


COMMANDS = (sites,)
