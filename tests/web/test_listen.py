"""PostgreSQL LISTEN/NOTIFY: a write committed by another process invalidates the page cache's
watch at once, not at the next periodic read of the change counter."""

from __future__ import annotations

import time

import pytest
import sqlalchemy
from tests.dbfixtures import backend, db_url, engine  # noqa: F401 -- fixtures used below

from warta.store.counter import ChangeCounter
from warta.store.repository import Store
from warta.store.session import make_engine
from warta.web.fast import ChangeListener, ChangeWatch

HOUR = 3600.0


def _settle(predicate: object, *, tries: int = 200) -> bool:
    """Poll a condition a bounded number of times (a safety net, not a measured time)."""
    assert callable(predicate)
    for _ in range(tries):
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def test_another_process_write_invalidates_the_watch_at_once_and_a_read_does_not(
    engine: sqlalchemy.Engine,  # noqa: F811 -- the fixture imported above
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite has the periodic read only")
    now = [0.0]
    watch = ChangeWatch(read=ChangeCounter(engine).read, interval_s=HOUR, clock=lambda: now[0])
    listener = ChangeListener(engine.url, watch, poll_s=0.2)
    listener.start()
    other = make_engine(engine.url.render_as_string(hide_password=False))  # its own connections
    try:
        assert listener.wait_listening(10.0)
        watch.refresh()
        assert watch.fresh() is not None  # read now: fresh for an hour of the manual clock

        Store(other).list_sites()  # a read notifies nothing
        time.sleep(0.5)
        assert watch.fresh() is not None

        Store(other).create_site(slug="lain", name="Situs Lain")  # a write, elsewhere
        assert _settle(lambda: watch.fresh() is None)  # invalidated, the clock not moved
        assert listener.notifications >= 1
        before = watch.generation
        assert watch.refresh() == before + 1  # the next read sees the new site
    finally:
        listener.close()
        other.dispose()
