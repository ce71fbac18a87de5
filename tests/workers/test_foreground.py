"""`warta work`'s loop: overlapping runs, polling when idle, names of several processes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.workers.test_runner import BODY, draft, worker_with

from warta.engines.fake import FakeEngine
from warta.languages import Lang
from warta.services import Services
from warta.workers.foreground import (
    BATCHES_PER_RUN,
    NAP_S,
    nap,
    process_names,
    work_in_foreground,
)
from warta.workers.runner import RunSummary


class _StopPolling(Exception):
    pass


def test_polling_runs_several_overlapping_batches_then_sleeps_when_idle(services: Services):
    services.store.create_site(slug="demo", name="Demo")
    for n, day in enumerate(["Selasa", "Rabu", "Kamis"]):
        services.store.save_article(
            replace(draft(BODY.replace("Senin", day)), external_id=f"berita-{n}"),
            targets=[Lang.EN],
        )
    worker = worker_with(services, FakeEngine(), jobs_per_batch=1)
    batches: list[int] = []
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        raise _StopPolling

    with pytest.raises(_StopPolling):
        work_in_foreground(
            worker,
            until_idle=False,
            poll=0.5,
            on_summary=lambda s: batches.append(s.batches),
            sleep=sleep,
        )
    # One run took all three batches (so they overlapped); the next found nothing and slept.
    assert batches == [3, 3]
    assert slept == [0.5]
    assert BATCHES_PER_RUN > 1


def test_until_idle_returns_after_one_run_with_the_totals(services: Services):
    services.store.create_site(slug="demo", name="Demo")
    services.store.save_article(draft(), targets=[Lang.EN, Lang.FR])
    totals: list[RunSummary] = []
    work_in_foreground(
        worker_with(services, FakeEngine()),
        until_idle=True,
        poll=1.0,
        on_summary=totals.append,
        sleep=lambda _: pytest.fail("until idle never sleeps"),
    )
    assert [t.editions for t in totals] == [2]


def test_several_processes_are_named_after_the_worker_with_a_number():
    assert process_names("gpu-a", 1, default=lambda: "host:1") == ["gpu-a"]
    assert process_names("gpu-a", 3, default=lambda: "host:1") == ["gpu-a/1", "gpu-a/2", "gpu-a/3"]
    assert process_names(None, 2, default=lambda: "host:1") == ["host:1/1", "host:1/2"]


def test_a_nap_ends_at_the_next_slice_once_the_worker_is_stopped():
    # The SIGTERM handler only sets a flag; the sleep between polls notices it within NAP_S.
    answers = [False, False, True]
    slept: list[float] = []
    nap(60.0, stopped=lambda: answers.pop(0), sleep=slept.append)
    assert slept == [NAP_S, NAP_S]
    assert answers == []


def test_a_stopped_worker_runs_no_batch(services: Services):
    services.store.create_site(slug="demo", name="Demo")
    services.store.save_article(draft(), targets=[Lang.EN])
    worker = worker_with(services, FakeEngine())
    worker.stop()
    summary = work_in_foreground(
        worker, until_idle=False, poll=1.0, sleep=lambda _: pytest.fail("a stopped loop sleeps")
    )
    assert summary.batches == 0
    assert services.queue.pending_langs() == [Lang.EN]
