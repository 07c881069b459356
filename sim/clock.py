"""Simulated time: real time, accelerated time, or time a test advances by hand.

Simulated time is a POSIX timestamp (seconds, UTC). A running simulator maps the
wall clock onto it: ``sim = start + speed * (monotonic - anchor)``, so at speed
1440 a simulated day passes in a real minute. The monotonic clock is used, not
the system time, so an NTP step on the host never makes simulated time jump.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Simulated time now, seconds since the epoch (UTC)."""
        ...

    def wall_delay(self, sim_seconds: float) -> float:
        """Real seconds until ``sim_seconds`` of simulated time have passed."""
        ...


class ScaledClock:
    """Simulated time running ``speed`` times faster than the wall clock."""

    def __init__(
        self, start_ts: float, speed: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not speed > 0:
            raise ValueError(f"clock speed must be > 0, found {speed}")
        self._monotonic = monotonic
        self._anchor_wall = monotonic()
        self._anchor_sim = start_ts
        self.speed = speed

    def now(self) -> float:
        return self._anchor_sim + self.speed * (self._monotonic() - self._anchor_wall)

    def wall_delay(self, sim_seconds: float) -> float:
        return max(0.0, sim_seconds / self.speed)

    def set_speed(self, speed: float) -> None:
        """Change speed from now on; simulated time stays continuous."""
        if not speed > 0:
            raise ValueError(f"clock speed must be > 0, found {speed}")
        now = self.now()
        self._anchor_wall = self._monotonic()
        self._anchor_sim = now
        self.speed = speed


class ManualClock:
    """Time that moves only when told to: for tests and for computing ahead."""

    def __init__(self, start_ts: float) -> None:
        self._now = start_ts

    def now(self) -> float:
        return self._now

    def wall_delay(self, sim_seconds: float) -> float:
        return 0.0

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"time only moves forwards, asked for {seconds} s")
        self._now += seconds
        return self._now

    def set(self, ts: float) -> None:
        if ts < self._now:
            raise ValueError(f"time only moves forwards: {ts} is before {self._now}")
        self._now = ts
