"""The one value type every driver produces and every consumer understands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Quality(StrEnum):
    """How far a reading can be trusted.

    A bad value is still stored with its flag rather than dropped, so an
    operator can see that a probe is reporting sentinels or drifting out of range.
    """

    GOOD = "good"
    INVALID = "invalid"  # the device sent its "no value" sentinel (e.g. 0xD8F1)
    OUT_OF_RANGE = "out_of_range"  # decoded, but outside the profile's valid range
    STALE = "stale"  # the last value, shown after the device stopped answering


Value = float | str | None
"""None means "no number": an invalid sentinel decodes to None, never to -9999."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one point of one device at one time.

    ``ts`` is seconds since the Unix epoch (UTC) at which the gateway received it.
    """

    device: str
    point: str
    ts: float
    value: Value
    unit: str
    quality: Quality = Quality.GOOD


Emit = Callable[[Reading], None]
"""How a driver hands readings on. It must never block: the edge bus behind it
counts what it cannot take instead of stalling the poller."""
