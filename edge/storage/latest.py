"""The most recent value of every series, for the live page and status."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.reading import Quality, Value
from edge.storage.lean_import import Database
from edge.storage.quality_codes import quality_from_code
from edge.storage.timestamps import from_ms

_LATEST = """
    SELECT s.device, s.point, l.ts, l.value, s.unit, l.quality
    FROM latest AS l JOIN series AS s ON s.id = l.series
    ORDER BY s.device, s.point
"""


@dataclass(frozen=True, slots=True)
class LatestReading:
    device: str
    point: str
    ts: float
    """Seconds since the epoch (UTC)."""
    value: Value
    unit: str
    quality: Quality


def latest_readings(db: Database) -> list[LatestReading]:
    return [
        LatestReading(device, point, from_ms(ts), value, unit, quality_from_code(code))
        for device, point, ts, value, unit, code in db.conn.execute(_LATEST)
    ]
