"""A token bucket per key, in process: ``rate`` requests a second on average, ``burst`` at once.

Thread-safe (FastAPI runs sync endpoints in a thread pool). The clock is injected (monotonic
seconds) so tests move time by hand. Buckets that have refilled completely are forgotten, so
memory stays bounded by the keys active within the last ``burst / rate`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from warta.errors import ConfigError


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ConfigError(
                f"a rate limit needs a positive rate and a burst of at least 1 "
                f"(got rate={rate}, burst={burst})",
                hint="set the requests per second above 0 and the burst to 1 or more",
            )
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def acquire(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if allowed, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            self._sweep(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def peek(self, key: str) -> float:
        """0.0 if ``key`` has a token now, else the seconds until it has one; takes nothing."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                return 0.0
            tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        full_after = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
        self._next_sweep = now + full_after
