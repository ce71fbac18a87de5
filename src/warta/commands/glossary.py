"""`warta glossary add|list|remove|import|export`: per-site terms and keep-as-is names.

Every change goes through :class:`warta.glossary.GlossaryService` as the operator (actor
``cli``): it bumps the site's glossary version once, is written to the audit log, and queues
the editions whose sentences it affects for re-translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from warta.commands._context import AppContext, echo_json, handled, pass_app, print_table
from warta.domain import GlossaryTerm, Site
from warta.errors import FieldError, IngestError
from warta.glossary import GlossaryChange, GlossaryService
from warta.languages import Lang, parse_lang

ACTOR = "cli"


def _service(app: AppContext) -> GlossaryService:
    return GlossaryService(app.services.db, targets=app.settings.targets)


def _site(app: AppContext, slug: str | None) -> Site:
    return app.services.store.get_site(slug or app.settings.default_site)


def _report(app: AppContext, site: Site, change: GlossaryChange) -> None:
    if not change.changes:
        app.err.print(f"glossary of {site.slug} unchanged (version {change.glossary.version})")
        return
    counts = {
        kind: sum(c.kind == kind for c in change.changes)
        for kind in ("added", "changed", "deleted")
    }
    done = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    app.err.print(
        f"glossary of {site.slug} is now version {change.glossary.version} ({done}); "
        f"{change.requeued} edition(s) queued for re-translation"
    )


@click.group()
def glossary() -> None:
    """Glossary: required renderings and keep-as-is terms, per site."""


@glossary.command("add")
@click.argument("term")
@click.option("--site", default=None, help="Site slug (default: WARTA_DEFAULT_SITE).")
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
@click.option("--ignore-case", is_flag=True, help="Match the term in any case.")
@pass_app
def add(
    app: AppContext,
    term: str,
    site: str | None,
    keep: bool,
    renderings: tuple[str, ...],
    ignore_case: bool,
) -> None:
    """Add TERM, or replace the term written the same way; re-queues the editions it affects."""
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
        site_obj = _site(app, site)
        change = _service(app).put(
            site_id=site_obj.id,
            term=GlossaryTerm(
                source=term,
                translations=translations,
                do_not_translate=keep,
                case_sensitive=not ignore_case,
            ),
            actor=ACTOR,
        )
    _report(app, site_obj, change)


@glossary.command("list")
@click.option("--site", default=None, help="Site slug (default: WARTA_DEFAULT_SITE).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def list_(app: AppContext, site: str | None, fmt: str) -> None:
    """List a site's terms."""
    with handled(app, as_json=fmt == "json"):
        site_obj = _site(app, site)
        result = _service(app).terms(site_id=site_obj.id)
    if fmt == "json":
        echo_json(
            {
                "site": site_obj.slug,
                "version": result.version,
                "terms": [
                    {
                        "source": t.source,
                        "keep": t.do_not_translate,
                        "case_sensitive": t.case_sensitive,
                        "translations": {k.value: v for k, v in t.translations.items()},
                    }
                    for t in result.terms
                ],
            }
        )
        return
    print_table(
        app.out,
        title=f"glossary of {site_obj.slug}, version {result.version}",
        columns=["term", "keep", "case", "renderings"],
        rows=[
            (
                t.source,
                "yes" if t.do_not_translate else "",
                "" if t.case_sensitive else "any",
                ", ".join(f"{k}={v}" for k, v in t.translations.items()),
            )
            for t in result.terms
        ],
    )


@glossary.command("remove")
@click.argument("term")
@click.option("--site", default=None, help="Site slug (default: WARTA_DEFAULT_SITE).")
@pass_app
def remove(app: AppContext, term: str, site: str | None) -> None:
    """Remove TERM (written as `warta glossary list` shows it)."""
    with handled(app):
        site_obj = _site(app, site)
        change = _service(app).delete(site_id=site_obj.id, source=term, actor=ACTOR)
    _report(app, site_obj, change)


@glossary.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--site", default=None, help="Site slug (default: WARTA_DEFAULT_SITE).")
@click.option(
    "--replace",
    is_flag=True,
    help="Make the glossary exactly the file's terms (terms not in the file are deleted).",
)
@pass_app
def import_(app: AppContext, file: Path, site: str | None, replace: bool) -> None:
    """Add or replace the terms of a CSV FILE ('-': standard input), all or nothing.

    Columns: source,keep,case_sensitive,en,zh,ja,ar,fr (UTF-8; `warta glossary export` writes
    one). A bad row refuses the whole file, naming its line.
    """
    with handled(app):
        data = _read(file)
        site_obj = _site(app, site)
        change = _service(app).import_csv(
            site_id=site_obj.id, data=data, actor=ACTOR, replace=replace
        )
    _report(app, site_obj, change)


@glossary.command("export")
@click.option("--site", default=None, help="Site slug (default: WARTA_DEFAULT_SITE).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the CSV to this file (default: standard output).",
)
@pass_app
def export(app: AppContext, site: str | None, out: Path | None) -> None:
    """Write a site's glossary as CSV (UTF-8), ready for `warta glossary import`."""
    with handled(app):
        site_obj = _site(app, site)
        data = _service(app).export_csv(site_id=site_obj.id)
        if out is None:
            click.echo(data, nl=False)  # bytes go to the binary stream as they are
            return
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise IngestError(
                f"cannot write {out}: {exc.strerror}",
                hint="choose a path in a folder you can write to",
                path=str(out),
            ) from None
    app.err.print(f"wrote the glossary of {site_obj.slug} to {out}")


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    try:
        return file.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"cannot read {file}: {exc.strerror}",
            hint="give the path of a CSV file",
            path=str(file),
        ) from None


COMMANDS = (glossary,)
