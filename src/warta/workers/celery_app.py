"""Celery over Redis: the same jobs, run by as many worker processes and machines as needed.

The job rows in the database stay the truth (outbox, leases, attempts). Celery only carries the
signal "language X has queued jobs": a task claims batches of that language through the same
:class:`~warta.workers.queue.SqlJobQueue` and runs the same :class:`~warta.workers.runner.Worker`,
so a lost, duplicated or late task costs nothing, and a worker that dies mid-batch loses its lease
and its jobs are claimed again.

    warta celery worker            # on each translation machine (loads the models once)
    warta celery dispatch          # one process: publishes a task per language with queued jobs

How they behave (what operators and the fault tests can count on):

* **Start.** Both commands connect to the broker (:func:`check_broker`) and the database before
  anything else; a URL that is wrong or a server that does not answer within about five seconds
  ends the command with exit code 2 and a message naming the URL (password hidden) and the
  setting to fix. There is no retrying at start (``broker_connection_retry_on_startup`` off).
* **No flooding.** The dispatcher publishes a task for a language only when no task for it is
  already waiting: publishing sets the Redis key ``warta:inflight:<lang>`` (``SET NX``, expiring
  after the job lease), a task deletes it when it starts (:class:`InFlight`). So at most one task
  per language waits in the broker, however long the workers are busy. A broker that is not Redis
  gets no marker (a task per language with queued jobs on every look).
* **Outages.** The dispatcher rides out the database or Redis being away: it logs a warning,
  waits (exponential backoff from 0.5 s up to 30 s, :mod:`warta.workers.resilience`), and logs
  again when the service is back; it never exits for an outage. A Redis restart loses the queued
  tasks and the markers together, so the next look publishes again. A Celery worker reconnects
  to the broker by itself (forever, ``broker_connection_max_retries=None``); a task that meets a
  database outage logs it and returns, leaving its jobs to their leases, and the dispatcher
  publishes again once the database answers.
* **Names.** Every worker process leases jobs under its own name ``celery@<host>:<pid>``
  (:func:`worker_name`, computed in the process that runs the task).
* **Shutdown.** SIGTERM to ``warta celery worker`` (Celery's warm shutdown) stops every running
  task's :class:`~warta.workers.runner.Worker` (``Worker.stop()``): the batch in hand is recorded,
  claimed batches not started are released with no attempt used, and the task returns. The
  pool's child processes get the stop too (SIGUSR2 from the main process; a SIGTERM sent to a
  child directly stops its task the same way). The main process writes
  :data:`SHUTDOWN_NOTICE` to stderr when it has told them; it exits 0 once they are done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from celery import Celery, signals

from warta.config import Settings
from warta.errors import ConfigError, UnreachableError
from warta.languages import Lang
from warta.services import Services, build_services
from warta.workers.resilience import OutageTracker, is_outage

if TYPE_CHECKING:
    import redis

    from warta.workers.runner import Worker

TASK_NAME = "warta.translate_pending"
INFLIGHT_PREFIX = "warta:inflight:"
CONNECT_TIMEOUT_S = 5.0  # broker connection and Redis socket timeouts: fail or retry in seconds
# kombu's connection options for one try (no retry loop of its own): the caller backs off.
_ONE_TRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
STOP_SIGNAL = signal.SIGUSR2  # main process -> pool children: stop the running task's worker
SHUTDOWN_NOTICE = "warta celery worker: stopping the running tasks after the batch in hand"

log = logging.getLogger(__name__)


def worker_name() -> str:
    """The lease name of this worker process: ``celery@<host>:<pid>`` (call it in the process
    that runs the task, never at import: pool children have pids of their own)."""
    return f"celery@{socket.gethostname()}:{os.getpid()}"


def sanitized(url: str) -> str:
    """A broker URL with its password hidden."""
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


class InFlight:
    """Which languages have a task waiting in the broker: one Redis key per language, set when a
    task is published (``SET NX EX ttl``) and deleted when a task starts.

    The TTL (the job lease by default) bounds the cost of a lost task message: after it, the
    dispatcher publishes again.
    """

    def __init__(self, client: redis.Redis, *, ttl_seconds: int) -> None:
        self._client = client
        self._ttl = max(1, ttl_seconds)

    @classmethod
    def for_broker(cls, broker_url: str, *, ttl_seconds: int) -> InFlight | None:
        """The marker on the broker's own Redis; None for a broker that is not Redis."""
        if not broker_url.startswith(("redis://", "rediss://", "unix://")):
            return None
        import redis

        client = redis.Redis.from_url(
            broker_url,
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_timeout=CONNECT_TIMEOUT_S,
        )
        return cls(client, ttl_seconds=ttl_seconds)

    def mark(self, lang: Lang) -> bool:
        """Mark ``lang`` as having a waiting task; False if it already had one."""
        return bool(self._client.set(INFLIGHT_PREFIX + lang.value, "1", nx=True, ex=self._ttl))

    def clear(self, lang: Lang) -> None:
        """No task of ``lang`` waits any more (a task started, or publishing failed)."""
        self._client.delete(INFLIGHT_PREFIX + lang.value)

    def waiting(self, lang: Lang) -> bool:
        return bool(self._client.exists(INFLIGHT_PREFIX + lang.value))

    def close(self) -> None:
        self._client.close()


class _WorkerProcess:
    """Per worker process: the services (built on the first task, not at import), the in-flight
    marker, and the Workers of the tasks running now (stopped on shutdown)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._services: Services | None = None
        self._inflight: InFlight | None = None
        self._lock = threading.Lock()
        self._running: set[Worker] = set()
        self.stopping = False

    def services(self) -> Services:
        with self._lock:
            if self._services is None:
                self._services = build_services(self._settings, migrate=False)
            return self._services

    def inflight(self) -> InFlight | None:
        with self._lock:
            if self._inflight is None:
                self._inflight = InFlight.for_broker(
                    self._settings.broker_url, ttl_seconds=self._settings.job_lease_seconds
                )
            return self._inflight

    @contextmanager
    def running(self, worker: Worker) -> Iterator[None]:
        self._running.add(worker)
        try:
            if self.stopping:
                worker.stop()
            yield
        finally:
            self._running.discard(worker)

    def stop(self) -> int:
        """Stop every running task's worker after its batch in hand (signal-handler safe: sets
        flags only); how many were running."""
        self.stopping = True
        workers = list(self._running)
        for worker in workers:
            worker.stop()
        return len(workers)


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
        # A wrong broker URL fails at start (check_broker); a lost connection is retried forever.
        broker_connection_retry_on_startup=False,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        broker_connection_timeout=CONNECT_TIMEOUT_S,
        broker_transport_options={"socket_connect_timeout": CONNECT_TIMEOUT_S},
        # A running batch is not cancelled when Redis goes away: its jobs are in the database.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    process = _WorkerProcess(settings)

    # shared=False: a shared task would be added to every Celery app made later in the process
    # (tests, benchmarks), calling this app's settings from theirs.
    @app.task(name=TASK_NAME, shared=False)  # type: ignore[untyped-decorator]  # no type hints
    def translate_pending(lang: str, batches: int = 8) -> dict[str, Any]:
        """Run up to ``batches`` batches of queued jobs of ``lang``."""
        return _translate_pending(process, Lang(lang), batches=batches)

    def on_shutting_down(**_: object) -> None:  # main process, from Celery's SIGTERM handler
        process.stop()  # solo and threads pools: the tasks run in this process
        children = _signal_children(STOP_SIGNAL)
        # Unbuffered: this runs inside a signal handler, perhaps in the middle of a print.
        os.write(2, f"{SHUTDOWN_NOTICE} ({children} pool process(es) told)\n".encode())

    def on_process_init(**_: object) -> None:  # each pool child, once, at its start
        def on_stop(signum: int, _frame: object) -> None:
            if process.stop() == 0 and signum == signal.SIGTERM:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)  # idle: end as before
                os.kill(os.getpid(), signal.SIGTERM)

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(STOP_SIGNAL, on_stop)

    # weak=False: the receivers are closures that would otherwise be collected at once.
    signals.worker_shutting_down.connect(on_shutting_down, weak=False)
    signals.worker_process_init.connect(on_process_init, weak=False)

    def on_setup_logging(**_: Any) -> None:
        """Celery configures no logging of its own when this signal has a receiver: its lines
        (tasks, broker lost and back) and warta's go through warta's one handler (JSON or
        console, ``WARTA_LOG_LEVEL``), as in every other warta process."""
        from warta.observability.logs import configure_from_settings

        configure_from_settings(settings)

    signals.setup_logging.connect(on_setup_logging, weak=False)
    return app


def _translate_pending(process: _WorkerProcess, lang: Lang, *, batches: int) -> dict[str, Any]:
    result: dict[str, Any] = {"lang": lang.value, "batches": 0}
    try:
        inflight = process.inflight()
        if inflight is not None:
            inflight.clear(lang)  # this task no longer waits: the dispatcher may queue the next
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("cannot clear the in-flight marker of %s: %s", lang.value, exc)
    if process.stopping:
        return {**result, "stopped": True}
    try:
        worker = process.services().worker(name=worker_name())
        with process.running(worker):
            summary = worker.run(lang=lang, max_batches=batches)  # batches overlap
    except Exception as exc:
        if not is_outage(exc):
            raise
        # The jobs keep their leases and are claimed again; the dispatcher publishes again.
        log.warning("task for %s stopped by an outage: %s: %s", lang.value, type(exc).__name__, exc)
        return {**result, "outage": True}
    return {**result, "batches": summary.batches, "stopped": worker.stopping}


def _signal_children(signum: int) -> int:
    """Send ``signum`` to this process's pool children (prefork), if any; how many."""
    try:
        from billiard.process import active_children  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - billiard comes with celery
        return 0
    told = 0
    for child in active_children():
        if child.pid is not None:
            with contextlib.suppress(ProcessLookupError):  # gone already
                os.kill(child.pid, signum)
                told += 1
    return told


def check_broker(app: Celery) -> None:
    """Connect to the broker once: a wrong or unreachable ``WARTA_BROKER_URL`` raises
    :class:`UnreachableError` within about :data:`CONNECT_TIMEOUT_S` seconds."""
    url = str(app.conf.broker_url or "")
    shown = sanitized(url)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=CONNECT_TIMEOUT_S
            )
    except Exception as exc:  # any failure here means the URL cannot be used
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UnreachableError(
            f"cannot connect to the Celery broker {shown}: {reason}",
            hint="check WARTA_BROKER_URL (e.g. redis://host:6379/0) and that the broker is "
            "running and reachable from this machine",
            url=shown,
        ) from exc


def publish_pending(
    app: Celery, langs: Iterable[Lang], *, inflight: InFlight | None = None
) -> list[Lang]:
    """Publish a task for each of ``langs`` that has no task waiting; the languages published.

    Each call publishes over a connection of its own, after declaring the task queue (a Redis
    restarted empty has lost it), and does not retry (``retry=False``): a broker outage raises
    at once, and the caller's backoff decides when to try again.
    """
    langs = list(langs)
    sent: list[Lang] = []
    if not langs:
        return sent
    with app.connection_for_write(transport_options=_ONE_TRY) as connection:
        queue = app.amqp.queues[app.conf.task_default_queue]
        queue.bind(connection.default_channel).declare()
        for lang in langs:
            if inflight is not None and not inflight.mark(lang):
                continue  # a task for it still waits in the broker
            try:
                app.send_task(TASK_NAME, args=[lang.value], connection=connection, retry=False)
            except BaseException:
                if inflight is not None:
                    try:
                        inflight.clear(lang)
                    except Exception:  # noqa: BLE001 -- the marker expires by itself
                        log.debug("could not clear the marker of %s", lang.value)
                raise
            sent.append(lang)
    return sent


def dispatch_pending(
    app: Celery, services: Services, *, inflight: InFlight | None = None
) -> list[Lang]:
    """Publish one task per language that has queued jobs and no task waiting; those languages."""
    return publish_pending(app, services.queue.pending_langs(), inflight=inflight)


def dispatch_forever(
    app: Celery,
    services: Services,
    *,
    poll: float,
    stop: threading.Event,
    inflight: InFlight | None = None,
    on_dispatch: Callable[[list[Lang]], None] | None = None,
) -> None:
    """Look at the queue every ``poll`` seconds and publish (:func:`publish_pending`) until
    ``stop`` is set. An outage of the database or the broker is logged and waited out with
    backoff (:class:`~warta.workers.resilience.OutageTracker`); other errors propagate."""
    database = OutageTracker(
        f"the database ({services.db.url.render_as_string(hide_password=True)})", log=log
    )
    broker = OutageTracker(f"the Celery broker ({sanitized(str(app.conf.broker_url))})", log=log)
    while not stop.is_set():
        try:
            langs = services.queue.pending_langs()
        except Exception as exc:
            if not is_outage(exc):
                raise
            stop.wait(database.failed(exc))
            continue
        database.recovered()
        try:
            sent = publish_pending(app, langs, inflight=inflight)
        except Exception as exc:
            if not is_outage(exc):
                raise
            stop.wait(broker.failed(exc))
            continue
        broker.recovered()
        if sent and on_dispatch is not None:
            on_dispatch(sent)
        stop.wait(poll)
