"""Backoff delays: doubling, capped, jittered into the upper half of each step."""

from __future__ import annotations

import random

import pytest

from drivers.modbus.backoff import Backoff


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_delays_double_up_to_the_cap() -> None:
    backoff = Backoff(0.5, 30.0, FixedRandom(1.0))
    assert [backoff.next_delay() for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.failures == 9


def test_jitter_scales_each_delay_between_half_and_full() -> None:
    low = Backoff(0.5, 30.0, FixedRandom(0.0))
    assert [low.next_delay() for _ in range(3)] == [0.25, 0.5, 1.0]
    real = Backoff(0.5, 30.0, random.Random(7))
    for step in range(12):
        ceiling = min(30.0, 0.5 * 2**step)
        assert ceiling / 2 <= real.next_delay() <= ceiling


def test_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(1.0, 10.0, FixedRandom(1.0))
    backoff.next_delay()
    backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_a_very_long_outage_stays_at_the_cap() -> None:
    backoff = Backoff(1.0, 300.0, FixedRandom(1.0))
    backoff.failures = 10_000
    assert backoff.next_delay() == 300.0


@pytest.mark.parametrize(("initial", "maximum"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)])
def test_inconsistent_limits_are_refused(initial: float, maximum: float) -> None:
    with pytest.raises(ValueError, match="expected 0 < initial_s <= max_s"):
        Backoff(initial, maximum)
