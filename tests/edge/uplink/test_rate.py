from __future__ import annotations

from edge.uplink.rate import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10.0, burst=5.0, clock=clock)
    assert sum(bucket.take() for _ in range(20)) == 5
    assert abs(bucket.wait_s() - 0.1) < 1e-9
    clock.now += 0.35
    assert sum(bucket.take() for _ in range(20)) == 3
    clock.now += 100
    assert sum(bucket.take() for _ in range(20)) == 5  # never more than the burst
