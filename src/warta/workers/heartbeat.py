"""Keeping a worker's leases: a thread that renews them while the worker holds jobs.

Leases are short (``job_lease_seconds``, 30 s by default) so that the jobs of a killed worker
are taken over within that time; a worker that is alive renews the leases of every job it holds
(claimed, planned, being translated or recorded) every third of the lease, in one transaction
(:meth:`~warta.workers.queue.JobQueue.heartbeat_many`), from its own thread: it keeps going
while the worker's engine call runs (CTranslate2 releases the GIL) or its store write waits.
A renewal that fails (the database is away) is logged and tried again at the next tick: the
leases still have two thirds of their time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from types import TracebackType

from warta.workers.queue import JobQueue

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews ``worker``'s leases on the jobs it holds, every ``interval`` seconds (lease / 3).

    Use as a context manager around the work (the thread runs inside it); :meth:`hold` a job
    when it is claimed, :meth:`drop` it once it is recorded, failed or released.
    """

    def __init__(
        self,
        *,
        queue: JobQueue,
        worker: str,
        lease_seconds: int,
        interval: float | None = None,
    ) -> None:
        self._queue = queue
        self._worker = worker
        self._lease = lease_seconds
        self.interval = interval if interval is not None else lease_seconds / 3
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0  # rounds that renewed at least one lease
        self.lost: set[int] = set()  # jobs found taken over (or finished by someone else)

    def hold(self, job_ids: Iterable[int]) -> None:
        with self._lock:
            self._held.update(job_ids)

    def drop(self, job_ids: Iterable[int]) -> None:
        with self._lock:
            self._held.difference_update(job_ids)

    @property
    def held(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._held)

    def renew(self) -> set[int]:
        """One round: renew every held lease now; the ids still held."""
        ids = sorted(self.held)
        if not ids:
            return set()
        still = self._queue.heartbeat_many(ids, worker=self._worker, lease_seconds=self._lease)
        gone = (set(ids) - still) & self.held  # not finished and dropped meanwhile
        if gone:
            log.info(
                "worker %s no longer holds job(s) %s (taken over, or finished)",
                self._worker,
                ", ".join(map(str, sorted(gone))),
            )
            self.drop(gone)
            self.lost |= gone
        if still:
            self.renewals += 1
        return still

    def __enter__(self) -> LeaseKeeper:
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"warta-lease {self._worker}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.renew()
            except Exception:  # the next tick tries again; the leases have time left
                log.exception("worker %s could not renew its leases", self._worker)
