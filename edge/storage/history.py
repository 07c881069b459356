"""Raw readings of one series over a time range."""

from __future__ import annotations

from drivers.reading import Quality, Value
from edge.storage.lean_import import Database
from edge.storage.quality_codes import quality_from_code
from edge.storage.timestamps import from_ms

_HISTORY = """
    SELECT ts, value, quality FROM readings
    WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts
"""

HistoryRow = tuple[float, Value, Quality]


def raw_history(db: Database, series_id: int, start_ms: int, end_ms: int) -> list[HistoryRow]:
    """Readings with ``start_ms <= ts < end_ms``, oldest first."""
    return [
        (from_ms(ts), value, quality_from_code(code))
        for ts, value, code in db.conn.execute(_HISTORY, (series_id, start_ms, end_ms))
    ]
