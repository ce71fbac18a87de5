"""``warta work``: one or several worker processes in the foreground, on one machine.

On a GPU one worker process cannot keep the engine busy (its own Python, about a millisecond a
segment, is the bottleneck: BENCHMARKS.md), so ``processes`` > 1 starts that many worker
processes, each with its own services and its own copy of the models, claiming from the same job
queue (leases keep them from translating a job twice). They are started with ``spawn``: CUDA
does not survive ``fork``.

How it behaves (what operators and the fault tests can count on):

* **Start.** A wrong or unreachable ``WARTA_DATABASE_URL`` ends the command at once with exit
  code 2 and a message naming the URL (password hidden).
* **Outages.** Once started, a database that goes away (restart, refused connections, a dropped
  socket) does not end it: each failed run is logged, waited out with exponential backoff (0.5 s
  doubling up to 30 s, :mod:`warta.workers.resilience`) and tried again; the recovery is logged.
  Jobs whose batch was cut by the outage keep their lease and are claimed again when it expires
  (a lost lease uses no attempt).
* **SIGTERM.** The worker stops gracefully (:meth:`Worker.stop`): no new batch, the batch whose
  engine call has started is recorded, claimed batches not started are released with no attempt
  used; then the command prints its totals and exits 0. The line
  ``<label>SIGTERM: stopping after the batch in hand`` goes to stderr as soon as the signal
  arrives. With ``--processes N`` the parent forwards SIGTERM to every child and waits for them;
  a child stopped by the signal before it could install its own handler counts as stopped.
* **Ctrl-C** (SIGINT, to the whole process group) stops every process after the engine call in
  flight; jobs of a batch not stored keep their lease and are taken over when it expires.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType

from warta.config import Settings
from warta.workers.resilience import OutageTracker, is_outage
from warta.workers.runner import RunSummary, Worker

BATCHES_PER_RUN = 8  # batches of one worker run: they overlap (engine call N+1 while storing N)
NAP_S = 0.2  # the longest a sleep goes on after a stop was asked for

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkOptions:
    """What ``warta work`` was asked for; the same for each process."""

    until_idle: bool
    poll: float
    engine_process: bool = False  # one engine process serves the worker processes
    engine: Connection | None = None  # this process's connection to it (set per process)


def work_in_foreground(
    worker: Worker,
    *,
    until_idle: bool,
    poll: float,
    on_summary: Callable[[RunSummary], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    outage: OutageTracker | None = None,
) -> RunSummary:
    """Run batches (overlapping) until idle (then return the totals), or until the worker is
    stopped (:meth:`Worker.stop`), polling every ``poll`` seconds when idle.

    ``on_summary`` gets the running totals after every run of up to ``BATCHES_PER_RUN`` batches.
    A run that fails because the database (or another server) is unreachable is logged and tried
    again after ``outage``'s backoff; any other error propagates. ``sleep`` (default: a sleep cut
    short by :meth:`Worker.stop`) waits between polls and retries.
    """
    pause = sleep or (lambda seconds: nap(seconds, stopped=lambda: worker.stopping))
    tracker = outage or OutageTracker("the database", log=log)
    summary = RunSummary()
    while not worker.stopping:
        before = summary.batches
        try:
            worker.run(max_batches=None if until_idle else BATCHES_PER_RUN, summary=summary)
        except Exception as exc:
            if not is_outage(exc):
                raise
            pause(tracker.failed(exc))
            continue
        tracker.recovered()
        if on_summary is not None:
            on_summary(summary)
        if until_idle or worker.stopping:
            return summary
        if summary.batches == before:
            pause(poll)
    return summary


def nap(
    seconds: float,
    *,
    stopped: Callable[[], bool],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Sleep ``seconds``, in slices of at most :data:`NAP_S`, returning early once ``stopped()``
    (a flag set by a signal handler: no lock is taken, so no handler can deadlock it)."""
    deadline = time.monotonic() + seconds
    while not stopped():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sleep(min(NAP_S, left))


@contextmanager
def stop_on_sigterm(worker: Worker, *, label: str = "") -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM stops ``worker`` gracefully and
    writes ``<label>SIGTERM: stopping after the batch in hand`` to stderr."""
    notice = f"{label}SIGTERM: stopping after the batch in hand\n".encode()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        if not worker.stopping:
            os.write(2, notice)  # unbuffered: safe even if the handler interrupted a print
        worker.stop()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def process_names(name: str | None, count: int, *, default: Callable[[], str]) -> list[str]:
    """Each worker process's name: ``name`` (or host:pid) alone, or suffixed /1 .. /count."""
    base = name or default()
    return [base] if count == 1 else [f"{base}/{n}" for n in range(1, count + 1)]


def run_processes(
    settings: Settings,
    options: WorkOptions,
    *,
    names: list[str],
    child: Callable[[Settings, WorkOptions, str], None],
) -> list[int]:
    """Run ``child(settings, options, name)`` in one spawned process per name; exit codes.

    Ctrl-C reaches every process of the terminal's group: each stops on its own; this waits.
    SIGTERM to this process is forwarded to every child (each stops after its batch in hand);
    a child ended by that SIGTERM before it could handle it counts as stopped (0).
    """
    context = multiprocessing.get_context("spawn")
    engine: BaseProcess | None = None
    per_process = [options] * len(names)
    if options.engine_process:
        from warta.workers.engine_process import start_engine_process

        engine, connections = start_engine_process(settings, len(names))
        per_process = [replace(options, engine=connection) for connection in connections]
    processes = [
        context.Process(target=child, args=(settings, own, name), name=f"warta-work {name}")
        for name, own in zip(names, per_process, strict=True)
    ]
    terminated = False

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal terminated
        terminated = True
        for process in processes:
            if process.pid is not None and process.exitcode is None:
                try:
                    os.kill(process.pid, signum)
                except ProcessLookupError:  # already gone
                    continue

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        for process in processes:
            process.start()
        for own in per_process:  # each child has its copy: the engine process stops with them
            if own.engine is not None:
                own.engine.close()
        if terminated:  # SIGTERM came while the children were starting: they get it now
            forward(signal.SIGTERM, None)
        try:
            for process in processes:
                process.join()
            if engine is not None:
                engine.join()  # it returns once every worker process closed its connection
        except KeyboardInterrupt:
            for process in processes:
                process.join()
            if engine is not None:
                engine.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return [_exit_code(p.exitcode, terminated=terminated) for p in processes]


def _exit_code(code: int | None, *, terminated: bool) -> int:
    if code is None:
        return 1
    if terminated and code == -signal.SIGTERM:
        return 0
    return code
