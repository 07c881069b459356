"""Shared checks for the hourly summary cache: the invariant, and a brute-force
aggregation to compare ``rollup_history`` with."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from drivers.reading import Quality, Reading
from edge.storage.lean_import import Database
from edge.storage.summaries import AGGREGATES, watermark_ms
from edge.storage.timestamps import HOUR_MS, from_ms, hour_floor_ms, to_ms

HourRow = tuple[float, int, int, float | None, float | None, float | None]


def assert_summaries_match_raw(db: Database) -> None:
    """Before the watermark, each (series, hour) summary is exactly the aggregate
    of its raw rows, and there is none without raw rows; after it, none at all."""
    mark = watermark_ms(db)
    actual = db.conn.execute(
        "SELECT series, hour_ts, n, n_good, min, max, sum FROM hourly_summaries "
        "ORDER BY series, hour_ts"
    ).fetchall()
    if mark is None:
        assert actual == []
        return
    expected = db.conn.execute(
        f"SELECT series, ts - ts % {HOUR_MS} AS hour_ts, {AGGREGATES} FROM readings "
        "WHERE ts < ? GROUP BY series, hour_ts ORDER BY series, hour_ts",
        (mark,),
    ).fetchall()
    assert [row[:6] for row in actual] == [row[:6] for row in expected]
    assert [row[6] for row in actual] == pytest.approx([row[6] for row in expected])


def brute_force_hours(readings: Iterable[Reading], start: float, end: float) -> list[HourRow]:
    """Hourly (hour, n, n_good, min, max, mean) of ``readings`` of the hours
    starting in [hour of ``start``, ``end``), straight from the definition."""
    if end <= start:
        return []
    first = hour_floor_ms(to_ms(start))
    last = hour_floor_ms(to_ms(end) - 1)
    hours: dict[int, list[Reading]] = {}
    for reading in readings:
        hour = hour_floor_ms(to_ms(reading.ts))
        if first <= hour <= last:
            hours.setdefault(hour, []).append(reading)
    out: list[HourRow] = []
    for hour in sorted(hours):
        group = hours[hour]
        good = [
            float(r.value)
            for r in group
            if r.quality is Quality.GOOD
            and isinstance(r.value, int | float)
            and not isinstance(r.value, bool)
        ]
        out.append(
            (
                from_ms(hour),
                len(group),
                len(good),
                min(good) if good else None,
                max(good) if good else None,
                sum(good) / len(good) if good else None,
            )
        )
    return out
