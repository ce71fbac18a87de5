"""Cache hits answered in front of the app: no database, same bytes, never stale for longer than
the configured interval after the store changes (warta.web.fast)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy
from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.web.sitedata import SampleSite, marker, populate, store_test_edition

from warta.config import Settings
from warta.languages import Lang
from warta.services import Services, build_services
from warta.store.counter import ChangeCounter
from warta.web.app import create_app
from warta.web.fast import ChangeWatch

INTERVAL_MS = 250


class ManualClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class StatementCount:
    """Counts the queries an engine runs (a real listener on the real engine; not BEGIN)."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.count += 1


@dataclass
class Rig:
    services: Services
    other: Services  # another process's view of the same database: its writes are not seen here
    sample: SampleSite
    clock: ManualClock
    client: TestClient


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    settings = Settings(home=tmp_path, cache_check_ms=INTERVAL_MS)
    services = build_services(settings)
    other = build_services(settings, migrate=False)
    clock = ManualClock()
    try:
        sample = populate(services)
        with TestClient(create_app(services, cache_clock=clock), follow_redirects=False) as client:
            yield Rig(services, other, sample, clock, client)
    finally:
        other.close()
        services.close()


def article_path(rig: Rig, lang: Lang, *, article_id: int | None = None) -> str:
    article_id = rig.sample.pending.id if article_id is None else article_id
    response = rig.client.get(f"/{lang.value}/{article_id}")
    assert response.status_code == 301
    return response.headers["location"]


def test_a_hit_runs_no_sql_and_repeats_the_full_responses_bytes(rig: Rig) -> None:
    path = article_path(rig, Lang.EN)
    first = rig.client.get(path)  # rendered by the route
    second = rig.client.get(path)  # the change counter is read once, then a hit
    statements = StatementCount(rig.services.db)
    hits = [rig.client.get(path) for _ in range(5)]
    assert statements.count == 0
    for response in (second, *hits):
        assert response.status_code == 200
        assert response.content == first.content
        assert response.headers.items() == first.headers.items()


def test_a_hit_answers_conditional_requests_with_304(rig: Rig) -> None:
    path = article_path(rig, Lang.FR)
    page = rig.client.get(path)
    rig.client.get(path)
    statements = StatementCount(rig.services.db)
    again = rig.client.get(path, headers={"if-none-match": page.headers["etag"]})
    assert statements.count == 0
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == page.headers["etag"]
    assert again.headers["surrogate-key"] == page.headers["surrogate-key"]
    assert "content-type" not in again.headers


def test_a_write_elsewhere_is_served_within_the_interval_and_never_later(rig: Rig) -> None:
    path = article_path(rig, Lang.EN)
    before = rig.client.get(path)
    rig.client.get(path)  # counter read at the clock's now: hits from here on
    assert marker(Lang.EN) not in before.text
    store_test_edition(rig.other.store, rig.sample.pending, Lang.EN)  # another process writes
    rig.clock.advance(INTERVAL_MS / 1000 / 2)
    inside = rig.client.get(path)
    assert inside.content == before.content  # stale, but within the interval
    rig.clock.advance(INTERVAL_MS / 1000 / 2)  # exactly one interval after the last read
    after = rig.client.get(path, follow_redirects=True)
    assert after.status_code == 200
    assert marker(Lang.EN) in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_a_write_in_this_process_is_served_at_once(rig: Rig) -> None:
    path = article_path(rig, Lang.JA)
    before = rig.client.get(path)
    rig.client.get(path)
    store_test_edition(rig.services.store, rig.sample.pending, Lang.JA)  # the clock stands still
    after = rig.client.get(path, follow_redirects=True)
    assert marker(Lang.JA) in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_an_unchanged_page_is_a_hit_again_after_the_interval(rig: Rig) -> None:
    path = article_path(rig, Lang.AR)
    rig.client.get(path)
    rig.client.get(path)
    rig.clock.advance(10.0)
    statements = StatementCount(rig.services.db)
    rig.client.get(path)  # one read of the counter, then a hit
    rig.client.get(path)
    assert statements.count == 1


def test_every_page_kind_has_cdn_headers(rig: Rig) -> None:
    article_id = rig.sample.full.id  # translated: a pending page is asked again each time
    article = rig.client.get(article_path(rig, Lang.EN, article_id=article_id))
    front = rig.client.get("/en/")
    feed = rig.client.get("/en/rss.xml")
    assert article.headers["surrogate-key"] == f"site-demo site-demo-article-{article_id}"
    assert article.headers["cache-tag"] == f"site-demo,site-demo-article-{article_id}"
    assert front.headers["surrogate-key"] == "site-demo site-demo-lists"
    assert feed.headers["cache-tag"] == "site-demo,site-demo-lists"
    for response in (article, front, feed):
        assert "stale-while-revalidate=30" in response.headers["cache-control"]


def test_a_watch_moves_on_only_when_the_fingerprint_changes(rig: Rig) -> None:
    clock = ManualClock()
    watch = ChangeWatch(read=ChangeCounter(rig.services.db).read, interval_s=1.0, clock=clock)
    assert watch.fresh() is None
    first = watch.refresh()
    assert watch.fresh() == first
    assert watch.refresh() == first  # nothing changed
    store_test_edition(rig.other.store, rig.sample.pending, Lang.ZH)
    assert watch.fresh() == first  # not read yet: within the interval, the old generation
    clock.advance(1.0)
    assert watch.fresh() is None
    assert watch.refresh() == first + 1


def test_the_counter_is_read_ahead_in_the_background_while_hits_go_on(rig: Rig) -> None:
    path = article_path(rig, Lang.FR)
    before = rig.client.get(path)
    rig.client.get(path)
    watch = rig.client.app.state.web.watch  # type: ignore[attr-defined]
    generation = watch.generation
    store_test_edition(rig.other.store, rig.sample.pending, Lang.FR)  # another process writes
    rig.clock.advance(INTERVAL_MS / 1000 * 0.6)
    assert rig.client.get(path).content == before.content  # a hit; a read starts behind it
    for _ in range(3000):  # a safety net, not a measured time: the read takes milliseconds
        if watch.generation != generation:
            break
        threading.Event().wait(0.01)
    assert watch.generation == generation + 1
    rig.clock.advance(INTERVAL_MS / 1000 * 0.3)  # still inside the first interval
    after = rig.client.get(path, follow_redirects=True)
    assert marker(Lang.FR) in after.text
