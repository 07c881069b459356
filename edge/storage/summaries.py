"""A cache of hourly summaries for complete hours whose raw rows are still kept.

Raw readings stay in ``readings`` for the whole retention window (30 days by
default), so a month-long chart would otherwise aggregate hundreds of
thousands of raw rows per point on every request. Maintenance therefore
summarises each complete hour once into ``hourly_summaries`` (same columns as
``rollups_hourly``) and advances a watermark, ``meta['summaries.through_ms']``.

The invariant, for every series and every hour before the watermark: its
summary row holds exactly the aggregate of that hour's raw rows, and there is
no summary row when there are no raw rows. Hours from the watermark on are not
summarised and are aggregated from raw rows when read. Every change to raw
rows keeps the invariant inside its own transaction, so a ``kill -9`` at any
point leaves summaries that agree with the raw rows:

- summarising an hour writes its summaries and moves the watermark together;
- a reading stored for an hour before the watermark (a device replaying its
  buffer, or a replaced reading) recomputes that (series, hour) from raw rows;
- folding an hour into ``rollups_hourly`` deletes its raw rows and its
  summaries (``rollup.fold_hour``).

A reader thus counts each raw row once: from a summary before the watermark,
from the raw table after it. Rollups only ever hold rows already deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edge.storage.lean_import import Database
from edge.storage.quality_codes import GOOD_CODE
from edge.storage.timestamps import HOUR_MS, hour_floor_ms

WATERMARK_KEY = "summaries.through_ms"
"""``meta`` key: every complete hour before it is summarised for every series.
Absent means nothing is summarised yet (a new or freshly migrated database)."""

NOTHING_SUMMARISED_MS = -(2**62)
"""Stands for an absent watermark in queries: before any storable time
(``bound_to_ms`` clamps to year ±10000), so every raw row counts as raw."""

GOOD_NUMBER = f"(quality = {GOOD_CODE} AND typeof(value) IN ('integer', 'real'))"
"""The readings that ``min``, ``max``, ``sum`` and ``n_good`` cover."""

AGGREGATES = f"""count(*), sum({GOOD_NUMBER}),
    min(CASE WHEN {GOOD_NUMBER} THEN value END),
    max(CASE WHEN {GOOD_NUMBER} THEN value END),
    total(CASE WHEN {GOOD_NUMBER} THEN value END)"""
"""n, n_good, min, max, sum over a group of raw readings, in that order."""

WATERMARK_SQL = (
    f"coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{WATERMARK_KEY}'), "
    f"{NOTHING_SUMMARISED_MS})"
)
"""The watermark as a scalar SQL expression, so a query that uses it reads it
in the same snapshot as the tables it covers."""

# CROSS JOIN: walk the small series table and range-scan each series' slice
# of the (series, ts) key, rather than scan every reading (as in ``rollup``).
_SUMMARISE_HOUR = f"""
    INSERT OR REPLACE INTO hourly_summaries (series, hour_ts, n, n_good, min, max, sum)
    SELECT s.id, :start, {AGGREGATES}
    FROM series AS s CROSS JOIN readings AS r
    WHERE r.series = s.id AND r.ts >= :start AND r.ts < :end
    GROUP BY s.id
"""
_RESUMMARISE = f"""
    INSERT OR REPLACE INTO hourly_summaries (series, hour_ts, n, n_good, min, max, sum)
    SELECT :series, :start, {AGGREGATES}
    FROM readings WHERE series = :series AND ts >= :start AND ts < :end
    HAVING count(*) > 0
"""
_FORGET_HOUR = """
    DELETE FROM hourly_summaries
    WHERE series IN (SELECT id FROM series) AND hour_ts = :start
"""
_NEXT_RAW = """
    SELECT min((SELECT min(ts) FROM readings WHERE series = s.id AND ts >= :from))
    FROM series AS s
"""
_SET_WATERMARK = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"


@dataclass(frozen=True, slots=True)
class SummaryStep:
    hour_ms: int | None
    """The hour summarised, or None when the watermark only skipped empty hours."""
    rows: int
    """(series, hour) summaries written."""
    through_ms: int
    """The watermark after this step."""


def watermark_ms(db: Database) -> int | None:
    """Every complete hour before this is summarised; None if none is yet."""
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (WATERMARK_KEY,)).fetchone()
    return None if row is None else int(row[0])


def set_watermark(db: Database, through_ms: int | None) -> None:
    """Move the watermark; None forgets it. For maintenance and benchmarks only:
    moving it without summarising the hours it passes breaks the invariant."""
    if through_ms is None:
        db.conn.execute("DELETE FROM meta WHERE key = ?", (WATERMARK_KEY,))
    else:
        db.conn.execute(_SET_WATERMARK, (WATERMARK_KEY, str(through_ms)))


def summarise_next_hour(db: Database, before_ms: int) -> SummaryStep | None:
    """Summarise the next hour that holds raw rows at or after the watermark and
    before ``before_ms`` (hour-aligned), moving the watermark past it; None when
    the watermark is already at ``before_ms``.

    Must run inside a write transaction: the summaries and the watermark move
    together. Empty hours are skipped by moving the watermark alone, so the first
    run on an old database starts at its oldest raw hour, not at the epoch.
    """
    mark = watermark_ms(db)
    start = NOTHING_SUMMARISED_MS if mark is None else mark
    if start >= before_ms:
        return None
    next_raw: int | None = db.conn.execute(_NEXT_RAW, {"from": start}).fetchone()[0]
    if next_raw is None or next_raw >= before_ms:
        set_watermark(db, before_ms)
        return SummaryStep(None, 0, before_ms)
    hour = hour_floor_ms(next_raw)
    span = {"start": hour, "end": hour + HOUR_MS}
    rows = db.conn.execute(_SUMMARISE_HOUR, span).rowcount
    set_watermark(db, hour + HOUR_MS)
    return SummaryStep(hour, rows, hour + HOUR_MS)


def resummarise(db: Database, written: Iterable[tuple[int, int]]) -> int:
    """Recompute the summaries of the (series, ts ms) just written whose hour is
    before the watermark; return how many (series, hour) were recomputed.

    Must run in the transaction that wrote the raw rows, after writing them.
    """
    mark = watermark_ms(db)
    if mark is None:
        return 0
    hours = {(sid, hour_floor_ms(ts)) for sid, ts in written if ts < mark}
    db.conn.executemany(
        _RESUMMARISE,
        [{"series": sid, "start": hour, "end": hour + HOUR_MS} for sid, hour in sorted(hours)],
    )
    return len(hours)


def forget_hour(db: Database, hour_start_ms: int) -> int:
    """Delete every series' summary of one hour; return how many there were.

    For the transaction that folds the hour's raw rows into the rollups.
    """
    return db.conn.execute(_FORGET_HOUR, {"start": hour_start_ms}).rowcount
