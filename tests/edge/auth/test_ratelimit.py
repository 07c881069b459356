from __future__ import annotations

from edge.auth.ratelimit import LoginLimiter


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_lock_the_address_and_the_name_for_the_window() -> None:
    clock = Seconds()
    limiter = LoginLimiter(max_failures=5, window_s=900, clock=clock)
    for _ in range(5):
        assert limiter.check("10.0.0.5", "taro") is None
        limiter.failed("10.0.0.5", "taro")
        clock.now += 10
    refused = limiter.check("10.0.0.5", "taro")
    assert refused is not None
    assert refused.retry_after_s == 900 - 50
    # the same name from another address, another name from the same address
    assert limiter.check("10.0.0.9", "Taro") is not None
    assert limiter.check("10.0.0.5", "hanako") is not None
    assert limiter.check("10.0.0.9", "hanako") is None
    clock.now += 900 - 50
    assert limiter.check("10.0.0.5", "taro") is None  # the oldest failure left the window


def test_a_success_clears_the_failures() -> None:
    clock = Seconds()
    limiter = LoginLimiter(max_failures=3, window_s=60, clock=clock)
    for _ in range(2):
        limiter.failed("a", "taro")
    limiter.succeeded("a", "taro")
    for _ in range(2):
        limiter.failed("a", "taro")
    assert limiter.check("a", "taro") is None


def test_the_table_is_bounded() -> None:
    limiter = LoginLimiter(max_keys=100, clock=Seconds())
    for i in range(1000):
        limiter.failed(f"10.0.{i // 256}.{i % 256}", f"user{i}")
    assert len(limiter) == 100
