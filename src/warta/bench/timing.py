"""Clocks, interleaved rounds and summary statistics (no third-party code, no global state)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed run: wall-clock seconds and CPU seconds of this process (all its threads)."""

    wall: float
    cpu: float


def timed(fn: Callable[[], T]) -> tuple[T, Sample]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, Sample(time.perf_counter() - wall, time.process_time() - cpu)


@dataclass
class Series:
    """The samples of one side of a comparison."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def cpus(self) -> list[float]:
        return [s.cpu for s in self.samples]

    def median_wall(self) -> float:
        return median(self.walls)

    def median_cpu(self) -> float:
        return median(self.cpus)

    def to_dict(self, *, units: int | None = None) -> dict[str, object]:
        data: dict[str, object] = {
            "wall_s": [round(v, 3) for v in self.walls],
            "cpu_s": [round(v, 3) for v in self.cpus],
            "median_wall_s": round(self.median_wall(), 3),
            "median_cpu_s": round(self.median_cpu(), 3),
        }
        if units is not None:
            data["units_per_s"] = round(units / self.median_wall(), 3)
        return data


def interleaved(
    sides: Mapping[str, Callable[[], Sample]],
    *,
    rounds: int,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Series]:
    """Run every side once per round, A,B,C then C,B,A..., so drifting load hits all sides.

    Each side times itself and returns its :class:`Sample`, so that set-up (a fresh store, the
    ingest of the articles) can stay outside the clock.
    """
    names = list(sides)
    series = {name: Series() for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            if progress is not None:
                progress(f"round {r + 1}/{rounds}: {name}")
            series[name].samples.append(sides[name]())
    return series


def clocked(fn: Callable[[], object]) -> Callable[[], Sample]:
    """A side that is timed as a whole."""

    def run() -> Sample:
        return timed(fn)[1]

    return run


def paired_ratios(numerator: Series, denominator: Series) -> list[float]:
    """Per-round ratios of *throughput* (``denominator`` time / ``numerator`` time)."""
    return [d.wall / n.wall for n, d in zip(numerator.samples, denominator.samples, strict=True)]


def median(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 100]."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
