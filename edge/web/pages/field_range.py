"""The field page's time range: a named span back from now, the season, or chosen dates.

Ranges live in the URL (``?range=7d``, ``?from=2026-06-01&to=2026-06-07``)
so a link shared between operators shows the same view. Dates are the
site's calendar days, whatever zone the phone is set to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from edge.web.queries import BadParameterError

HOUR_S = 3600.0
DAY_S = 86_400.0
NAMED: dict[str, float] = {"6h": 6 * HOUR_S, "24h": 24 * HOUR_S, "7d": 7 * DAY_S, "30d": 30 * DAY_S}
CHOICES = (*NAMED, "season")
DEFAULT = "24h"
SEASON_FALLBACK = "30d"
"""A field with no planting date shows its last 30 days as its season."""
MAX_DAYS = 400
"""As the readings API allows; a longer custom range is a typing slip."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    key: str
    """One of CHOICES, or "custom"."""
    start: float
    end: float
    first_day: str = ""
    last_day: str = ""
    """The custom range's dates as typed (ISO), to fill the form again."""


def _date(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameterError(name, f"expected a date like 2026-06-01, found {text!r}") from None


def resolve(
    key: str | None,
    first: str | None,
    last: str | None,
    *,
    planted: dt.date | None,
    zone: ZoneInfo,
    now: float,
) -> TimeRange:
    """The range a request asks for, or BadParameterError naming ``range``, ``from`` or ``to``."""
    if first or last:
        if not first:
            raise BadParameterError("from", "give a first day as well as the last one")
        start_day = _date("from", first)
        end_day = _date("to", last) if last else dt.datetime.fromtimestamp(now, zone).date()
        if end_day < start_day:
            raise BadParameterError("to", f"must not be before from ({end_day} < {start_day})")
        if (end_day - start_day).days + 1 > MAX_DAYS:
            raise BadParameterError("from", f"a range can span at most {MAX_DAYS} days")
        start = dt.datetime.combine(start_day, dt.time(), zone).timestamp()
        end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), zone).timestamp()
        return TimeRange("custom", start, end, start_day.isoformat(), end_day.isoformat())
    chosen = key or DEFAULT
    if chosen not in CHOICES:
        raise BadParameterError("range", f"expected one of {', '.join(CHOICES)}, found {chosen!r}")
    if chosen == "season":
        if planted is None:
            return TimeRange("season", now - NAMED[SEASON_FALLBACK], now)
        start = dt.datetime.combine(planted, dt.time(), zone).timestamp()
        start = max(start, now - MAX_DAYS * DAY_S)
        return TimeRange("season", min(start, now - HOUR_S), now)
    return TimeRange(chosen, now - NAMED[chosen], now)
