"""Shared plumbing of the CLI commands: the per-invocation context, error handling, output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from warta.config import Settings
from warta.errors import InputError, WartaError
from warta.services import Services, build_services

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_PENDING = 3


class AppContext:
    """Per-invocation state: settings are validated once; services are built on first use."""

    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        self._migrate = migrate  # False where another process has migrated the database
        self._services: Services | None = None
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self.settings, migrate=self._migrate)
        return self._services

    def close(self) -> None:
        if self._services is not None:
            self._services.close()

    def fail(self, error: WartaError, *, as_json: bool = False) -> NoReturn:
        code = EXIT_BAD_INPUT if isinstance(error, InputError) else EXIT_FAILURE
        if as_json:
            click.echo(json.dumps({"error": error.to_dict()}, ensure_ascii=False), err=True)
        else:
            self.err.print(f"[bold red]error:[/] {error.message}", markup=True, highlight=False)
            if error.hint:
                self.err.print(f"[bold]fix:[/] {error.hint}", markup=True, highlight=False)
        raise SystemExit(code)


@contextmanager
def handled(ctx: AppContext, *, as_json: bool = False) -> Iterator[None]:
    """Turn WartaError into a message and an exit code; never a traceback for known errors."""
    try:
        yield
    except WartaError as exc:
        ctx.fail(exc, as_json=as_json)


pass_app = click.make_pass_decorator(AppContext)


def print_table(
    console: Console, *, title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_one_line_table(
    console: Console,
    *,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    shrink: Mapping[str, int],
) -> None:
    """A table whose every row is one line at the console's width: too long values are cut
    with "…", first in the ``shrink`` columns (down to their given widths, in order), then in
    headers wider than their values, then the ``shrink`` columns again (down to 8). Full values
    are for ``--format json``.
    """
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = {
        name: max([cell_len(name), *(cell_len(row[i]) for row in cells)])
        for i, name in enumerate(columns)
    }
    # Compact frame: a rule under the header, one space of padding between columns.
    excess = sum(widths.values()) + 2 * (len(columns) - 1) - console.width
    for name, floor in shrink.items():
        cut = max(0, min(excess, widths[name] - floor))
        widths[name] -= cut
        excess -= cut
    for i, name in enumerate(columns):
        if excess <= 0:
            break
        values = max((cell_len(row[i]) for row in cells), default=0)
        cut = max(0, min(excess, widths[name] - max(values, 4)))
        widths[name] -= cut
        excess -= cut
    for name in shrink:  # still too wide: the shrinking columns give up more
        cut = max(0, min(excess, widths[name] - 8))
        widths[name] -= cut
        excess -= cut
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for name in columns:
        table.add_column(name, width=widths[name], no_wrap=True, overflow="ellipsis")
    for row in cells:
        table.add_row(*row)
    console.print(table)


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
