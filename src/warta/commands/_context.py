"""Shared plumbing of the CLI commands: the per-invocation context, error handling, output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click
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


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
