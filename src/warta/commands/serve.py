"""`warta serve`, `warta demo`, `warta db upgrade`."""

from __future__ import annotations

import threading

import click

from warta.commands._context import AppContext, handled, pass_app


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
@pass_app
def serve(app: AppContext, host: str, port: int, demo: bool, worker: bool) -> None:
    """Run the web site and API (and, by default, an in-process worker)."""
    import uvicorn

    from warta.web.app import create_app

    with handled(app):
        services = app.services
        if demo:
            from warta.demo import load_demo

            stored, refused = load_demo(store=services.store, newsroom=services.newsroom)
            app.err.print(f"demo: {stored} articles stored, {refused} refused")
        else:
            services.validator.warm_up()  # the language detector: ~4 s once, not on a request
        stop = threading.Event()
        if worker:
            thread = threading.Thread(
                target=_work_forever, args=(app, stop), name="warta-worker", daemon=True
            )
            thread.start()
        models = services.store.list_models()
        if not models:
            app.err.print(
                "no translation model registered: pages show the Indonesian original and each "
                "edition as pending (see `warta models pull --help`)"
            )
        app.err.print(f"serving on http://{host}:{port}/")
        try:
            uvicorn.run(create_app(services), host=host, port=port, log_level="info")
        finally:
            stop.set()


def _work_forever(app: AppContext, stop: threading.Event) -> None:
    """The embedded worker: translation batches, then due webhook deliveries, until stopped."""
    import logging

    from warta.integrations import build_integrations

    log = logging.getLogger("warta.worker")
    worker = app.services.worker(name="serve-inprocess")
    integrations = build_integrations(app.services)
    with integrations.http_client(follow_redirects=False) as client:
        dispatcher = integrations.dispatcher(client)
        while not stop.is_set():
            try:
                # A few batches per turn: they overlap (engine on one, storage on the other),
                # and webhook deliveries still go out between turns.
                busy = worker.run(max_batches=4).batches > 0
                dispatcher.deliver_due()
            except Exception:  # the in-process worker outlives one bad batch; it is logged
                log.exception("worker batch failed")
                busy = False
            if not busy:
                stop.wait(2.0)


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
