"""Hourly rollups of raw readings, folding old raw rows into them, and the
hourly history that pages chart.

Raw rows are folded into ``rollups_hourly`` and deleted in one transaction,
adding to whatever the hour already holds. Each raw row is therefore counted
exactly once however often maintenance runs, and a reading that arrives late
for an hour already summarised (a device replaying its buffer) is added to
that hour instead of replacing it.

``min``, ``max``, ``sum`` and ``n_good`` cover GOOD readings with a numeric
value; ``n`` counts every reading, so ``n - n_good`` shows how much of an hour
was invalid, stale, out of range or text.

``hourly_history`` reads three disjoint sources and adds them up per hour:
rollups (raw rows already deleted), the summary cache of hours before its
watermark (raw rows still kept, see ``summaries``), and raw rows from the
watermark on. So a long range reads one row per hour instead of every raw
reading, and each raw row is counted exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.storage.lean_import import Database
from edge.storage.summaries import AGGREGATES, WATERMARK_SQL, forget_hour
from edge.storage.timestamps import HOUR_MS, from_ms, hour_floor_ms

# CROSS JOIN makes SQLite walk the small series table and range-scan each
# series' slice of the (series, ts) key, instead of scanning every reading.
_FOLD = f"""
    INSERT INTO rollups_hourly (series, hour_ts, n, n_good, min, max, sum)
    SELECT s.id, r.ts - r.ts % {HOUR_MS} AS hour_ts, {AGGREGATES}
    FROM series AS s CROSS JOIN readings AS r
    WHERE r.series = s.id AND r.ts >= :start AND r.ts < :end
    GROUP BY s.id, hour_ts
    ON CONFLICT (series, hour_ts) DO UPDATE SET
        n = n + excluded.n,
        n_good = n_good + excluded.n_good,
        min = CASE WHEN min IS NULL OR excluded.min < min THEN excluded.min ELSE min END,
        max = CASE WHEN max IS NULL OR excluded.max > max THEN excluded.max ELSE max END,
        sum = sum + excluded.sum
"""
_PRUNE = """
    DELETE FROM readings
    WHERE series IN (SELECT id FROM series) AND ts >= :start AND ts < :end
"""
_OLDEST = "SELECT min((SELECT min(ts) FROM readings WHERE series = s.id)) FROM series AS s"

# One statement, so the watermark is read in the same snapshot as the rows it
# divides between summaries and raw. Raw rows are grouped before the union so
# the outer GROUP BY merges a few rows per hour, not every reading.
_HISTORY = f"""
    WITH mark (through) AS (SELECT {WATERMARK_SQL})
    SELECT hour_ts, sum(n), sum(n_good), min(lo), max(hi), total(total) FROM (
        SELECT hour_ts, n, n_good, min AS lo, max AS hi, sum AS total
        FROM rollups_hourly WHERE series = :series AND hour_ts >= :start AND hour_ts < :end
        UNION ALL
        SELECT hour_ts, n, n_good, min, max, sum
        FROM hourly_summaries WHERE series = :series AND hour_ts >= :start
            AND hour_ts < min(:end, (SELECT through FROM mark))
        UNION ALL
        SELECT ts - ts % {HOUR_MS} AS hour_ts, {AGGREGATES}
        FROM readings WHERE series = :series
            AND ts >= max(:start, (SELECT through FROM mark)) AND ts < :end
        GROUP BY hour_ts
    )
    GROUP BY hour_ts ORDER BY hour_ts
"""


@dataclass(frozen=True, slots=True)
class HourlyRollup:
    hour: float
    """Start of the hour, seconds since the epoch (UTC)."""
    n: int
    n_good: int
    min: float | None
    max: float | None
    mean: float | None


@dataclass(frozen=True, slots=True)
class FoldResult:
    rollup_rows: int
    """(series, hour) rollup rows created or added to."""
    pruned: int
    """Raw rows deleted."""


def oldest_raw_ms(db: Database) -> int | None:
    oldest: int | None = db.conn.execute(_OLDEST).fetchone()[0]
    return oldest


def fold_hour(db: Database, hour_start_ms: int) -> FoldResult:
    """Fold every series' raw rows of one hour into the rollups and delete them,
    with the hour's cached summaries (the rollups now hold those rows).

    Must run inside a write transaction, so the fold and the deletes are one.
    """
    span = {"start": hour_start_ms, "end": hour_start_ms + HOUR_MS}
    rollup_rows = db.conn.execute(_FOLD, span).rowcount
    pruned = db.conn.execute(_PRUNE, span).rowcount
    forget_hour(db, hour_start_ms)
    return FoldResult(rollup_rows, pruned)


def hourly_history(db: Database, series_id: int, start_ms: int, end_ms: int) -> list[HourlyRollup]:
    """Every hour starting in [hour of ``start_ms``, ``end_ms``), each summarised whole,
    from the rollups, the summary cache, and raw rows not summarised yet."""
    if end_ms <= start_ms:
        return []
    span = {
        "series": series_id,
        "start": hour_floor_ms(start_ms),
        "end": hour_floor_ms(end_ms - 1) + HOUR_MS,
    }
    result: list[HourlyRollup] = []
    for hour_ts, n, n_good, lo, hi, total in db.conn.execute(_HISTORY, span):
        good = int(n_good)
        mean = total / good if good else None
        result.append(HourlyRollup(from_ms(hour_ts), int(n), good, lo, hi, mean))
    return result
