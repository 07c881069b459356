"""A point's history over a time range: raw readings or hourly roll-ups, capped.

Charts on a phone cannot show more than a few hundred pixels' worth anyway, so
a series is sent with at most ``DEFAULT_POINTS`` points (``MAX_POINTS`` if asked): raw readings are
thinned to the lowest and highest value of each time bucket (a spike or a dip
survives, which an average or every-n-th sample would hide), hours are merged
into longer buckets the same way roll-ups are (counts add, min of mins, max of
maxes, mean weighted by good readings).
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Literal

from pydantic import BaseModel

from drivers.reading import Quality, Value
from edge.storage import HourlyRollup
from edge.web.queries.catalogue import find_point
from edge.web.queries.errors import BadParameterError, NotFoundError
from edge.web.view import ServiceView

HOUR_S = 3600.0
DAY_S = 86_400.0

MAX_POINTS = 2000
"""Ceiling on points per answer (``max_points`` may not ask for more)."""
DEFAULT_POINTS = 1000
"""Points per answer unless asked otherwise: ~60 KB of JSON for raw readings,
already more than a 360 px chart can draw, and light on a patchy farm LAN."""
AUTO_RAW_MAX_S = 48 * HOUR_S
"""``auto`` answers with raw readings up to two days (17,280 rows at 10 s,
thinned), hourly roll-ups beyond: a week of raw rows is a slow query on an SD card."""
RAW_MAX_S = 7 * DAY_S
"""``raw`` asked explicitly is refused beyond a week: the rows are read into
memory before thinning, and a month of one 10 s point is ~260,000 rows."""
MAX_RANGE_S = 400 * DAY_S
"""A season and then some; longer ranges are almost certainly a mistake in the
request and would read a year of roll-ups per point."""
DEFAULT_RANGE_S = 24 * HOUR_S

Resolution = Literal["auto", "raw", "hour"]


class RawPoint(BaseModel):
    ts: float
    value: float | str | None
    quality: str


class HourPoint(BaseModel):
    ts: float
    """Start of the bucket (an hour, or several when merged)."""
    mean: float | None
    min: float | None
    max: float | None
    n: int
    """Readings in the bucket, of any quality."""
    n_good: int
    """Good numeric readings: what mean, min and max are made of."""


class ReadingSeries(BaseModel):
    device: str
    point: str
    unit: str
    resolution: Literal["raw", "hour"]
    start: float
    end: float
    bucket_s: float | None
    """Width of a point's bucket: None for raw readings sent one by one, else
    the width of the buckets raw readings were thinned in or hours merged into."""
    points: list[RawPoint] | list[HourPoint]


def check_range(
    start: float | None, end: float | None, now: float, default_span_s: float = DEFAULT_RANGE_S
) -> tuple[float, float]:
    """``start``/``end`` as given or defaulted (``default_span_s`` up to now), or
    BadParameterError naming the bad one."""
    for name, bound in (("start", start), ("end", end)):
        if bound is not None and not math.isfinite(bound):
            raise BadParameterError(name, f"must be a finite number of seconds, got {bound}")
    stop = now if end is None else end
    begin = stop - default_span_s if start is None else start
    if begin >= stop:
        raise BadParameterError("end", f"must be after start ({begin} >= {stop})")
    if stop - begin > MAX_RANGE_S:
        days = (stop - begin) / DAY_S
        raise BadParameterError(
            "start", f"range of {days:.0f} days is longer than {MAX_RANGE_S / DAY_S:.0f} days"
        )
    return begin, stop


async def reading_series(
    view: ServiceView,
    device: str,
    point: str,
    start: float | None = None,
    end: float | None = None,
    resolution: Resolution = "auto",
    max_points: int = DEFAULT_POINTS,
) -> ReadingSeries:
    """History of one device point; raises NotFoundError or BadParameterError naming the input."""
    begin, stop = check_range(start, end, time.time())
    storage = view.storage
    info = find_point(view.config, device, point)
    stored_unit = (
        None if storage is None else await asyncio.to_thread(storage.series_unit, device, point)
    )
    # A point is known if the profile has it or data was stored for it (a
    # device since removed from the configuration keeps its history).
    if info is None and stored_unit is None:
        if device not in view.config.devices:
            raise NotFoundError("device", f"no device named {device!r}")
        raise NotFoundError("point", f"device {device!r} has no point named {point!r}")
    unit = stored_unit if stored_unit is not None else (info.unit if info else "")
    chosen = resolution
    if chosen == "auto":
        chosen = "raw" if stop - begin <= AUTO_RAW_MAX_S else "hour"
    elif chosen == "raw" and stop - begin > RAW_MAX_S:
        raise BadParameterError(
            "resolution",
            f"raw readings are limited to {RAW_MAX_S / DAY_S:.0f} days; use hour or auto",
        )
    points: list[RawPoint] | list[HourPoint]
    if chosen == "raw":
        rows = (
            []
            if storage is None
            else await asyncio.to_thread(storage.history, device, point, begin, stop)
        )
        points, bucket = thin_raw(rows, begin, stop, max_points)
    else:
        hours = (
            []
            if storage is None
            else await asyncio.to_thread(storage.rollup_history, device, point, begin, stop)
        )
        points, bucket = merge_hours(hours, begin, stop, max_points)
    return ReadingSeries(
        device=device,
        point=point,
        unit=unit,
        start=begin,
        end=stop,
        resolution="raw" if chosen == "raw" else "hour",
        bucket_s=bucket,
        points=points,
    )


def thin_raw(
    rows: list[tuple[float, Value, Quality]], start: float, end: float, max_points: int
) -> tuple[list[RawPoint], float | None]:
    """At most ``max_points`` rows: all of them if they fit, else per time bucket
    the lowest and the highest numeric reading (in time order), or the bucket's
    first reading when it has no number (so gaps of invalid data still show)."""
    if len(rows) <= max_points:
        return [RawPoint(ts=ts, value=v, quality=q.value) for ts, v, q in rows], None
    buckets = max(1, max_points // 2)
    width = (end - start) / buckets
    chosen: list[tuple[float, Value, Quality]] = []
    group: list[tuple[float, Value, Quality]] = []
    current = -1
    for row in rows:
        index = min(buckets - 1, int((row[0] - start) / width))
        if index != current and group:
            chosen.extend(_extremes(group))
            group = []
        current = index
        group.append(row)
    if group:
        chosen.extend(_extremes(group))
    return [RawPoint(ts=ts, value=v, quality=q.value) for ts, v, q in chosen], width


def _extremes(group: list[tuple[float, Value, Quality]]) -> list[tuple[float, Value, Quality]]:
    numeric = [(r, float(r[1])) for r in group if isinstance(r[1], int | float)]
    if not numeric:
        return [group[0]]
    low = min(numeric, key=lambda pair: pair[1])[0]
    high = max(numeric, key=lambda pair: pair[1])[0]
    if low is high:
        return [low]
    return [low, high] if low[0] <= high[0] else [high, low]


def merge_hours(
    hours: list[HourlyRollup], start: float, end: float, max_points: int
) -> tuple[list[HourPoint], float]:
    """Hours as points; when the range holds more hours than ``max_points``,
    merged into buckets of k whole hours (k as small as fits), by time, so a
    gap in the data stays a gap."""
    first = math.floor(start / HOUR_S) * HOUR_S
    span_hours = max(1, math.ceil((end - first) / HOUR_S))
    per = max(1, math.ceil(span_hours / max(1, max_points)))
    width = per * HOUR_S
    groups: dict[int, list[HourlyRollup]] = {}
    for hour in hours:
        groups.setdefault(int((hour.hour - first) // width), []).append(hour)
    points: list[HourPoint] = []
    for index, chunk in sorted(groups.items()):
        n_good = sum(h.n_good for h in chunk)
        weighted = sum(h.mean * h.n_good for h in chunk if h.mean is not None)
        lows = [h.min for h in chunk if h.min is not None]
        highs = [h.max for h in chunk if h.max is not None]
        points.append(
            HourPoint(
                ts=chunk[0].hour if per == 1 else first + index * width,
                mean=weighted / n_good if n_good else None,
                min=min(lows) if lows else None,
                max=max(highs) if highs else None,
                n=sum(h.n for h in chunk),
                n_good=n_good,
            )
        )
    return points, width
