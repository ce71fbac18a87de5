"""`warta glossary add|list|remove`: per-site terms and do-not-translate names."""

from __future__ import annotations

import click

from warta.commands._context import AppContext, handled, pass_app, print_table
from warta.domain import GlossaryTerm
from warta.errors import FieldError
from warta.languages import Lang, parse_lang


@click.group()
def glossary() -> None:
    """Glossary: required renderings and do-not-translate terms, per site."""


@glossary.command("add")
@click.argument("term")
@click.option("--site", default=None)
@click.option(
    "--keep", is_flag=True, help="Do not translate: keep the term verbatim in every language."
)
@click.option(
    "--to",
    "renderings",
    multiple=True,
    metavar="LANG=TEXT",
    help="Required rendering, e.g. en='House of Representatives'.",
)
@click.option("--ignore-case", is_flag=True)
@pass_app
def add(
    app: AppContext,
    term: str,
    site: str | None,
    keep: bool,
    renderings: tuple[str, ...],
    ignore_case: bool,
) -> None:
    """Add or replace a term; every change bumps the site's glossary version."""
    with handled(app):
        translations: dict[Lang, str] = {}
        for item in renderings:
            code, sep, text = item.partition("=")
            if not sep or not text.strip():
                raise FieldError(
                    f"--to {item!r} is not LANG=TEXT",
                    hint="write e.g. --to en='House of Representatives'",
                    field="to",
                )
            translations[parse_lang(code)] = text.strip()
        if not keep and not translations:
            raise FieldError(
                "a term needs --keep or at least one --to LANG=TEXT",
                hint="add --keep for names",
                field="term",
            )
        store = app.services.store
        site_obj = store.get_site(site or app.settings.default_site)
        result = store.put_glossary_term(
            site_id=site_obj.id,
            term=GlossaryTerm(
                source=term.strip(),
                translations=translations,
                do_not_translate=keep,
                case_sensitive=not ignore_case,
            ),
        )
    app.err.print(f"glossary of {site_obj.slug} is now version {result.version}")


@glossary.command("list")
@click.option("--site", default=None)
@pass_app
def list_(app: AppContext, site: str | None) -> None:
    """List a site's terms."""
    with handled(app):
        store = app.services.store
        result = store.get_glossary(store.get_site(site or app.settings.default_site).id)
    print_table(
        app.out,
        title=f"glossary v{result.version}",
        columns=["term", "keep", "renderings"],
        rows=[
            (
                t.source,
                "yes" if t.do_not_translate else "",
                ", ".join(f"{k}={v}" for k, v in t.translations.items()),
            )
            for t in result.terms
        ],
    )


@glossary.command("remove")
@click.argument("term")
@click.option("--site", default=None)
@pass_app
def remove(app: AppContext, term: str, site: str | None) -> None:
    """Remove a term."""
    with handled(app):
        store = app.services.store
        result = store.delete_glossary_term(
            site_id=store.get_site(site or app.settings.default_site).id, source=term
        )
    app.err.print(f"glossary is now version {result.version}")


COMMANDS = (glossary,)
