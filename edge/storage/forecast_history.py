"""Stored yield forecasts read back: a field's history and each field's newest."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from edge.storage.lean_import import Database
from edge.storage.timestamps import from_ms

log = logging.getLogger(__name__)

_COLUMNS = (
    "field, ts, p10, p50, p90, model_version, features_used, progress, expected_harvest, notes"
)

_HISTORY = f"""
    SELECT {_COLUMNS} FROM forecasts
    WHERE field = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?
"""
# The (field, ts) primary key makes this one short index walk per field.
_LATEST = f"""
    SELECT {_COLUMNS} FROM forecasts AS f
    WHERE ts = (SELECT max(ts) FROM forecasts WHERE field = f.field)
    ORDER BY field
"""


@dataclass(frozen=True, slots=True)
class StoredForecast:
    field: str
    ts: float
    """When the forecast was made, seconds since the epoch (UTC)."""
    p10: float | None
    p50: float | None
    p90: float | None
    """Yield quantiles in t/ha."""
    model_version: str
    features_used: tuple[str, ...]
    progress: float | None
    """Share of the season elapsed, 0..1 (None for forecasts stored before migration 3)."""
    expected_harvest: str | None
    """ISO date."""
    notes: tuple[str, ...] = ()
    """What was degraded (none for forecasts stored before migration 5)."""


def forecast_history(
    db: Database, field: str, start_ms: int, end_ms: int, limit: int
) -> list[StoredForecast]:
    """Forecasts of ``field`` made in ``[start_ms, end_ms)``, oldest first."""
    return [_row(row) for row in db.conn.execute(_HISTORY, (field, start_ms, end_ms, limit))]


def latest_forecasts(db: Database) -> list[StoredForecast]:
    """The newest forecast of every field that has one, sorted by field."""
    return [_row(row) for row in db.conn.execute(_LATEST)]


def _row(row: tuple[object, ...]) -> StoredForecast:
    field, ts, p10, p50, p90, version, features, progress, harvest, notes = row
    return StoredForecast(
        field=str(field),
        ts=from_ms(int(str(ts))),
        p10=_number(p10),
        p50=_number(p50),
        p90=_number(p90),
        model_version=str(version),
        features_used=_strings(str(field), "features_used", features),
        progress=_number(progress),
        expected_harvest=None if harvest is None else str(harvest),
        notes=_strings(str(field), "notes", notes),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _strings(field: str, column: str, text: object) -> tuple[str, ...]:
    """A JSON list of strings from ``column``; empty if it is NULL or damaged."""
    if not isinstance(text, str):
        return ()
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        # A damaged row must not take the page down; say so once in the log.
        log.warning("forecast of %s: %s is not JSON: %r", field, column, text[:80])
        return ()
    return tuple(str(f) for f in decoded) if isinstance(decoded, list) else ()
