"""Celery over Redis: the same jobs, run by as many worker processes and machines as needed.

The job rows in the database stay the truth (outbox, leases, attempts). Celery only carries the
signal "language X has queued jobs": a task claims a batch of that language through the same
:class:`~warta.workers.queue.SqlJobQueue` and runs the same :class:`~warta.workers.runner.Worker`,
so a lost, duplicated or late task costs nothing, and a worker that dies mid-batch loses its lease
and its jobs are claimed again.

    warta celery worker            # on each translation machine (loads the models once)
    warta celery dispatch          # one process: publishes a task per language with queued jobs
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from celery import Celery

from warta.config import Settings
from warta.errors import ConfigError
from warta.languages import Lang
from warta.services import Services, build_services

TASK_NAME = "warta.translate_pending"


class _ServicesHolder:
    """Builds the services once per worker process, on the first task (not at import)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._services: Services | None = None
        self._lock = threading.Lock()

    def get(self) -> Services:
        with self._lock:
            if self._services is None:
                self._services = build_services(self._settings)
            return self._services


def make_celery(settings: Settings) -> Celery:
    """The Celery application for ``settings`` (broker: ``WARTA_BROKER_URL``)."""
    if not settings.broker_url:
        raise ConfigError(
            "no Celery broker configured",
            hint="set WARTA_BROKER_URL, e.g. redis://localhost:6379/0",
        )
    app = Celery("warta", broker=settings.broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,  # a task is re-delivered if its worker dies; claiming is idempotent
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    holder = _ServicesHolder(settings)

    @app.task(name=TASK_NAME)  # type: ignore[untyped-decorator]  # celery ships no type hints
    def translate_pending(lang: str, batches: int = 8) -> dict[str, Any]:
        """Run up to ``batches`` batches of queued jobs of ``lang``."""
        services = holder.get()
        worker = services.worker(name=f"celery@{socket.gethostname()}")
        target = Lang(lang)
        summary = worker.run(lang=target, max_batches=batches)  # batches overlap
        return {"lang": lang, "batches": summary.batches}

    return app


def dispatch_pending(app: Celery, services: Services) -> list[Lang]:
    """Publish one task per language that has queued jobs; returns those languages."""
    langs = services.queue.pending_langs()
    for lang in langs:
        app.send_task(TASK_NAME, args=[lang.value])
    return langs
