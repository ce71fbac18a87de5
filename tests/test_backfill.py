"""The archive backfill planner (warta.backfill): the window in newsroom days, what each edition
needs, and queueing that an interruption cannot make duplicate, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from tests.dbfixtures import (
    FakeClock,
    backend,
    clock,
    db_url,
    engine,
    make_draft,
    make_edition,
    queue,
    site,
    store,
)

from warta.backfill import (
    NEWSROOM_TZ,
    ArticlePlan,
    Backfill,
    EditionState,
    Fate,
    JobProgress,
    Tally,
    Window,
    fate,
    parse_day,
    wait_for_jobs,
    window,
)
from warta.domain import EditionStatus, Job, JobErrorKind, JobPriority, JobStatus, Site
from warta.errors import FieldError
from warta.languages import Lang
from warta.store.repository import Store
from warta.store.session import transaction
from warta.store.tables import JobRow
from warta.workers.queue import SqlJobQueue

__all__ = ["backend", "clock", "db_url", "engine", "queue", "site", "store"]

WIB = timezone(timedelta(hours=7))
MARCH = Window(since=date(2025, 3, 1), until=date(2025, 4, 1))
EN_JA = (Lang.EN, Lang.JA)


# --- the window --------------------------------------------------------------------------------


def test_a_window_starts_and_ends_at_midnight_in_jakarta():
    assert MARCH.start == datetime(2025, 2, 28, 17, 0, tzinfo=UTC)
    assert MARCH.end == datetime(2025, 3, 31, 17, 0, tzinfo=UTC)
    assert MARCH.describe() == "2025-03-01 to 2025-03-31 (WIB, UTC+7)"
    assert NEWSROOM_TZ.utcoffset(None) == timedelta(hours=7)


def test_no_until_means_through_today():
    days = window(since=date(2025, 3, 1), until=None, today=date(2025, 3, 10))

    assert days == Window(since=date(2025, 3, 1), until=date(2025, 3, 11))


@pytest.mark.parametrize(
    ("since", "until", "today", "message", "hint"),
    [
        # --until before --since: says so, and gives them swapped
        (
            date(2025, 3, 10),
            date(2025, 3, 1),
            date(2025, 4, 1),
            "the date range is reversed: --until 2025-03-01 comes before --since 2025-03-10",
            "--since 2025-03-01 --until 2025-03-10",
        ),
        # the same day twice: --until is exclusive, so the range holds no day
        (
            date(2025, 3, 10),
            date(2025, 3, 10),
            date(2025, 4, 1),
            "the date range is empty: --until 2025-03-10 is the first day left out",
            "--since 2025-03-10 --until 2025-03-11",
        ),
        # --since in the future and no --until: through today is before it
        (
            date(2025, 5, 1),
            None,
            date(2025, 4, 1),
            "the date range is reversed: --until 2025-04-02 comes before --since 2025-05-01",
            "swap them",
        ),
        # --since tomorrow and no --until: through today is empty
        (
            date(2025, 4, 2),
            None,
            date(2025, 4, 1),
            "the date range is empty: --since 2025-04-02 is after today (2025-04-01, WIB)",
            "give --since a day up to today",
        ),
    ],
)
def test_a_reversed_or_empty_range_is_refused_with_the_fix(since, until, today, message, hint):
    with pytest.raises(FieldError) as caught:
        window(since=since, until=until, today=today)

    assert caught.value.message.startswith(message)
    assert hint in caught.value.hint


def test_a_day_that_is_not_iso_is_refused_naming_the_option():
    with pytest.raises(FieldError) as caught:
        parse_day("01/03/2025", option="--since")

    assert caught.value.message == "--since '01/03/2025' is not a date"
    assert "YYYY-MM-DD" in caught.value.hint


# --- what each edition needs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (EditionState(status=None), Fate.QUEUE),  # never requested
        (EditionState(status=EditionStatus.PENDING), Fate.QUEUE),  # pending, no job (lost)
        (EditionState(status=EditionStatus.FAILED), Fate.QUEUE),  # dead letter: try again
        (EditionState(status=EditionStatus.PENDING, active_job=7), Fate.QUEUED),
        (EditionState(status=EditionStatus.TRANSLATED), Fate.DONE),
        (EditionState(status=EditionStatus.NEEDS_REVIEW), Fate.DONE),
        # a re-translation running on a published edition: done as far as a backfill goes
        (EditionState(status=EditionStatus.TRANSLATED, active_job=7), Fate.DONE),
        # an editor corrected or approved it: their edition, never translated again
        (EditionState(status=EditionStatus.TRANSLATED, editor_touched=True), Fate.DONE),
        # an editor sent it back and that job failed: theirs to retry
        (EditionState(status=EditionStatus.FAILED, editor_touched=True), Fate.HELD),
        (EditionState(status=EditionStatus.PENDING, editor_touched=True), Fate.HELD),
    ],
)
def test_fate_of_an_edition(state, expected):
    assert fate(state) is expected


def test_a_tally_counts_editions_and_keeps_the_lowest_job_id():
    plan = ArticlePlan(
        article_id=1,
        external_id="a",
        revision_id=10,
        fates=((Lang.EN, Fate.QUEUE), (Lang.JA, Fate.QUEUED), (Lang.FR, Fate.DONE)),
        active_jobs=(40,),
    )

    tally = Tally().add(plan, job_ids=[55]).add(plan, job_ids=[56])

    assert tally.to_dict() == {
        "articles": 2,
        "queued": 2,
        "already_done": 2,
        "already_queued": 2,
        "held": 0,
    }
    assert tally.first_job_id == 40


# --- against the database -----------------------------------------------------------------------


def _store_archive(store: Store, clock: FakeClock) -> dict[str, int]:
    """A March archive stored before any edition was wanted (no jobs), with its edges.

    Returns external id -> revision id of the current revision.
    """
    store.create_site(slug="lain", name="Situs Lain")
    published = {
        "before": datetime(2025, 2, 28, 23, 59, tzinfo=WIB),  # February in Jakarta
        "first": datetime(2025, 3, 1, 0, 0, tzinfo=WIB),  # 2025-02-28T17:00Z: March in Jakarta
        "middle": datetime(2025, 3, 15, 9, 30, tzinfo=WIB),
        "last": datetime(2025, 3, 31, 23, 59, tzinfo=WIB),
        "after": datetime(2025, 4, 1, 0, 0, tzinfo=WIB),
    }
    revisions: dict[str, int] = {}
    for external_id, when in published.items():
        result = store.save_article(
            make_draft(external_id, title=f"Berita {external_id}", published_at=when), targets=()
        )
        revisions[external_id] = result.revision.id
    clock.now = datetime(2025, 3, 20, 3, 0, tzinfo=UTC)  # stored on March 20th, no publish time
    revisions["undated"] = store.save_article(make_draft("undated"), targets=()).revision.id
    store.save_article(  # another site's March article: never part of kabar's backfill
        make_draft("elsewhere", site="lain", published_at=published["middle"]), targets=()
    )
    return revisions


def _jobs(engine) -> list[Job]:
    with transaction(engine) as session:
        rows = session.scalars(select(JobRow).order_by(JobRow.id)).all()
        return [
            Job(
                id=r.id,
                revision_id=r.revision_id,
                lang=Lang(r.lang),
                status=JobStatus(r.status),
                attempts=r.attempts,
                priority=JobPriority(r.priority),
                site_id=r.site_id,
            )
            for r in rows
        ]


IN_MARCH = ("first", "middle", "last", "undated")


def test_queues_exactly_the_articles_in_range_at_backfill_priority(
    engine, store, queue, clock, site: Site
):
    revisions = _store_archive(store, clock)
    planner = Backfill(db=engine, queue=queue)

    tally = planner.run(site_id=site.id, window=MARCH, langs=EN_JA)

    jobs = _jobs(engine)
    assert planner.count(site_id=site.id, window=MARCH) == 4
    assert sorted((j.revision_id, j.lang) for j in jobs) == sorted(
        (revisions[x], lang) for x in IN_MARCH for lang in EN_JA
    )
    assert {(j.priority, j.site_id, j.status) for j in jobs} == {
        (JobPriority.BACKFILL, site.id, JobStatus.QUEUED)
    }
    assert tally.to_dict() == {
        "articles": 4,
        "queued": 8,
        "already_done": 0,
        "already_queued": 0,
        "held": 0,
    }
    assert tally.first_job_id == jobs[0].id
    edition = store.get_edition(revision_id=revisions["first"], lang=Lang.JA)
    assert (edition.status, edition.reason) == (EditionStatus.PENDING, "queued for translation")


def test_done_editions_are_skipped_and_a_second_run_queues_nothing(
    engine, store, queue, clock, site: Site
):
    revisions = _store_archive(store, clock)
    store.save_edition(make_edition(revisions["middle"], Lang.EN))  # translated already
    store.save_edition(make_edition(revisions["last"], Lang.JA, status=EditionStatus.NEEDS_REVIEW))
    planner = Backfill(db=engine, queue=queue)

    first = planner.run(site_id=site.id, window=MARCH, langs=EN_JA)
    second = planner.run(site_id=site.id, window=MARCH, langs=EN_JA)

    queued = {(j.revision_id, j.lang) for j in _jobs(engine)}
    assert (revisions["middle"], Lang.EN) not in queued
    assert (revisions["last"], Lang.JA) not in queued
    assert len(queued) == len(_jobs(engine)) == 6
    assert (first.queued, first.done, first.already_queued) == (6, 2, 0)
    assert (second.queued, second.done, second.already_queued) == (0, 2, 6)


def test_an_active_news_job_is_counted_as_queued_and_not_lowered(
    engine, store, queue, clock, site: Site
):
    revisions = _store_archive(store, clock)
    news = queue.enqueue(revision_id=revisions["first"], lang=Lang.EN)  # breaking news

    tally = Backfill(db=engine, queue=queue).run(site_id=site.id, window=MARCH, langs=EN_JA)

    assert tally.already_queued == 1
    assert queue.get(news.id).priority is JobPriority.NEWS
    assert len(_jobs(engine)) == 8


def test_only_the_current_revision_is_queued(engine, store, queue, clock, site: Site):
    revisions = _store_archive(store, clock)
    newer = store.save_article(
        make_draft(
            "middle",
            title="Berita middle, diperbarui",
            published_at=datetime(2025, 3, 15, 9, 30, tzinfo=WIB),
        ),
        targets=(),
    ).revision

    Backfill(db=engine, queue=queue).run(site_id=site.id, window=MARCH, langs=(Lang.EN,))

    queued = {j.revision_id for j in _jobs(engine)}
    assert newer.id in queued
    assert revisions["middle"] not in queued


def test_a_failed_edition_is_queued_again_unless_an_editor_acted_on_it(
    engine, store, queue, clock, site: Site
):
    revisions = _store_archive(store, clock)
    for name in ("first", "middle"):
        _dead_letter(queue, queue.enqueue(revision_id=revisions[name], lang=Lang.EN))
    # an editor sent the failed "middle" back for a fresh translation, and that job failed too
    sent_back = store.history.send_back(
        revision_id=revisions["middle"], lang=Lang.EN, actor="redaksi@kabar.id"
    )
    _dead_letter(queue, sent_back)
    assert store.get_edition(revision_id=revisions["middle"], lang=Lang.EN).status is (
        EditionStatus.FAILED
    )

    tally = Backfill(db=engine, queue=queue).run(site_id=site.id, window=MARCH, langs=(Lang.EN,))

    active = {j.revision_id for j in _jobs(engine) if j.status is JobStatus.QUEUED}
    assert revisions["first"] in active  # failed for lack of anything: queued again
    assert revisions["middle"] not in active  # the editor's: left to them
    assert (tally.queued, tally.held) == (3, 1)


def _dead_letter(queue: SqlJobQueue, job: Job) -> None:
    (claimed,) = queue.claim(worker="w", limit=1, lease_seconds=30)
    assert claimed.id == job.id
    queue.fail(job.id, worker="w", error="model crashed", kind=JobErrorKind.PERMANENT)


@pytest.mark.parametrize("page_size", [1, 2, 3, 500])
def test_pages_by_article_id_cover_the_window_once(
    engine, store, queue, clock, site: Site, page_size
):
    _store_archive(store, clock)
    planner = Backfill(db=engine, queue=queue, page_size=page_size)

    plans = list(planner.plans(site_id=site.id, window=MARCH, langs=EN_JA))

    ids = [p.article_id for p in plans]
    assert ids == sorted(ids)
    assert sorted(p.external_id for p in plans) == sorted(IN_MARCH)


def test_a_page_size_out_of_bounds_is_refused(engine, queue):
    with pytest.raises(FieldError, match="a page of 0 articles"):
        Backfill(db=engine, queue=queue, page_size=0)


class Interrupted(Exception):
    pass


def test_a_run_stopped_after_two_articles_then_run_again_queues_each_edition_once(
    engine, store, queue, clock, site: Site
):
    revisions = _store_archive(store, clock)
    planner = Backfill(db=engine, queue=queue, page_size=2)

    def stop_after_two(_plan: ArticlePlan, tally: Tally) -> None:
        if tally.articles == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        planner.run(site_id=site.id, window=MARCH, langs=EN_JA, on_article=stop_after_two)
    assert len(_jobs(engine)) == 4
    resumed = planner.run(site_id=site.id, window=MARCH, langs=EN_JA)

    jobs = _jobs(engine)
    assert sorted((j.revision_id, j.lang) for j in jobs) == sorted(
        (revisions[x], lang) for x in IN_MARCH for lang in EN_JA
    )
    assert (resumed.queued, resumed.already_queued) == (4, 4)


class KilledQueue(SqlJobQueue):
    """The real queue, killed (the process dies) after ``left`` more jobs."""

    left = 3

    def enqueue(
        self,
        *,
        revision_id: int,
        lang: Lang,
        fresh: bool = False,
        priority: JobPriority = JobPriority.NEWS,
    ) -> Job:
        if self.left == 0:
            raise Interrupted
        self.left -= 1
        return super().enqueue(revision_id=revision_id, lang=lang, fresh=fresh, priority=priority)


def test_a_run_killed_in_the_middle_of_an_article_resumes_without_duplicates(
    engine, store, clock, site: Site
):
    revisions = _store_archive(store, clock)
    killed = KilledQueue(engine, clock=clock)
    langs = (Lang.EN, Lang.JA, Lang.FR)

    with pytest.raises(Interrupted):  # one article whole, the next one's first language
        Backfill(db=engine, queue=killed).run(site_id=site.id, window=MARCH, langs=langs)
    assert len(_jobs(engine)) == 3
    resumed = Backfill(db=engine, queue=SqlJobQueue(engine, clock=clock)).run(
        site_id=site.id, window=MARCH, langs=langs
    )

    jobs = _jobs(engine)
    assert len(jobs) == len({(j.revision_id, j.lang) for j in jobs}) == 12
    assert {(j.revision_id, j.lang) for j in jobs} == {
        (revisions[x], lang) for x in IN_MARCH for lang in langs
    }
    assert (resumed.queued, resumed.already_queued) == (9, 3)


def test_a_dry_run_counts_and_queues_nothing(engine, store, queue, clock, site: Site):
    _store_archive(store, clock)

    tally = Backfill(db=engine, queue=queue).run(
        site_id=site.id, window=MARCH, langs=EN_JA, dry_run=True
    )

    assert (tally.articles, tally.queued) == (4, 8)
    assert _jobs(engine) == []


def test_following_the_jobs_ends_when_none_is_left_queued(engine, store, queue, clock, site):
    _store_archive(store, clock)
    planner = Backfill(db=engine, queue=queue, clock=clock)
    tally = planner.run(site_id=site.id, window=MARCH, langs=(Lang.EN,))
    assert tally.first_job_id is not None
    readings: list[JobProgress] = []

    def worker_meanwhile(_seconds: float) -> None:
        """What a worker elsewhere does while we sleep: one job per poll, here dead-lettered."""
        (job,) = queue.claim(worker="w", limit=1, lease_seconds=30)
        queue.fail(job.id, worker="w", error="no luck", kind=JobErrorKind.PERMANENT)

    # meanwhile an editor's change makes a new revision: its queued backfill job is superseded
    store.save_article(
        make_draft("first", title="Berita baru", published_at=datetime(2025, 3, 1, tzinfo=WIB)),
        targets=(),
    )
    last = wait_for_jobs(
        planner,
        site_id=site.id,
        first_job_id=tally.first_job_id,
        sleep=worker_meanwhile,
        poll=0.0,
        on_progress=readings.append,
    )

    assert [(r.finished, r.total) for r in readings] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (last.failed, last.superseded, last.remaining) == (3, 1, 0)
    assert readings[0].langs == (Lang.EN,)


def test_progress_counts_jobs_waiting_out_a_backoff(engine, store, clock, site: Site):
    _store_archive(store, clock)
    queue = SqlJobQueue(engine, clock=clock, max_attempts=3)
    planner = Backfill(db=engine, queue=queue, clock=clock)
    tally = planner.run(site_id=site.id, window=MARCH, langs=(Lang.EN,))
    (job,) = queue.claim(worker="w", limit=1, lease_seconds=30)
    queue.fail(job.id, worker="w", error="timeout", kind=JobErrorKind.TRANSIENT)
    assert tally.first_job_id is not None

    progress = planner.progress(site_id=site.id, first_job_id=tally.first_job_id)

    assert (progress.queued, progress.retrying, progress.remaining) == (4, 1, 4)


def test_the_window_compares_instants_on_the_backend(engine, store, queue, clock, site: Site):
    """One minute either side of Jakarta's midnight, stored from another offset."""
    paris = timezone(timedelta(hours=1))
    store.save_article(  # 2025-03-01T00:00+07:00, written in Paris time
        make_draft("paris", published_at=datetime(2025, 2, 28, 18, 0, tzinfo=paris)), targets=()
    )
    store.save_article(  # 2025-02-28T23:59+07:00
        make_draft("edge", published_at=datetime(2025, 2, 28, 16, 59, tzinfo=UTC)), targets=()
    )

    plans = list(Backfill(db=engine, queue=queue).plans(site_id=site.id, window=MARCH, langs=()))

    assert [p.external_id for p in plans] == ["paris"]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(JobRow)) == 0
