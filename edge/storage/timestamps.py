"""Times are stored as integer milliseconds since the Unix epoch (UTC).

Integers keep the primary keys compact (SQLite stores them in 6 bytes for
current dates) and exact, where float seconds would compare unreliably.
"""

from __future__ import annotations

import math
import time

HOUR_MS = 3_600_000
FAR_S = 253_402_300_800.0
"""Year 10000: query bounds are clamped to +-this, so an infinite bound means
"no bound" instead of an overflow."""


def to_ms(seconds: float) -> int:
    return round(seconds * 1000)


def from_ms(ms: int) -> float:
    return ms / 1000


def now_ms() -> int:
    return to_ms(time.time())


def hour_floor_ms(ms: int) -> int:
    return ms - ms % HOUR_MS


def bound_to_ms(seconds: float) -> int:
    """A query bound in milliseconds; ``-inf``/``inf`` mean unbounded."""
    if math.isnan(seconds):
        raise ValueError("a time bound must be a number of seconds, got NaN")
    return to_ms(max(-FAR_S, min(FAR_S, seconds)))
