"""`warta celery worker|dispatch`: run translation jobs on Celery workers over Redis.

Both commands check the broker and the database first: a wrong or unreachable URL ends them
with exit code 2 and a message naming the URL (password hidden) and the setting to fix. Once
started they ride out outages (see :mod:`warta.workers.celery_app`); SIGTERM or Ctrl-C stops them
(the worker after the batch in hand, the dispatcher at once).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence

import click

from warta.commands._context import AppContext, handled, pass_app
from warta.languages import Lang


@click.group()
def celery() -> None:
    """Scale out: Celery workers over Redis (WARTA_BROKER_URL) run the same jobs."""


@celery.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Worker processes.")
@click.option("--loglevel", default="info", show_default=True)
@pass_app
def worker(app: AppContext, concurrency: int, loglevel: str) -> None:
    """Start a Celery worker that runs translation batches."""
    from warta.workers.celery_app import check_broker, make_celery

    with handled(app):
        celery_app = make_celery(app.settings)
        check_broker(celery_app)
        app.services  # noqa: B018 -- check and migrate the database once, before the pool starts
    app.close()  # the pool's processes open their own connections
    celery_app.worker_main(
        ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "--without-gossip"]
    )


@celery.command("dispatch")
@click.option("--once", is_flag=True, help="Publish once and exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at the queue.")
@pass_app
def dispatch(app: AppContext, once: bool, poll: float) -> None:
    """Publish a task for each language with queued jobs and none waiting (run one of these)."""
    from warta.workers.celery_app import (
        InFlight,
        check_broker,
        dispatch_forever,
        dispatch_pending,
        make_celery,
    )

    with handled(app):
        celery_app = make_celery(app.settings)
        check_broker(celery_app)
        services = app.services
        inflight = InFlight.for_broker(
            app.settings.broker_url, ttl_seconds=app.settings.job_lease_seconds
        )

        def report(langs: Sequence[Lang]) -> None:
            app.err.print("dispatched: " + ", ".join(lang.value for lang in langs))

        try:
            if once:
                langs = dispatch_pending(celery_app, services, inflight=inflight)
                if langs:
                    report(langs)
                return
            # The loop runs on its own thread; this one waits for Ctrl-C or SIGTERM, whose
            # handler only sets a flag (nothing is interrupted half-way, no lock is taken).
            stop = threading.Event()
            failed: list[BaseException] = []
            terminated: list[int] = []

            def loop() -> None:
                try:
                    dispatch_forever(
                        celery_app,
                        services,
                        poll=poll,
                        stop=stop,
                        inflight=inflight,
                        on_dispatch=report,
                    )
                except BaseException as exc:  # noqa: BLE001 -- raised again below
                    failed.append(exc)

            thread = threading.Thread(target=loop, name="warta-dispatch")
            previous = signal.signal(signal.SIGTERM, lambda signum, _: terminated.append(signum))
            thread.start()
            try:
                while thread.is_alive() and not terminated:
                    thread.join(timeout=0.2)
            except KeyboardInterrupt:
                pass
            finally:
                signal.signal(signal.SIGTERM, previous)
                stop.set()
                thread.join()
            if failed:
                raise failed[0]
            app.err.print("dispatcher stopped")
        finally:
            if inflight is not None:
                inflight.close()


COMMANDS = (celery,)
