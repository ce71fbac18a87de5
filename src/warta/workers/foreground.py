"""``warta work``: one or several worker processes in the foreground, on one machine.

On a GPU one worker process cannot keep the engine busy (its own Python, about a millisecond a
segment, is the bottleneck: BENCHMARKS.md), so ``processes`` > 1 starts that many worker
processes, each with its own services and its own copy of the models, claiming from the same job
queue (leases keep them from translating a job twice). They are started with ``spawn``: CUDA
does not survive ``fork``.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

from warta.config import Settings
from warta.workers.runner import RunSummary, Worker

BATCHES_PER_RUN = 8  # batches of one worker run: they overlap (engine call N+1 while storing N)


@dataclass(frozen=True, slots=True)
class WorkOptions:
    """What ``warta work`` was asked for; the same for each process."""

    until_idle: bool
    poll: float


def work_in_foreground(
    worker: Worker,
    *,
    until_idle: bool,
    poll: float,
    on_summary: Callable[[RunSummary], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunSummary:
    """Run batches (overlapping) until idle (then return the totals), or forever polling every
    ``poll`` seconds.

    ``on_summary`` gets the running totals after every run of up to ``BATCHES_PER_RUN`` batches.
    Ctrl-C (KeyboardInterrupt) stops it after the engine call in flight; the jobs of a batch that
    was not stored keep their lease and are taken over when it expires.
    """
    summary = RunSummary()
    while True:
        before = summary.batches
        worker.run(max_batches=None if until_idle else BATCHES_PER_RUN, summary=summary)
        if on_summary is not None:
            on_summary(summary)
        if until_idle:
            return summary
        if summary.batches == before:
            sleep(poll)


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
    """
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=child, args=(settings, options, name), name=f"warta-work {name}")
        for name in names
    ]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:
            process.join()
    return [p.exitcode if p.exitcode is not None else 1 for p in processes]
