"""Readiness: may this process take traffic (``/readyz``)? Liveness (``/healthz``) needs none of it.

:class:`ReadinessChecks` runs four checks, each cheap (at most one database round trip, short
timeouts), and reports every one of them:

``database``
    a connection answers ``SELECT 1``;
``migrations``
    the database is at the newest migration shipped with this warta (``alembic_version`` equals
    the scripts' head); otherwise ``warta db upgrade`` is due (or warta is older than the data);
``broker``
    where ``WARTA_BROKER_URL`` is set, a connection to the Celery broker opens within the timeout
    (skipped otherwise: jobs run in-process);
``models``
    every registered model's directory still holds its files (``model.bin``, ``config.json`` and
    the tokenizer); no registered model is not a failure (editions wait as pending).

When the database cannot be reached, the checks that need it are reported ``skip``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from warta.errors import ModelNotFoundError
from warta.store.session import head_revision
from warta.store.tables import ModelRow

__all__ = ["Check", "Readiness", "ReadinessChecks", "check_broker_url"]

CheckStatus = Literal["ok", "fail", "skip"]
DEFAULT_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome; ``detail`` says what was found (and, on failure, what to do)."""

    name: str
    status: CheckStatus
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"status": self.status, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return not self.failing

    @property
    def failing(self) -> list[str]:
        return [c.name for c in self.checks if c.status == "fail"]

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "fail",
            "failing": self.failing,
            "checks": {c.name: c.as_json() for c in self.checks},
        }


class ReadinessChecks:
    """The checks of one process; ``head`` gives the newest shipped migration (read once, on the
    first run: the scripts do not change while the process runs)."""

    def __init__(
        self,
        *,
        db: sqlalchemy.Engine,
        broker_url: str = "",
        timeout_s: float = DEFAULT_TIMEOUT_S,
        head: Callable[[], str | None] = head_revision,
    ) -> None:
        self._db = db
        self._broker_url = broker_url
        self._timeout = timeout_s
        self._head_of = head
        self._head: tuple[str | None] | None = None
        self._lock = threading.Lock()

    def run(self) -> Readiness:
        """Every check, in order: database, migrations, broker, models."""
        checks: list[Check] = []
        with self._connection(checks) as connection:
            if connection is None:
                reason = "not checked: the database cannot be reached"
                migrations, models = (
                    Check("migrations", "skip", reason),
                    Check("models", "skip", reason),
                )
            else:
                migrations, models = self._migrations(connection), self._models(connection)
        return Readiness((*checks, migrations, self._broker(), models))

    @contextmanager
    def _connection(self, checks: list[Check]) -> Iterator[sqlalchemy.Connection | None]:
        """A connection that answered ``SELECT 1`` (the ``database`` check), or None."""
        try:
            connection = self._db.connect()
        except SQLAlchemyError as exc:  # what this check reports
            checks.append(Check("database", "fail", _reason("cannot connect", exc)))
            yield None
            return
        with connection:
            try:
                connection.execute(sqlalchemy.text("SELECT 1"))
            except SQLAlchemyError as exc:  # a connection that cannot run a query is as bad
                checks.append(Check("database", "fail", _reason("cannot query", exc)))
                yield None
                return
            checks.append(Check("database", "ok", f"{self._db.dialect.name} answers"))
            yield connection

    def _migrations(self, connection: sqlalchemy.Connection) -> Check:
        head = self.head()
        try:
            rows = connection.execute(sqlalchemy.text("SELECT version_num FROM alembic_version"))
            current = sorted(str(r[0]) for r in rows)
        except SQLAlchemyError as exc:  # no alembic_version table: never migrated
            connection.rollback()  # PostgreSQL: the failed statement aborted the transaction
            return Check(
                "migrations",
                "fail",
                _reason("the database is not migrated", exc) + "; run `warta db upgrade`",
            )
        if current == [head]:
            return Check("migrations", "ok", f"at {head}")
        at = ", ".join(current) or "nothing"
        return Check(
            "migrations",
            "fail",
            f"the database is at {at}, this warta expects {head}: run `warta db upgrade` "
            "(or upgrade warta, if the database was migrated by a newer one)",
        )

    def head(self) -> str | None:
        with self._lock:
            if self._head is None:
                self._head = (self._head_of(),)
            return self._head[0]

    def _broker(self) -> Check:
        if not self._broker_url:
            return Check("broker", "skip", "no WARTA_BROKER_URL: jobs run in-process")
        problem = check_broker_url(self._broker_url, timeout_s=self._timeout)
        if problem is None:
            return Check("broker", "ok", f"{_sanitized(self._broker_url)} answers")
        return Check("broker", "fail", problem)

    def _models(self, connection: sqlalchemy.Connection) -> Check:
        from warta.engines.models import validate_model_dir

        try:
            rows = connection.execute(
                select(ModelRow.name, ModelRow.path, ModelRow.family, ModelRow.target_lang)
            ).all()
        except SQLAlchemyError as exc:  # e.g. no models table: the migrations check says why
            connection.rollback()
            return Check("models", "fail", _reason("cannot read the registered models", exc))
        if not rows:
            return Check("models", "ok", "no model registered: editions wait as pending")
        missing: list[str] = []
        for name, path, family, target in rows:
            try:
                validate_model_dir(Path(path), family=family)
            except ModelNotFoundError as exc:
                missing.append(f"{name} (id->{target}): {exc.message}")
        if missing:
            return Check(
                "models",
                "fail",
                "; ".join(missing) + ": restore the files, or re-register with `warta models add`",
            )
        return Check("models", "ok", f"{len(rows)} registered, files present")


def check_broker_url(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """Open (and close) one connection to the Celery broker at ``url``; None when it answered,
    else why not (the URL's password hidden)."""
    from kombu.connection import Connection

    options = {"socket_connect_timeout": timeout_s, "socket_timeout": timeout_s}
    try:
        with Connection(  # type: ignore[no-untyped-call]
            url, connect_timeout=timeout_s, transport_options=options
        ) as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout_s
            )
    except Exception as exc:  # noqa: BLE001 -- any failure means the broker cannot be used now
        return _reason(f"cannot connect to {_sanitized(url)}", exc) + "; check WARTA_BROKER_URL"
    return None


def _sanitized(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


def _reason(what: str, exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    return f"{what}: {text}"
