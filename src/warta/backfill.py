"""Archive backfill: queue a site's stored articles for the editions they still lack.

``warta backfill --site S --since DATE [--until DATE]`` (:mod:`warta.commands.backfill`) walks the
site's articles whose day falls in the window and queues their *current* revision for every
requested language that still needs work, at :data:`~warta.domain.JobPriority.BACKFILL`: new
articles and edits (news) and re-translations are claimed first, and sites take turns within a
priority (:func:`warta.store.jobs.claim`).

The window is ``[since, until)`` in calendar days of newsroom time, WIB (UTC+7, no daylight
saving): the zone the site and the editors' desk show every time in
(:data:`warta.web.locales.JAKARTA`), so "March 1st" means what the newsroom means by it. An
article's day is its ``published_at``; an article stored without one counts by when warta stored
it (``created_at``).

Per (current revision, language), from what is stored now (:func:`fate`):

- an edition with content (translated or needs review) is *done*: published, held for an
  editor's approval, corrected or rejected, it is never translated again by a backfill;
- an active (queued or running) job means *already queued*;
- a pending or failed edition an editor has acted on (an audit-log entry for it: sent back,
  rolled back, ...) is *left to the editors* (``warta retranslate`` or ``warta jobs retry``);
- anything else (no edition, a pending one without a job, a failed one) is *queued*.

Nothing is stored besides the jobs: no cursor. Articles are read in pages keyed by their id
(keyset pagination, never the whole archive at once), and every job is queued through the
idempotent :meth:`~warta.workers.queue.JobQueue.enqueue` (one transaction each), so a run that is
interrupted (Ctrl-C, a kill) and started again finds what it queued already active or done and
queues only what is still missing: no job twice, no finished edition again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum

import sqlalchemy
from sqlalchemy import ColumnElement, and_, func, select

from warta.domain import EditionStatus, JobPriority, JobStatus
from warta.errors import FieldError
from warta.languages import Lang
from warta.store.clock import Clock, utcnow
from warta.store.session import transaction
from warta.store.tables import ArticleRow, AuditRow, EditionRow, JobRow, RevisionRow
from warta.workers.queue import JobQueue

__all__ = [
    "NEWSROOM_TZ",
    "ArticlePlan",
    "Backfill",
    "EditionState",
    "Fate",
    "JobProgress",
    "Tally",
    "Window",
    "fate",
    "parse_day",
    "wait_for_jobs",
    "window",
]

# Newsroom time: the zone pages and the desk show (warta.web.locales.JAKARTA), kept here so that
# the backfill does not import the web layer.
NEWSROOM_TZ = timezone(timedelta(hours=7), "WIB")
DEFAULT_PAGE_SIZE = 200  # articles per page: below SQLite's bound-parameter limit in IN (...)
MAX_PAGE_SIZE = 500
_ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
_WITH_CONTENT = frozenset({EditionStatus.TRANSLATED, EditionStatus.NEEDS_REVIEW})


# --- the window ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """Calendar days ``[since, until)`` in newsroom time (``until`` is the first day left out)."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        """The first instant in the window, in UTC."""
        return datetime.combine(self.since, time(0), tzinfo=NEWSROOM_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the window, in UTC."""
        return datetime.combine(self.until, time(0), tzinfo=NEWSROOM_TZ).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    def describe(self) -> str:
        last = self.until - timedelta(days=1)
        days = f"{self.since}" if last == self.since else f"{self.since} to {last}"
        return f"{days} (WIB, UTC+7)"


def parse_day(value: str, *, option: str) -> date:
    """``YYYY-MM-DD`` as a date; FieldError naming ``option`` otherwise."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(
            f"{option} {value!r} is not a date",
            hint=f"write {option} as YYYY-MM-DD, e.g. {option} 2025-03-01",
            field=option.lstrip("-"),
        ) from None


def window(*, since: date, until: date | None, today: date) -> Window:
    """The window ``[since, until)``; ``until`` None: through ``today`` (newsroom time).

    A reversed or empty window is a FieldError that says how to write the one meant.
    """
    end = until if until is not None else today + timedelta(days=1)
    if end < since:
        raise FieldError(
            f"the date range is reversed: --until {end} comes before --since {since}",
            hint=f"swap them: --since {end} --until {since}",
            field="until",
            since=since.isoformat(),
            until=end.isoformat(),
        )
    if end == since:
        if until is None:
            raise FieldError(
                f"the date range is empty: --since {since} is after today ({today}, WIB)",
                hint="give --since a day up to today, and --until for a window in the past",
                field="since",
                since=since.isoformat(),
            )
        raise FieldError(
            f"the date range is empty: --until {end} is the first day left out, and it is "
            f"--since itself",
            hint=f"for that one day write --since {since} --until {since + timedelta(days=1)}",
            field="until",
            since=since.isoformat(),
            until=end.isoformat(),
        )
    return Window(since=since, until=end)


# --- what each edition needs (pure) -------------------------------------------------------------


class Fate(StrEnum):
    """What a backfill does with one edition of an article's current revision."""

    QUEUE = "queue"  # no edition, pending without a job, or failed: queued now
    QUEUED = "queued"  # an active job exists already
    DONE = "done"  # translated or needs review: never translated again by a backfill
    HELD = "held"  # pending/failed and an editor acted on it: left to the editors


@dataclass(frozen=True, slots=True)
class EditionState:
    """What is stored about one (revision, language)."""

    status: EditionStatus | None  # None: no edition row
    active_job: int | None = None  # id of the queued or running job, if any
    editor_touched: bool = False  # the audit log has an entry for this edition


def fate(state: EditionState) -> Fate:
    """Whether the edition needs queueing (see the module docstring for why each case)."""
    if state.status in _WITH_CONTENT:
        return Fate.DONE
    if state.active_job is not None:
        return Fate.QUEUED
    if state.editor_touched:
        return Fate.HELD
    return Fate.QUEUE


@dataclass(frozen=True, slots=True)
class ArticlePlan:
    """One article of the window: its current revision and each language's fate."""

    article_id: int
    external_id: str
    revision_id: int
    fates: tuple[tuple[Lang, Fate], ...]
    active_jobs: tuple[int, ...] = ()  # ids of the jobs already queued for it

    def langs(self, which: Fate) -> tuple[Lang, ...]:
        return tuple(lang for lang, f in self.fates if f is which)


@dataclass(frozen=True, slots=True)
class Tally:
    """Running totals of a backfill, in editions (articles: articles planned)."""

    articles: int = 0
    queued: int = 0  # queued by this run (with dry_run: would be)
    done: int = 0
    already_queued: int = 0
    held: int = 0
    first_job_id: int | None = None  # the lowest job id this run queued or found queued

    def add(self, plan: ArticlePlan, *, job_ids: Sequence[int] = ()) -> Tally:
        ids = [*job_ids, *plan.active_jobs]
        if self.first_job_id is not None:
            ids.append(self.first_job_id)
        return replace(
            self,
            articles=self.articles + 1,
            queued=self.queued + len(plan.langs(Fate.QUEUE)),
            done=self.done + len(plan.langs(Fate.DONE)),
            already_queued=self.already_queued + len(plan.langs(Fate.QUEUED)),
            held=self.held + len(plan.langs(Fate.HELD)),
            first_job_id=min(ids) if ids else None,
        )

    def to_dict(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "queued": self.queued,
            "already_done": self.done,
            "already_queued": self.already_queued,
            "held": self.held,
        }


@dataclass(frozen=True, slots=True)
class JobProgress:
    """The site's backfill jobs from ``first_job_id`` on, by status."""

    done: int = 0
    failed: int = 0  # dead letters (a transient failure waiting to retry is still queued)
    superseded: int = 0  # a new revision of the article came first (its own jobs are news)
    queued: int = 0
    running: int = 0
    retrying: int = 0  # of queued: waiting out a backoff before their next attempt
    langs: tuple[Lang, ...] = ()  # languages of the queued and running ones

    @property
    def total(self) -> int:
        return self.done + self.failed + self.superseded + self.queued + self.running

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.superseded

    @property
    def remaining(self) -> int:
        return self.queued + self.running

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "superseded": self.superseded,
            "queued": self.queued,
            "running": self.running,
            "retrying": self.retrying,
        }


# --- reading the archive and queueing -----------------------------------------------------------


class Backfill:
    """Plans and queues a backfill on the warta database; reads in pages of ``page_size``."""

    def __init__(
        self,
        *,
        db: sqlalchemy.Engine,
        queue: JobQueue,
        page_size: int = DEFAULT_PAGE_SIZE,
        clock: Clock = utcnow,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise FieldError(
                f"a page of {page_size} articles is not between 1 and {MAX_PAGE_SIZE}",
                hint=f"pass a page size from 1 to {MAX_PAGE_SIZE}",
                field="page_size",
            )
        self._db = db
        self._queue = queue
        self._page = page_size
        self._clock = clock

    def count(self, *, site_id: int, window: Window) -> int:
        """How many of the site's articles fall in ``window``."""
        with transaction(self._db) as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(ArticleRow).where(_in(site_id, window))
                )
                or 0
            )

    def plans(
        self, *, site_id: int, window: Window, langs: Sequence[Lang], after_id: int = 0
    ) -> Iterator[ArticlePlan]:
        """Each article of the window (after ``after_id``), in id order, with its fates.

        One short read transaction per page; the next page starts after the last id seen.
        """
        langs = tuple(dict.fromkeys(langs))
        cursor = after_id
        while True:
            page = self._page_of(site_id=site_id, window=window, langs=langs, after_id=cursor)
            yield from page
            if len(page) < self._page:
                return
            cursor = page[-1].article_id

    def run(
        self,
        *,
        site_id: int,
        window: Window,
        langs: Sequence[Lang],
        dry_run: bool = False,
        on_article: Callable[[ArticlePlan, Tally], None] | None = None,
    ) -> Tally:
        """Queue every edition of the window that needs it, at backfill priority.

        ``on_article`` is called after each article's jobs are queued, with the totals so far;
        an exception it raises stops the run there (what is queued stays queued, and the next
        run of the same backfill carries on from the stored state). ``dry_run``: plan only.
        """
        tally = Tally()
        for plan in self.plans(site_id=site_id, window=window, langs=langs):
            job_ids: list[int] = []
            if not dry_run:
                for lang in plan.langs(Fate.QUEUE):
                    job = self._queue.enqueue(
                        revision_id=plan.revision_id, lang=lang, priority=JobPriority.BACKFILL
                    )
                    job_ids.append(job.id)
            tally = tally.add(plan, job_ids=job_ids)
            if on_article is not None:
                on_article(plan, tally)
        return tally

    def progress(self, *, site_id: int, first_job_id: int) -> JobProgress:
        """The site's backfill-priority jobs with ids from ``first_job_id``, by status.

        Jobs are numbered in the order they were made, so these are the jobs of this backfill
        and of any backfill of the site started after it; a job raised to a more urgent
        priority (news about the article came in) leaves the count.
        """
        now = self._clock()
        mine = and_(
            JobRow.site_id == site_id,
            JobRow.priority == int(JobPriority.BACKFILL),
            JobRow.id >= first_job_id,
        )
        with transaction(self._db) as session:
            by_status: dict[str, int] = {
                status: int(n)
                for status, n in session.execute(
                    select(JobRow.status, func.count()).where(mine).group_by(JobRow.status)
                )
            }
            retrying = session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(
                    mine,
                    JobRow.status == JobStatus.QUEUED.value,
                    JobRow.next_attempt_at > now,
                )
            )
            langs = session.scalars(
                select(JobRow.lang).where(mine, JobRow.status.in_(_ACTIVE)).distinct()
            ).all()
        return JobProgress(
            done=int(by_status.get(JobStatus.DONE.value, 0)),
            failed=int(by_status.get(JobStatus.FAILED.value, 0)),
            superseded=int(by_status.get(JobStatus.SUPERSEDED.value, 0)),
            queued=int(by_status.get(JobStatus.QUEUED.value, 0)),
            running=int(by_status.get(JobStatus.RUNNING.value, 0)),
            retrying=int(retrying or 0),
            langs=tuple(sorted((Lang(code) for code in langs), key=list(Lang).index)),
        )

    def _page_of(
        self, *, site_id: int, window: Window, langs: tuple[Lang, ...], after_id: int
    ) -> list[ArticlePlan]:
        codes = [lang.value for lang in langs]
        with transaction(self._db) as session:
            articles = session.execute(
                select(ArticleRow.id, ArticleRow.external_id, RevisionRow.id)
                .join(
                    RevisionRow,
                    and_(
                        RevisionRow.article_id == ArticleRow.id,
                        RevisionRow.number == ArticleRow.current_revision,
                    ),
                )
                .where(_in(site_id, window), ArticleRow.id > after_id)
                .order_by(ArticleRow.id)
                .limit(self._page)
            ).all()
            revision_ids = [revision_id for _, _, revision_id in articles]
            if not revision_ids or not codes:
                statuses: dict[tuple[int, str], str] = {}
                active: dict[tuple[int, str], int] = {}
                touched: set[tuple[int, str]] = set()
            else:
                statuses = {
                    (r, lang): status
                    for r, lang, status in session.execute(
                        select(EditionRow.revision_id, EditionRow.lang, EditionRow.status).where(
                            EditionRow.revision_id.in_(revision_ids), EditionRow.lang.in_(codes)
                        )
                    )
                }
                active = {
                    (r, lang): job_id
                    for r, lang, job_id in session.execute(
                        select(JobRow.revision_id, JobRow.lang, JobRow.id).where(
                            JobRow.revision_id.in_(revision_ids),
                            JobRow.lang.in_(codes),
                            JobRow.status.in_(_ACTIVE),
                        )
                    )
                }
                touched = {
                    (r, lang)
                    for r, lang in session.execute(
                        select(AuditRow.revision_id, AuditRow.lang)
                        .where(AuditRow.revision_id.in_(revision_ids), AuditRow.lang.in_(codes))
                        .distinct()
                    )
                    if r is not None and lang is not None
                }
        plans: list[ArticlePlan] = []
        for article_id, external_id, revision_id in articles:
            states = {
                lang: EditionState(
                    status=_status(statuses.get((revision_id, lang.value))),
                    active_job=active.get((revision_id, lang.value)),
                    editor_touched=(revision_id, lang.value) in touched,
                )
                for lang in langs
            }
            plans.append(
                ArticlePlan(
                    article_id=article_id,
                    external_id=external_id,
                    revision_id=revision_id,
                    fates=tuple((lang, fate(state)) for lang, state in states.items()),
                    active_jobs=tuple(
                        s.active_job
                        for s in states.values()
                        if s.active_job is not None and fate(s) is Fate.QUEUED
                    ),
                )
            )
        return plans


def _in(site_id: int, window: Window) -> ColumnElement[bool]:
    day = func.coalesce(ArticleRow.published_at, ArticleRow.created_at)
    return and_(ArticleRow.site_id == site_id, day >= window.start, day < window.end)


def _status(value: str | None) -> EditionStatus | None:
    return None if value is None else EditionStatus(value)


def wait_for_jobs(
    backfill: Backfill,
    *,
    site_id: int,
    first_job_id: int,
    sleep: Callable[[float], None],
    poll: float,
    on_progress: Callable[[JobProgress], None] | None = None,
) -> JobProgress:
    """Poll the backfill's jobs every ``poll`` seconds (with ``sleep``) until none is left
    queued or running; ``on_progress`` gets every reading. Returns the last one."""
    while True:
        progress = backfill.progress(site_id=site_id, first_job_id=first_job_id)
        if on_progress is not None:
            on_progress(progress)
        if progress.remaining == 0:
            return progress
        sleep(poll)
