"""Configured engines, routes and usage (migration 0005), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy
from tests.dbfixtures import FakeClock

from warta.domain import Site
from warta.engines.setup import EngineConfig, RouteConfig
from warta.errors import ConflictError, NotFoundError
from warta.languages import Lang
from warta.store.engines import EngineStore


@pytest.fixture
def engines(engine: sqlalchemy.Engine, clock: FakeClock) -> EngineStore:
    return EngineStore(engine, clock=clock)


def test_an_engine_is_stored_once_by_name_and_disabled_then_enabled(engines: EngineStore) -> None:
    added = engines.add(
        EngineConfig(
            name="llm", kind="openai", url="http://x/v1", model="m", options={"temperature": 0.2}
        )
    )
    assert added.options == {"temperature": 0.2}
    with pytest.raises(ConflictError, match="already exists"):
        engines.add(EngineConfig(name="llm", kind="deepl"))

    first = engines.disable("llm", reason="401 Unauthorized")
    again = engines.disable("llm", reason="something later")

    assert (again.disabled_at, again.disabled_reason) == (first.disabled_at, "401 Unauthorized")
    assert not engines.enable("llm").disabled
    with pytest.raises(NotFoundError, match="warta engines list"):
        engines.get("nope")


def test_a_route_replaces_the_one_for_the_same_site_and_language(
    engines: EngineStore, site: Site
) -> None:
    engines.set_route(RouteConfig(lang=Lang.JA, engine="a"))
    engines.set_route(RouteConfig(lang=Lang.JA, engine="b", fallback=("a",)))
    engines.set_route(RouteConfig(lang=Lang.JA, engine="c", site=site.slug))
    engines.set_route(RouteConfig(lang=Lang.JA, engine="d", fallback=("c", "a"), site=site.slug))

    assert engines.routes() == [
        RouteConfig(lang=Lang.JA, engine="b", fallback=("a",)),
        RouteConfig(lang=Lang.JA, engine="d", fallback=("c", "a"), site=site.slug),
    ]
    with pytest.raises(NotFoundError, match="warta sites create"):
        engines.set_route(RouteConfig(lang=Lang.EN, engine="a", site="ghost"))


def test_usage_adds_up_per_engine_site_and_day_and_the_month_counts_this_month_only(
    engines: EngineStore, site: Site, clock: FakeClock
) -> None:
    clock.now = datetime(2025, 2, 28, 23, 0, tzinfo=UTC)
    engines.record_usage(engine="deepl", site=site.slug, characters=500, requests=1)
    clock.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    engines.record_usage(engine="deepl", site=site.slug, characters=100, requests=1)
    engines.record_usage(
        engine="deepl", site=site.slug, characters=20, input_tokens=7, requests=1, errors=1
    )
    engines.record_usage(engine="deepl", site=None, characters=5, requests=1)

    assert engines.month_characters(engine="deepl", site=site.slug) == 120
    assert engines.month_characters(engine="deepl", site=None) == 5
    days = engines.usage(site=site.slug, days=2)
    assert [(u.day.isoformat(), u.characters, u.requests, u.errors) for u in days] == [
        ("2025-03-01", 120, 2, 1),
        ("2025-02-28", 500, 1, 0),
    ]
    assert days[0].input_tokens == 7
    assert [u.day.isoformat() for u in engines.usage(days=1)] == ["2025-03-01", "2025-03-01"]
