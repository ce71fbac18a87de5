"""A base for stores beside :class:`~warta.store.repository.Store`: same transaction rules.

Each public method of a subclass is one transaction: reads run in a plain transaction, writes take
the write lock up front on SQLite (``BEGIN IMMEDIATE``), and a constraint violation becomes
:class:`~warta.errors.ConflictError` (see :func:`warta.store.session.transaction`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy
from sqlalchemy.orm import Session

from warta.store.clock import Clock, utcnow
from warta.store.session import transaction, writer


class Transactional:
    def __init__(self, engine: sqlalchemy.Engine, *, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock

    @property
    def clock(self) -> Clock:
        return self._clock

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with transaction(self._engine) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with transaction(self._writer) as session:
            yield session
