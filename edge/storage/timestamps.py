"""Times are stored as integer milliseconds since the Unix epoch (UTC).

Integers keep the primary keys compact (SQLite stores them in 6 bytes for
current dates) and exact, where float seconds would compare unreliably.
"""

from __future__ import annotations

import time

HOUR_MS = 3_600_000


def to_ms(seconds: float) -> int:
    return round(seconds * 1000)


def from_ms(ms: int) -> float:
    return ms / 1000


def now_ms() -> int:
    return to_ms(time.time())


def hour_floor_ms(ms: int) -> int:
    return ms - ms % HOUR_MS
