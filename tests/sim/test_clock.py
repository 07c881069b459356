"""Simulated time: scaled from a monotonic clock, or advanced by hand."""

from __future__ import annotations

import pytest

from sim.clock import ManualClock, ScaledClock


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_scaled_clock_runs_speed_times_faster() -> None:
    wall = FakeMonotonic()
    clock = ScaledClock(1_000_000.0, 1440.0, monotonic=wall)
    assert clock.now() == 1_000_000.0
    wall.t += 60.0
    assert clock.now() == pytest.approx(1_000_000.0 + 86400.0)
    assert clock.wall_delay(86400.0) == pytest.approx(60.0)


def test_changing_speed_keeps_time_continuous() -> None:
    wall = FakeMonotonic()
    clock = ScaledClock(0.0, 10.0, monotonic=wall)
    wall.t += 5.0
    clock.set_speed(1.0)
    assert clock.now() == pytest.approx(50.0)
    wall.t += 5.0
    assert clock.now() == pytest.approx(55.0)
    with pytest.raises(ValueError, match="> 0"):
        clock.set_speed(0.0)


def test_manual_clock_only_moves_forwards() -> None:
    clock = ManualClock(10.0)
    assert clock.advance(5.0) == 15.0
    clock.set(20.0)
    assert clock.now() == 20.0
    with pytest.raises(ValueError, match="forwards"):
        clock.set(19.0)
    with pytest.raises(ValueError, match="forwards"):
        clock.advance(-1.0)
