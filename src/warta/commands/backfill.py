"""`warta backfill`: queue a site's stored archive for its missing editions (:mod:`warta.backfill`).

Exit codes: 0 done; 1 an operational failure; 2 bad input (reversed or empty dates, an unknown
language or site: nothing is queued); 3 ``--work`` ended with backfill jobs still queued (no model
for their language, or a cap holds them); 130 interrupted (run the same command again to resume).
"""

from __future__ import annotations

import time
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from warta.backfill import (
    MAX_PAGE_SIZE,
    NEWSROOM_TZ,
    ArticlePlan,
    Backfill,
    JobProgress,
    Tally,
    Window,
    parse_day,
    wait_for_jobs,
    window,
)
from warta.commands._context import EXIT_PENDING, AppContext, echo_json, handled, pass_app
from warta.domain import Site
from warta.errors import FieldError, NotFoundError
from warta.languages import SOURCE_LANG, Lang, parse_targets
from warta.services import Services
from warta.store.clock import utcnow
from warta.workers.foreground import nap, stop_on_sigterm
from warta.workers.runner import RunSummary, no_model_reason

EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C


def _bar(app: AppContext, *, disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=app.err,
        transient=False,
        disable=disable,
    )


@click.command()
@click.option("--site", required=True, help="Site (portal) slug whose archive to backfill.")
@click.option("--since", required=True, help="First day, YYYY-MM-DD, newsroom time (WIB, UTC+7).")
@click.option(
    "--until",
    default=None,
    help="First day left out, YYYY-MM-DD (exclusive). Default: through today.",
)
@click.option(
    "--to", "to", default=None, help="Target languages, e.g. en,ja. Default: WARTA_TARGETS."
)
@click.option("--dry-run", is_flag=True, help="Count what would be queued; queue nothing.")
@click.option("--wait", is_flag=True, help="Then follow the jobs until workers have done them.")
@click.option(
    "--work",
    is_flag=True,
    help="Then translate them in this process (single-machine installs); implies --wait.",
)
@click.option("--poll", default=2.0, show_default=True, help="Seconds between job polls.")
@click.option(
    "--page-size",
    type=click.IntRange(1, MAX_PAGE_SIZE),
    default=200,
    show_default=True,
    help="Articles read per query.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def backfill(
    app: AppContext,
    site: str,
    since: str,
    until: str | None,
    to: str | None,
    dry_run: bool,
    wait: bool,
    work: bool,
    poll: float,
    page_size: int,
    fmt: str,
) -> None:
    """Queue the site's articles from --since up to --until for the editions they lack.

    An article's day is its publication time in newsroom time (WIB), or when it was stored if it
    has none. For each article's current revision and each language: translated editions are
    left alone, editions already queued are not queued twice, pending or failed ones an editor
    acted on are left to the editors, the rest are queued at backfill priority (after news and
    re-translations; sites take turns). Interrupted, the same command carries on where it
    stopped: it stores no cursor, it reads what is queued and done.
    """
    as_json = fmt == "json"
    with handled(app, as_json=as_json):
        days = window(
            since=parse_day(since, option="--since"),
            until=parse_day(until, option="--until") if until is not None else None,
            today=utcnow().astimezone(NEWSROOM_TZ).date(),
        )
        asked = parse_targets(to) if to is not None else None
        services = app.services
        langs = asked if asked is not None else tuple(services.settings.targets)
        site_obj = _site(services, site)
        planner = Backfill(db=services.db, queue=services.queue, page_size=page_size)
        total = planner.count(site_id=site_obj.id, window=days)
        tally = _queue(
            app,
            planner,
            site=site_obj,
            days=days,
            langs=langs,
            total=total,
            dry_run=dry_run,
            quiet=as_json,
        )
        jobs: JobProgress | None = None
        if (wait or work) and not dry_run and tally.first_job_id is not None:
            follow = _work if work else _wait
            jobs = follow(
                app,
                services,
                planner,
                site_id=site_obj.id,
                first_job_id=tally.first_job_id,
                poll=poll,
                quiet=as_json,
            )
        missing = [
            lang
            for lang in (jobs.langs if work and jobs is not None else ())
            if not services.engine().supports(source=SOURCE_LANG, target=lang)
        ]
    _report(
        app,
        site=site_obj,
        days=days,
        langs=langs,
        tally=tally,
        jobs=jobs,
        dry_run=dry_run,
        as_json=as_json,
    )
    if work and jobs is not None and jobs.remaining:
        for lang in missing:
            app.err.print(f"pending: {no_model_reason(lang)}", highlight=False)
        raise SystemExit(EXIT_PENDING)


def _site(services: Services, slug: str) -> Site:
    try:
        return services.store.get_site(slug)
    except NotFoundError:
        raise FieldError(
            f"no site {slug!r}",
            hint="name one of `warta sites list`, or create it with "
            f"`warta sites create {slug}` and store its articles first",
            field="site",
            site=slug,
        ) from None


def _queue(
    app: AppContext,
    planner: Backfill,
    *,
    site: Site,
    days: Window,
    langs: tuple[Lang, ...],
    total: int,
    dry_run: bool,
    quiet: bool,
) -> Tally:
    seen = [Tally()]

    def advance(_plan: ArticlePlan, tally: Tally) -> None:
        seen[0] = tally
        progress.update(task, advance=1)

    with _bar(app, disable=quiet) as progress:
        task = progress.add_task("planning" if dry_run else "queueing", total=total)
        try:
            return planner.run(
                site_id=site.id, window=days, langs=langs, dry_run=dry_run, on_article=advance
            )
        except KeyboardInterrupt:
            progress.stop()
            app.err.print(
                f"interrupted after {seen[0].articles} of {total} article(s), "
                f"{seen[0].queued} edition(s) queued; run the same command again to queue the "
                "rest (nothing is queued twice)"
            )
            raise SystemExit(EXIT_INTERRUPTED) from None


def _wait(
    app: AppContext,
    _services: Services,
    planner: Backfill,
    *,
    site_id: int,
    first_job_id: int,
    poll: float,
    quiet: bool,
) -> JobProgress:
    if not quiet:
        app.err.print(
            "waiting for workers (`warta work`) to translate them; Ctrl-C stops waiting, the "
            "jobs stay queued"
        )
    with _bar(app, disable=quiet) as progress:
        task = progress.add_task("translating", total=None)
        try:
            return wait_for_jobs(
                planner,
                site_id=site_id,
                first_job_id=first_job_id,
                sleep=time.sleep,
                poll=poll,
                on_progress=lambda jobs: progress.update(
                    task, total=jobs.total, completed=jobs.finished
                ),
            )
        except KeyboardInterrupt:
            progress.stop()
            app.err.print("stopped waiting; the jobs stay queued (see `warta status`)")
            raise SystemExit(EXIT_INTERRUPTED) from None


def _work(
    app: AppContext,
    services: Services,
    planner: Backfill,
    *,
    site_id: int,
    first_job_id: int,
    poll: float,
    quiet: bool,
) -> JobProgress:
    """Run a worker here until the backfill's jobs are done, or only ones it cannot run are
    left (no model for their language, held by a cap). It takes news first, like any worker."""
    worker = services.worker()
    with _bar(app, disable=quiet) as progress:
        task = progress.add_task("translating", total=None)

        def show() -> JobProgress:
            jobs = planner.progress(site_id=site_id, first_job_id=first_job_id)
            progress.update(task, total=jobs.total, completed=jobs.finished)
            return jobs

        def after_batch(_summary: RunSummary) -> None:
            show()

        try:
            with stop_on_sigterm(worker):
                while True:
                    worker.run(progress=after_batch)
                    jobs = show()
                    if worker.stopping or jobs.remaining == 0:
                        return jobs
                    if not (jobs.running or jobs.retrying):  # nothing this worker can run
                        return jobs
                    nap(poll, stopped=lambda: worker.stopping)
        except KeyboardInterrupt:
            progress.stop()
            app.err.print("stopped; the jobs not done stay queued (see `warta status`)")
            raise SystemExit(EXIT_INTERRUPTED) from None


def _report(
    app: AppContext,
    *,
    site: Site,
    days: Window,
    langs: tuple[Lang, ...],
    tally: Tally,
    jobs: JobProgress | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    if as_json:
        data: dict[str, Any] = {
            "site": site.slug,
            "since": days.since.isoformat(),
            "until": days.until.isoformat(),
            "timezone": "UTC+07:00",
            "langs": [lang.value for lang in langs],
            "dry_run": dry_run,
            **tally.to_dict(),
            "jobs": jobs.to_dict() if jobs is not None else None,
        }
        echo_json(data)
        return
    verb = "would be queued (dry run)" if dry_run else "queued"
    line = (
        f"{site.slug} {days.describe()}: {tally.articles} article(s) in range, "
        f"{tally.queued} edition(s) {verb}, {tally.done} already done, "
        f"{tally.already_queued} already queued"
    )
    if tally.held:
        line += f", {tally.held} left to the editors (pending or failed after an editor's action)"
    app.err.print(line, highlight=False)
    if jobs is not None:
        app.err.print(
            f"jobs: {jobs.done} done, {jobs.failed} failed, {jobs.superseded} superseded, "
            f"{jobs.remaining} still queued",
            highlight=False,
        )
        if jobs.failed:
            app.err.print("failed jobs: `warta jobs list --state failed`, then `warta jobs retry`")


COMMANDS = (backfill,)
