"""`warta serve`, `warta demo`, `warta db upgrade`.

``warta serve`` and its in-process worker (what operators and the fault tests can count on):

* **Start.** A wrong or unreachable ``WARTA_DATABASE_URL`` ends it at once with exit code 2 and
  a message naming the URL (password hidden).
* **Outages.** The in-process worker rides out the database going away: each failed turn is
  logged and retried with exponential backoff (:mod:`warta.workers.resilience`); the site keeps
  serving what it can.
* **Shutdown.** On SIGTERM or Ctrl-C uvicorn shuts the server down; then the worker (a
  non-daemon thread) is stopped: the stop event is set and :meth:`Worker.stop` called, so it
  launches no new batch, records the batch in hand and releases claimed batches not started.
  The command waits for it up to the job lease (``WARTA_JOB_LEASE_SECONDS``); a worker still
  busy then is abandoned (exit code 1; its jobs are taken over when their leases expire).
  After SIGTERM the command exits 0; a second SIGTERM while it waits ends it at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

import click

from warta.commands._context import EXIT_FAILURE, AppContext, handled, pass_app

if TYPE_CHECKING:
    from warta.workers.runner import Worker


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--demo/--no-demo", default=False, help="Load the 60 sample articles into site 'demo' first."
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run translation jobs in this process (the embedded default; use `warta work` or "
    "Celery workers when one machine is not enough).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (uvicorn workers); each keeps its own page cache. The translation "
    "worker, if any, runs once, in this process.",
)
@pass_app
def serve(app: AppContext, host: str, port: int, demo: bool, worker: bool, workers: int) -> None:
    """Run the web site and API (and, by default, an in-process worker)."""
    import uvicorn

    from warta.observability.logs import uvicorn_log_config
    from warta.web.app import create_app

    with handled(app):
        services = app.services
        if demo:
            from warta.demo import load_demo
            from warta.demo.editor import ensure_demo_editor
            from warta.integrations import build_integrations

            stored, refused = load_demo(store=services.store, newsroom=services.newsroom)
            app.err.print(f"demo: {stored} articles stored, {refused} refused")
            desk = ensure_demo_editor(build_integrations(services).accounts)
        else:
            services.validator.warm_up()  # the language detector: ~4 s once, not on a request
        stop = threading.Event()
        models = services.store.list_models()
        if not models:
            app.err.print(
                "no translation model registered: pages show the Indonesian original and each "
                "edition as pending (see `warta models pull --help`)"
            )
        from warta.web.hosts import host_warning

        warning = host_warning(host, app.settings)
        if warning:
            app.err.print(warning)
        app.err.print(f"serving on http://{host}:{port}/")
        if demo:
            click.echo(desk.greeting(host=host, port=port), err=True)  # one line, unwrapped
        if app.settings.publish_dir is not None or app.settings.purge_url:
            threading.Thread(
                target=_publish_forever,
                args=(app, stop, f"http://{host}:{port}"),
                name="warta-publish",
                daemon=True,
            ).start()
        inprocess = services.worker(name="serve-inprocess") if worker else None
        thread: threading.Thread | None = None

        def on_term(_signum: int, _frame: FrameType | None) -> None:
            # uvicorn captures SIGTERM while it serves and raises it again once it has shut
            # down: then this runs instead of the default (ending the process at once), and the
            # worker is stopped below before the command exits 0.
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, on_term)
        try:
            if inprocess is not None:
                thread = threading.Thread(
                    target=_work_forever, args=(app, stop, inprocess), name="warta-worker"
                )
                thread.start()
            if workers == 1:
                uvicorn.run(
                    create_app(services),
                    host=host,
                    port=port,
                    log_level="info",
                    log_config=uvicorn_log_config(),
                )
            else:
                # Each process builds its own app from the environment (warta.web.app).
                os.environ["WARTA_HOME"] = str(app.settings.home)
                if app.settings.database_url:
                    os.environ["WARTA_DATABASE_URL"] = app.settings.database_url
                uvicorn.run(
                    "warta.web.app:app_from_environment",
                    factory=True,
                    workers=workers,
                    host=host,
                    port=port,
                    log_level="info",
                    log_config=uvicorn_log_config(),
                )
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop.set()
            if inprocess is not None and thread is not None:
                _stop_worker(app, inprocess, thread)


def _stop_worker(app: AppContext, worker: Worker, thread: threading.Thread) -> None:
    """Stop the in-process worker after its batch in hand; wait for it up to the job lease."""
    worker.stop()
    grace = float(app.settings.job_lease_seconds)
    thread.join(timeout=grace)
    if thread.is_alive():
        app.err.print(
            "[bold red]error:[/] the in-process worker did not finish its batch within "
            f"{grace:.0f} s (WARTA_JOB_LEASE_SECONDS); exiting without it: its jobs are taken "
            "over when their leases expire",
            markup=True,
        )
        os._exit(EXIT_FAILURE)  # the thread is not a daemon: only this ends the process now


def _work_forever(app: AppContext, stop: threading.Event, worker: Worker) -> None:
    """The embedded worker: translation batches, then due webhook deliveries, until stopped.

    A database outage is logged and waited out with backoff; any other failure of a turn is
    logged and the worker goes on."""
    from warta.integrations import build_integrations
    from warta.workers.resilience import OutageTracker, is_outage

    log = logging.getLogger("warta.worker")
    outage = OutageTracker("the database", log=log)
    integrations = build_integrations(app.services)
    with integrations.http_client(follow_redirects=False) as client:
        dispatcher = integrations.dispatcher(client)
        while not stop.is_set() and not worker.stopping:
            try:
                # A few batches per turn: they overlap (engine on one, storage on the other),
                # and webhook deliveries still go out between turns.
                busy = worker.run(max_batches=4).batches > 0
                dispatcher.deliver_due()
            except Exception as exc:  # the in-process worker outlives one bad batch; logged
                if is_outage(exc):
                    stop.wait(outage.failed(exc))
                    continue
                log.exception("worker batch failed")
                busy = False
            else:
                outage.recovered()
            if not busy:
                stop.wait(2.0)


def _publish_forever(app: AppContext, stop: threading.Event, local_url: str) -> None:
    """Keep WARTA_PUBLISH_DIR (the static export) up to date and/or call WARTA_PURGE_URL as
    editions of the default site change (warta.web.export.follow)."""
    from warta.web.cdn import purge_hook
    from warta.web.export import SiteExporter, follow

    settings = app.settings
    slug = settings.default_site
    try:
        exporter = None
        if settings.publish_dir is not None:
            base = settings.public_urls.get(slug) or local_url
            exporter = SiteExporter(app.services, out=settings.publish_dir, base_url=base)
        with purge_hook(settings, base_url=settings.public_urls.get(slug, "")) as purge:
            follow(
                app.services,
                site=slug,
                stop=stop,
                interval_s=max(settings.cache_check_ms, 50) / 1000,
                exporter=exporter,
                purge=purge,
            )
    except Exception:  # the site keeps serving; the export is what stopped
        logging.getLogger("warta.publish").exception("the static export stopped")


@click.group()
def demo() -> None:
    """Demo content."""


@demo.command("load")
@pass_app
def demo_load(app: AppContext) -> None:
    """Load the 60 sample Indonesian articles into site 'demo' (idempotent)."""
    from warta.demo import load_demo

    with handled(app):
        stored, refused = load_demo(store=app.services.store, newsroom=app.services.newsroom)
    app.err.print(f"demo: {stored} articles stored, {refused} refused")


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Apply migrations (done automatically on start; explicit for operators)."""
    with handled(app):
        app.services  # noqa: B018 -- building services runs the migrations
    app.err.print("database is at the latest migration")


COMMANDS = (serve, demo, db)
