"""What a :class:`~warta.workers.runner.Worker` reports as it works: a Protocol, no implementation.

The worker calls an observer (if it was given one) once per recorded edition and once per failed
batch; metrics (Prometheus counters and histograms) implement it elsewhere. An observer must be
cheap and must not raise: the worker logs and ignores what it raises.
"""

from __future__ import annotations

from typing import Protocol

from warta.languages import Lang


class WorkerObserver(Protocol):
    def edition_recorded(
        self,
        *,
        lang: Lang,
        site_id: int,
        segments_translated: int,
        latency_seconds: float | None,
    ) -> None:
        """An edition was stored; ``latency_seconds``: now minus its revision's created_at."""
        ...

    def batch_failed(self, *, lang: Lang, error_kind: str) -> None:
        """A batch's engine call (or planning) failed; ``error_kind``: a JobErrorKind value."""
        ...
