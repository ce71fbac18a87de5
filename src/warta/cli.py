"""The ``warta`` command: a thin layer over :func:`warta.services.build_services`.

Exit codes: 0 success; 1 an operational failure (engine, store, network); 2 bad input (the message
names the problem and the fix); 3 ``translate`` finished but some editions stay pending (no model).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from warta import __version__
from warta.commands import (
    articles,
    backfill,
    bench,
    celery,
    engines,
    glossary,
    integrations,
    jobs,
    models,
    publish,
    quality,
    serve,
    sites,
)
from warta.commands._context import EXIT_BAD_INPUT, AppContext
from warta.config import Settings


@click.group()
@click.version_option(__version__, prog_name="warta")
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="WARTA_HOME",
    help="Data directory (SQLite database, models). Default: ~/.local/share/warta.",
)
@click.option(
    "--database-url",
    envvar="WARTA_DATABASE_URL",
    help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db. Default: SQLite in --home.",
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None, database_url: str | None) -> None:
    """warta: English, Chinese, Japanese, Arabic and French editions of Indonesian news."""
    overrides: dict[str, Any] = {}
    if home is not None:
        overrides["home"] = home
    if database_url:
        overrides["database_url"] = database_url
    try:
        settings = Settings(**overrides)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        click.echo(f"error: invalid settings: {exc}", err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None
    app = AppContext(settings)
    ctx.obj = app
    ctx.call_on_close(app.close)


for _module in (
    articles,
    models,
    serve,
    publish,
    sites,
    glossary,
    celery,
    quality,
    integrations,
    bench,
    engines,
    jobs,
    backfill,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    from warta.observability.logs import configure_from_environment

    configure_from_environment()  # WARTA_LOG_FORMAT, WARTA_LOG_LEVEL: once per process
    cli.main(args=list(argv) if argv is not None else None, prog_name="warta")
