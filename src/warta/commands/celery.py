"""`warta celery worker|dispatch`: run translation jobs on Celery workers over Redis."""

from __future__ import annotations

import time

import click

from warta.commands._context import AppContext, handled, pass_app


@click.group()
def celery() -> None:
    """Scale out: Celery workers over Redis (WARTA_BROKER_URL) run the same jobs."""


@celery.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Worker processes.")
@click.option("--loglevel", default="info", show_default=True)
@pass_app
def worker(app: AppContext, concurrency: int, loglevel: str) -> None:
    """Start a Celery worker that runs translation batches."""
    from warta.workers.celery_app import make_celery

    with handled(app):
        celery_app = make_celery(app.settings)
    celery_app.worker_main(
        ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "--without-gossip"]
    )


@celery.command("dispatch")
@click.option("--once", is_flag=True, help="Publish once and exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at the queue.")
@pass_app
def dispatch(app: AppContext, once: bool, poll: float) -> None:
    """Publish a task for each language with queued jobs (run one of these)."""
    from warta.workers.celery_app import dispatch_pending, make_celery

    with handled(app):
        celery_app = make_celery(app.settings)
        services = app.services
        while True:
            langs = dispatch_pending(celery_app, services)
            if langs:
                app.err.print("dispatched: " + ", ".join(lang.value for lang in langs))
            if once:
                return
            time.sleep(poll)


COMMANDS = (celery,)
