"""LeaseKeeper: renews every held lease in one call, forgets jobs taken over, survives outages."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from tests.dbfixtures import FakeClock, make_draft

from warta.domain import Site
from warta.languages import Lang
from warta.store.repository import Store
from warta.workers.heartbeat import LeaseKeeper
from warta.workers.queue import SqlJobQueue

LEASE = 30


def test_renew_extends_every_held_lease_and_forgets_the_ones_taken_over(
    queue: SqlJobQueue, store: Store, site: Site, clock: FakeClock
) -> None:
    store.save_article(make_draft(), targets=(Lang.EN, Lang.FR))
    en, fr = queue.claim(worker="w1", limit=2, lease_seconds=LEASE)
    keeper = LeaseKeeper(queue=queue, worker="w1", lease_seconds=LEASE)
    keeper.hold([en.id, fr.id])
    assert keeper.interval == LEASE / 3

    clock.advance(LEASE + 1)
    queue.claim(worker="w2", limit=1, lease_seconds=LEASE, lang=Lang.FR)  # fr taken over
    assert keeper.renew() == {en.id}

    assert keeper.held == {en.id}
    assert keeper.lost == {fr.id}
    assert queue.get(en.id).lease_expires_at == clock.now + timedelta(seconds=LEASE)
    keeper.drop([en.id])
    assert keeper.renew() == set()


class FlakyQueue:
    """Renewals fail (the database is away) until ``up`` is set; each call is counted."""

    def __init__(self) -> None:
        self.up = threading.Event()
        self.calls = 0
        self.renewed = threading.Event()

    def heartbeat_many(
        self, job_ids: Sequence[int], *, worker: str, lease_seconds: int
    ) -> set[int]:
        self.calls += 1
        if not self.up.is_set():
            raise ConnectionError("database restarting")
        self.renewed.set()
        return set(job_ids)


def test_the_thread_keeps_renewing_through_failed_renewals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flaky = FlakyQueue()
    keeper = LeaseKeeper(
        queue=flaky,  # type: ignore[arg-type]  # only heartbeat_many is called
        worker="w1",
        lease_seconds=LEASE,
        interval=0.01,
    )
    keeper.hold([7])
    with keeper:
        for _ in range(3000):  # up to 30 s for three failed rounds
            if flaky.calls >= 3:
                break
            assert not flaky.renewed.wait(0.01)
        assert flaky.calls >= 3, "the thread stopped after a failed renewal"
        flaky.up.set()
        assert flaky.renewed.wait(30)
    assert keeper.renewals >= 1
    assert "could not renew its leases" in caplog.text
