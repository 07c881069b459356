"""Hourly summaries of one series: what the forecaster reads from storage.

``edge.storage.HourlyRollup`` has this shape; ``hourly_from_raw`` builds it
from raw ``(ts, value, quality)`` rows for callers that hold raw readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

HOUR_S = 3600


class HourlySummary(Protocol):
    """One hour of one series, as ``edge.storage.HourlyRollup`` has it."""

    @property
    def hour(self) -> float: ...
    @property
    def n_good(self) -> int: ...
    @property
    def min(self) -> float | None: ...
    @property
    def max(self) -> float | None: ...
    @property
    def mean(self) -> float | None: ...


HourlySource = Callable[[str, str, float, float], Sequence[HourlySummary]]
RawRow = tuple[float, object, object]
"""(ts, value, quality): ``Storage.history`` rows; quality compares equal to "good"
when the reading is good (``drivers.reading.Quality`` is a string enum)."""
RawSource = Callable[[str, str, float, float], Sequence[RawRow]]


@dataclass(frozen=True, slots=True)
class Hour:
    hour: float
    n_good: int
    min: float | None
    max: float | None
    mean: float | None


def hourly_from_raw(history: RawSource) -> HourlySource:
    """Summarise raw readings per hour; only GOOD numeric readings count."""

    def source(device: str, point: str, start: float, end: float) -> list[Hour]:
        buckets: dict[float, list[float]] = defaultdict(list)
        for ts, value, quality in history(device, point, start - start % HOUR_S, end):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue  # text, or a missing value
            if quality == "good":
                buckets[ts - ts % HOUR_S].append(float(value))
        return [
            Hour(h, len(v), min(v), max(v), sum(v) / len(v)) for h, v in sorted(buckets.items())
        ]

    return source
