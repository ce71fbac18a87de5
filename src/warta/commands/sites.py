"""`warta sites create|list`: the portals one installation serves."""

from __future__ import annotations

import click

from warta.commands._context import AppContext, handled, pass_app, print_table


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


COMMANDS = (sites,)
