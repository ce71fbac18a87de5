from __future__ import annotations

import pytest

from warta.errors import ConfigError
from warta.integrations.ratelimit import TokenBucketLimiter


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_requests_wait_for_the_refill() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=ticks)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)  # one token takes 1/rate seconds
    ticks.now += 0.5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_keys_have_buckets_of_their_own() -> None:
    limiter = TokenBucketLimiter(rate=1.0, burst=1, clock=Ticks())
    assert limiter.acquire("site-a") == 0.0
    assert limiter.acquire("site-a") > 0
    assert limiter.acquire("site-b") == 0.0


def test_a_bucket_never_holds_more_than_the_burst() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(rate=1.0, burst=2, clock=ticks)
    ticks.now += 3600
    assert [limiter.acquire("a") == 0.0 for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (1.0, 0), (-1.0, 5)])
def test_unusable_limits_are_a_config_error(rate: float, burst: int) -> None:
    with pytest.raises(ConfigError):
        TokenBucketLimiter(rate=rate, burst=burst)


def test_peek_tells_the_wait_without_taking_a_token() -> None:
    ticks = Ticks()
    limiter = TokenBucketLimiter(rate=2.0, burst=2, clock=ticks)
    assert limiter.peek("a") == 0.0  # an unseen key has a full bucket
    assert [limiter.peek("a") for _ in range(5)] == [0.0] * 5
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.peek("a") == pytest.approx(0.5)
    assert limiter.peek("a") == pytest.approx(0.5)  # peeking took nothing
    ticks.now += 0.5
    assert limiter.peek("a") == 0.0
    assert limiter.acquire("a") == 0.0
