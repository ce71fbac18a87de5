"""`warta ingest`, `warta translate`, `warta work`, `warta status`, `warta retranslate`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from warta.commands._context import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_PENDING,
    AppContext,
    echo_json,
    handled,
    pass_app,
    print_one_line_table,
)
from warta.config import Settings
from warta.domain import EditionStatus, JobStatus
from warta.engines.base import Engine
from warta.errors import InputError, WartaError
from warta.ingest.sources import open_source
from warta.languages import SOURCE_LANG, TARGET_LANGS, Lang, parse_targets
from warta.pipeline import Outcome, WorkItem, document_for, translate_items
from warta.workers.foreground import (
    WorkOptions,
    process_names,
    run_processes,
    stop_on_sigterm,
    work_in_foreground,
)
from warta.workers.runner import default_worker_name, no_model_reason

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


def _progress(ctx: AppContext) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=ctx.err,
        transient=False,
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--site", default=None, help="Site (portal) slug. Default: WARTA_DEFAULT_SITE (demo)."
)
@click.option("--create-site", is_flag=True, help="Create the site if it does not exist yet.")
@pass_app
def ingest(app: AppContext, paths: tuple[Path, ...], site: str | None, create_site: bool) -> None:
    """Store articles from JSON/JSONL/HTML files or folders and queue their translations.

    Every file is checked (UTF-8, size, sanitised HTML, Indonesian) before anything is stored; a
    refused article is reported and the rest go on. Exit code 2 if any article was refused.
    """
    slug = site or app.settings.default_site
    with handled(app):
        services = app.services
        if create_site:
            services.store.get_or_create_site(slug=slug, name=slug)
        services.store.get_site(slug)
        refused = stored = unchanged = 0
        with _progress(app) as progress:
            task = progress.add_task("ingest", total=None)
            for path in paths:
                source = open_source(path, site=slug, validator=services.validator)
                for item in source:
                    progress.advance(task)
                    if item.error is not None or item.draft is None:
                        refused += 1
                        _report_refused(app, item.origin, item.error)
                        continue
                    try:
                        result = services.newsroom.submit(item.draft)
                    except InputError as exc:
                        refused += 1
                        _report_refused(app, item.origin, exc)
                        continue
                    if result.new_revision:
                        stored += 1
                    else:
                        unchanged += 1
            progress.update(task, total=stored + unchanged + refused)
    app.err.print(
        f"{stored} stored (new article or revision, translations queued), {unchanged} unchanged, "
        f"{refused} refused"
    )
    if refused:
        raise SystemExit(EXIT_BAD_INPUT)


def _report_refused(app: AppContext, origin: str, error: WartaError | None) -> None:
    if error is None:
        app.err.print(f"[red]refused[/] {origin}: unreadable", markup=True)
        return
    app.err.print(f"[red]refused[/] {origin}: {error.message}", markup=True, highlight=False)
    if error.hint:
        app.err.print(f"  fix: {error.hint}", highlight=False)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--to", "to", default=",".join(TARGET_LANGS), show_default=True, help="Target languages."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--site", default=None, help="Use this site's glossary (default: none).")
@pass_app
def translate(app: AppContext, file: Path, to: str, fmt: str, site: str | None) -> None:
    """Translate the article(s) in FILE into each language and print the editions; stores nothing.

    With no model for a language, that edition is reported as pending with the reason, and the
    exit code is 3.
    """
    as_json = fmt == "json"
    with handled(app, as_json=as_json):
        targets = parse_targets(to)
        services = app.services
        glossary = services.store.get_glossary(services.store.get_site(site).id) if site else None
        source = open_source(file, site=site or "cli", validator=services.validator)
        items = list(source)
        bad = next((i for i in items if i.error is not None), None)
        if bad is not None and bad.error is not None:
            raise bad.error
        engine = services.engine()
        articles: list[dict[str, Any]] = []
        pending = False
        for item in items:
            assert item.draft is not None  # noqa: S101 -- errors were raised above
            draft = services.newsroom.check(item.draft)
            document = document_for(title=draft.title, lead=draft.lead, body_html=draft.body_html)
            editions: dict[str, Any] = {}
            for lang in targets:
                if not engine.supports(source=SOURCE_LANG, target=lang):
                    pending = True
                    editions[lang.value] = {"status": "pending", "reason": no_model_reason(lang)}
                    continue
                work = WorkItem(
                    key=draft.external_id,
                    document=document,
                    memory={},
                    glossary=glossary or _empty_glossary(),
                )
                started = time.perf_counter()
                (outcome,) = translate_items(
                    [work], engine=engine, target=lang, estimator=services.estimator
                )
                editions[lang.value] = _edition_json(outcome, seconds=time.perf_counter() - started)
            articles.append(
                {
                    "external_id": draft.external_id,
                    "origin": item.origin,
                    "source": {
                        "title": draft.title,
                        "lead": draft.lead,
                        "body_html": draft.body_html,
                    },
                    "editions": editions,
                }
            )
    if as_json:
        echo_json({"articles": articles})
    else:
        _print_editions(app, articles)
    if pending:
        raise SystemExit(EXIT_PENDING)


def _empty_glossary() -> Any:
    from warta.domain import Glossary

    return Glossary.empty()


def _edition_json(outcome: Outcome, *, seconds: float) -> dict[str, Any]:
    return {
        "status": outcome.status.value,
        "reason": outcome.reason,
        "title": outcome.content.title,
        "lead": outcome.content.lead,
        "body_html": outcome.content.body_html,
        "segments": [
            {
                "index": s.index,
                "block": s.block,
                "source_html": s.source_html,
                "target_html": s.target_html,
                "origin": s.origin.value,
                "score": s.score,
                "quality": s.quality,
                "flags": list(s.flags),
            }
            for s in outcome.segments
        ],
        "provenance": outcome.provenance.to_dict(),
        "quality": round(outcome.quality, 4),
        "seconds": round(seconds, 3),
    }


def _print_editions(app: AppContext, articles: list[dict[str, Any]]) -> None:
    for article in articles:
        app.out.rule(f"{article['external_id']} (id)")
        app.out.print(article["source"]["title"], highlight=False)
        for lang, edition in article["editions"].items():
            app.out.rule(f"{lang}: {edition['status']}")
            if edition["status"] == "pending":
                app.out.print(edition["reason"], highlight=False)
                continue
            app.out.print(f"[bold]{edition['title']}[/]", markup=True, highlight=False)
            if edition["lead"]:
                app.out.print(edition["lead"], highlight=False)
            app.out.print(edition["body_html"], markup=False, highlight=False)
            app.out.print(
                f"[dim]{edition['provenance']['signature']}[/]", markup=True, highlight=False
            )
            if edition["reason"]:
                app.out.print(f"[yellow]{edition['reason']}[/]", markup=True, highlight=False)


@click.command()
@click.option("--until-idle", is_flag=True, help="Run every pending job, then exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between polls when idle.")
@click.option("--name", default=None, help="Worker name (default host:pid).")
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes on this machine, each with its own copy of the models. On a GPU one "
    "process cannot keep it busy: 4 to 8 can (BENCHMARKS.md).",
)
@click.option(
    "--engine-process/--no-engine-process",
    default=False,
    show_default=True,
    help="With --processes N: one more process holds the models (and the GPU) and translates "
    "for all N, merging their batches; the N do planning, quality checks and storage "
    "(notes/GPU_FEEDING.md). Local models only: routes to remote engines are not served.",
)
@pass_app
def work(
    app: AppContext,
    until_idle: bool,
    poll: float,
    name: str | None,
    processes: int,
    engine_process: bool,
) -> None:
    """Run translation jobs in the foreground.

    Rides out database outages (logged, retried with backoff); SIGTERM stops it after the batch
    in hand (exit 0); a wrong or unreachable database URL fails at start (exit 2).
    """
    options = WorkOptions(until_idle=until_idle, poll=poll, engine_process=engine_process)
    if processes == 1 and not engine_process:
        _work(app, options, name=name, label="")
        return
    with handled(app):
        app.services  # noqa: B018 -- migrate the database once, before the processes start
    names = process_names(name, processes, default=default_worker_name)
    app.err.print(
        f"{processes} worker processes ({', '.join(names)}); Ctrl-C or SIGTERM stops them"
    )
    codes = run_processes(app.settings, options, names=names, child=work_process)
    failed = [n for n, code in zip(names, codes, strict=True) if code != 0]
    if failed:
        app.err.print(f"[bold red]error:[/] worker {', '.join(failed)} failed (see above)")
        raise SystemExit(EXIT_FAILURE)


def work_process(settings: Settings, options: WorkOptions, name: str) -> None:
    """One process of ``warta work --processes N`` (module level: spawned processes import it)."""
    from warta.observability.logs import configure_from_settings

    configure_from_settings(settings)  # a spawned process does not run the CLI's entry
    app = AppContext(settings, migrate=False)
    try:
        _work(app, options, name=name, label=f"worker {name}: ")
    finally:
        app.close()


def _work(app: AppContext, options: WorkOptions, *, name: str | None, label: str) -> None:
    client = None
    if options.engine is not None:  # --engine-process: translations come from that process
        from warta.workers.engine_process import EngineClient

        client = EngineClient(options.engine)
    try:
        _run_worker(app, options, name=name, label=label, client=client)
    finally:
        if client is not None:
            client.close()  # the engine process stops once every worker process has closed


def _run_worker(
    app: AppContext,
    options: WorkOptions,
    *,
    name: str | None,
    label: str,
    client: Engine | None,
) -> None:
    with handled(app):
        worker = (
            app.services.worker(name=name)
            if client is None
            else app.services.worker(name=name, engine=lambda: client)
        )
        if not options.until_idle:
            app.err.print(f"{label}worker {worker.name} running; Ctrl-C or SIGTERM stops it")
        try:
            with stop_on_sigterm(worker, label=label):
                summary = work_in_foreground(
                    worker, until_idle=options.until_idle, poll=options.poll
                )
        except KeyboardInterrupt:
            app.err.print(f"{label}stopped")
            return
        if worker.stopping:
            app.err.print(
                f"{label}stopped by SIGTERM: the batch in hand was finished, "
                f"{summary.released} claimed job(s) given back to the queue"
            )
        app.err.print(
            f"{label}{summary.translated} editions translated, {summary.needs_review} need "
            f"review, {summary.failed} failed; {summary.segments_translated} segments translated, "
            f"{summary.segments_reused} reused from memory"
        )
        for lang in sorted(summary.skipped_no_model):
            app.err.print(f"{label}pending: {no_model_reason(lang)}", highlight=False)


@click.command()
@click.option("--site", default=None, help="Only this site.")
@FORMAT
@pass_app
def status(app: AppContext, site: str | None, fmt: str) -> None:
    """Per article and language: the edition's status and why; per revision: reuse and new work.

    Segments per edition: reused (corrections "human" + machine translations from memory),
    translated by the engine for this revision, and flagged for review.
    """
    with handled(app, as_json=fmt == "json"):
        store = app.services.store
        site_id = store.get_site(site).id if site else None
        rows = store.status_rows(site_id=site_id)
        counts = app.services.queue.counts(site_id=site_id)
        dead = app.services.queue.dead(site_id=site_id, limit=20)
    if fmt == "json":
        echo_json(
            {
                "jobs": {k.value: v for k, v in counts.items()},
                "editions": [r.to_dict() for r in rows],
                "dead_letter": {
                    "count": counts[JobStatus.FAILED],
                    "jobs": [
                        {
                            "id": j.id,
                            "revision_id": j.revision_id,
                            "lang": j.lang.value,
                            "attempts": j.attempts,
                            "error_kind": j.error_kind.value,
                            "reason": j.last_error,
                        }
                        for j in dead
                    ],
                },
            }
        )
        return
    print_one_line_table(  # one line per edition at any width; full reasons: --format json
        app.out,
        title="editions",
        shrink={"reason": 24, "article": 12},
        columns=[
            "site",
            "article",
            "rev",
            "lang",
            "status",
            "reused (human)",
            "translated",
            "flagged",
            "reason",
        ],
        rows=[
            (
                r.site,
                r.external_id,
                r.revision_number,
                r.lang.value,
                r.status.value,
                f"{r.reused} ({r.reused_human})",
                r.translated,
                r.flagged,
                r.reason,
            )
            for r in rows
        ],
    )
    by_status: dict[EditionStatus, int] = {}
    for r in rows:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    app.err.print(
        "editions: "
        + ", ".join(f"{k.value} {v}" for k, v in sorted(by_status.items()))
        + " | jobs: "
        + ", ".join(f"{k.value} {v}" for k, v in counts.items())
    )
    if dead:  # dead letters: failed for good until `warta jobs retry`
        app.err.print(f"dead letter: {counts[JobStatus.FAILED]} job(s) failed for good")
        for j in dead:
            app.err.print(
                f"  job {j.id} ({j.lang.value}, revision {j.revision_id}, "
                f"{j.attempts} attempt(s), {j.error_kind.value or 'error'}): {j.last_error}",
                markup=False,
                highlight=False,
            )
        app.err.print("  retry with `warta jobs retry ID` or `warta jobs retry --all`")


@click.command()
@click.argument("external_id")
@click.option("--site", default=None)
@click.option("--to", "to", default=",".join(TARGET_LANGS), show_default=True)
@pass_app
def retranslate(app: AppContext, external_id: str, site: str | None, to: str) -> None:
    """Queue the current revision of an article again."""
    with handled(app):
        langs: tuple[Lang, ...] = parse_targets(to)
        services = app.services
        site_obj = services.store.get_site(site or app.settings.default_site)
        jobs = services.newsroom.retranslate(
            site_id=site_obj.id, external_id=external_id, langs=langs
        )
    app.err.print(f"{len(jobs)} job(s) queued")


COMMANDS = (ingest, translate, work, status, retranslate)
