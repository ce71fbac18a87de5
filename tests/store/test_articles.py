from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import event, func, select
from tests.dbfixtures import FakeClock, make_draft

from warta.domain import EditionStatus, JobStatus, Site
from warta.errors import FieldError, NotFoundError
from warta.languages import Lang
from warta.store.repository import Store
from warta.store.tables import Base
from warta.workers.queue import SqlJobQueue

TARGETS = (Lang.EN, Lang.ZH, Lang.AR)


class InjectedFailure(Exception):
    pass


@contextmanager
def failing_insert_into(engine: sqlalchemy.Engine, table: str) -> Iterator[None]:
    """Make the database driver fail on the first INSERT INTO ``table`` (a crash mid-write)."""

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            raise InjectedFailure(statement)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def test_new_article_gets_revision_1_and_one_queued_job_and_pending_edition_per_target(
    store: Store, site: Site, queue: SqlJobQueue
) -> None:
    result = store.save_article(make_draft(tags=("banjir", "jakarta")), targets=TARGETS)

    assert result.new_revision is True
    assert result.revision.number == 1
    assert result.article.current_revision == 1
    assert result.article.site_id == site.id
    assert result.article.tags == ("banjir", "jakarta")
    assert [(j.lang, j.status, j.attempts) for j in result.jobs] == [
        (lang, JobStatus.QUEUED, 0) for lang in TARGETS
    ]
    assert all(j.revision_id == result.revision.id for j in result.jobs)
    assert queue.counts()[JobStatus.QUEUED] == 3
    editions = store.list_editions(result.revision.id)
    assert [(e.lang, e.status, e.reason) for e in editions] == [
        (lang, EditionStatus.PENDING, "queued for translation")
        for lang in (Lang.EN, Lang.ZH, Lang.AR)
    ]


def test_changed_content_makes_the_next_revision_with_its_own_jobs(
    store: Store, site: Site, clock: FakeClock
) -> None:
    first = store.save_article(make_draft(), targets=TARGETS)
    clock.advance(60)
    second = store.save_article(make_draft(title="Banjir besar melanda Jakarta"), targets=TARGETS)

    assert second.new_revision is True
    assert second.revision.number == 2
    assert second.article.id == first.article.id
    assert second.article.current_revision == 2
    assert second.article.created_at == first.article.created_at
    assert second.article.updated_at == clock.now
    assert {j.revision_id for j in second.jobs} == {second.revision.id}
    assert [r.number for r in store.list_revisions(first.article.id)] == [1, 2]
    assert store.get_current_revision(first.article.id) == second.revision
    assert store.get_revision(first.revision.id).title == "Banjir melanda Jakarta"


def test_same_content_updates_metadata_only_without_revision_or_jobs(
    store: Store, site: Site, queue: SqlJobQueue, clock: FakeClock
) -> None:
    first = store.save_article(make_draft(author=None), targets=TARGETS)
    clock.advance(60)
    again = store.save_article(make_draft(author="Budi Santoso", category="Metro"), targets=TARGETS)

    assert again.new_revision is False
    assert again.jobs == ()
    assert again.revision == first.revision
    assert again.article.author == "Budi Santoso"
    assert again.article.category == "Metro"
    assert again.article.current_revision == 1
    assert len(store.list_revisions(first.article.id)) == 1
    assert queue.counts()[JobStatus.QUEUED] == len(TARGETS)


@pytest.mark.parametrize("table", ["revisions", "jobs", "editions"])
def test_failure_while_saving_a_new_article_leaves_nothing_behind(
    engine: sqlalchemy.Engine, store: Store, site: Site, queue: SqlJobQueue, table: str
) -> None:
    with failing_insert_into(engine, table), pytest.raises(InjectedFailure):
        store.save_article(make_draft(), targets=TARGETS)

    assert store.list_articles() == []
    assert queue.counts() == dict.fromkeys(JobStatus, 0)
    with engine.connect() as conn:
        for table in ("articles", "revisions", "jobs", "editions"):
            count = select(func.count()).select_from(Base.metadata.tables[table])
            assert conn.scalar(count) == 0, table


def test_failure_while_saving_a_new_revision_keeps_the_previous_one_current(
    engine: sqlalchemy.Engine, store: Store, site: Site, queue: SqlJobQueue
) -> None:
    first = store.save_article(make_draft(), targets=TARGETS)
    with failing_insert_into(engine, "editions"), pytest.raises(InjectedFailure):
        store.save_article(make_draft(title="Judul baru", author="Budi"), targets=TARGETS)

    article = store.get_article_by_id(first.article.id)
    assert article.current_revision == 1
    assert article.author is None  # the metadata change was rolled back with the revision
    assert [r.number for r in store.list_revisions(article.id)] == [1]
    assert queue.counts()[JobStatus.QUEUED] == len(TARGETS)


def test_saving_into_an_unknown_site_names_the_command_that_creates_it(store: Store) -> None:
    with pytest.raises(NotFoundError) as err:
        store.save_article(make_draft(site="tidak-ada"), targets=TARGETS)
    assert "warta sites create tidak-ada" in err.value.hint


def test_indonesian_is_refused_as_a_target_and_repeated_targets_count_once(
    store: Store, site: Site
) -> None:
    with pytest.raises(FieldError):
        store.save_article(make_draft(), targets=(Lang.EN, Lang.ID))
    result = store.save_article(make_draft(), targets=(Lang.EN, Lang.EN, Lang.FR))
    assert [j.lang for j in result.jobs] == [Lang.EN, Lang.FR]


def test_unicode_text_round_trips_unchanged(store: Store, site: Site) -> None:
    title = "Presiden: «Kita bangkit» — 印尼总统 · インドネシア大統領 · الرئيس الإندونيسي 🇮🇩"
    body = "<p>Menteri berkata: “Ekonomi tumbuh 5,1%”. 経済は成長した。 نما الاقتصاد.</p>"
    result = store.save_article(
        make_draft(
            title=title,
            body_html=body,
            author="Sri Mulyani Indrawati",
            tags=("ekonomi", "经济", "اقتصاد"),
        ),
        targets=TARGETS,
    )
    revision = store.get_revision(result.revision.id)
    assert (revision.title, revision.body_html) == (title, body)
    assert store.get_article_by_id(result.article.id).tags == ("ekonomi", "经济", "اقتصاد")


def test_articles_are_listed_newest_published_first(
    store: Store, site: Site, clock: FakeClock
) -> None:
    day = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    store.save_article(make_draft("lama", published_at=day), targets=())
    store.save_article(make_draft("baru", published_at=day + timedelta(days=2)), targets=())
    store.save_article(make_draft("tengah", published_at=day + timedelta(days=1)), targets=())
    other = store.create_site(slug="lain", name="Situs Lain")
    store.save_article(make_draft("lain-1", site="lain", published_at=day), targets=())

    assert [a.external_id for a in store.list_articles(site_id=site.id)] == [
        "baru",
        "tengah",
        "lama",
    ]
    assert [a.external_id for a in store.list_articles(site_id=site.id, limit=1, offset=1)] == [
        "tengah"
    ]
    assert [a.external_id for a in store.list_articles(site_id=other.id)] == ["lain-1"]
    assert len(store.list_articles()) == 4


def test_published_at_comes_back_in_utc(store: Store, site: Site) -> None:
    wib = datetime(2025, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=7)))  # Jakarta time
    result = store.save_article(make_draft(published_at=wib), targets=())
    stored = store.get_article(site_id=site.id, external_id="berita-1").published_at
    assert stored == wib
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)
    assert result.article.published_at == wib


def test_missing_articles_and_revisions_raise_not_found(store: Store, site: Site) -> None:
    with pytest.raises(NotFoundError):
        store.get_article(site_id=site.id, external_id="tidak-ada")
    with pytest.raises(NotFoundError):
        store.get_article_by_id(999)
    with pytest.raises(NotFoundError):
        store.get_revision(999)
    with pytest.raises(NotFoundError):
        store.get_current_revision(999)
    with pytest.raises(FieldError):
        store.list_articles(limit=0)
