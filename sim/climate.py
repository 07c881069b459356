"""A site's climate as monthly normals, and smooth daily normals drawn through them.

A scenario gives twelve monthly values per quantity (January first), as
published climate normals are. Daily normals are a periodic linear
interpolation between mid-month values, so the year has no step on the first
of each month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHS = 12
_MID_MONTH_DOY = (16, 45, 75, 105, 136, 166, 197, 228, 258, 289, 319, 350)


@dataclass(frozen=True, slots=True)
class ClimateNormals:
    """Monthly normals, each a 12-tuple starting with January."""

    tmax_c: tuple[float, ...]
    tmin_c: tuple[float, ...]
    rain_mm: tuple[float, ...]
    """Mean monthly total."""
    wet_days: tuple[float, ...]
    """Mean number of days with at least 1 mm."""
    rh_pct: tuple[float, ...]
    """Mean relative humidity."""
    wind_ms: tuple[float, ...]
    """Mean wind speed at 2 m."""
    sunshine: tuple[float, ...]
    """Mean relative sunshine duration n/N (0..1)."""

    def __post_init__(self) -> None:
        for name in ("tmax_c", "tmin_c", "rain_mm", "wet_days", "rh_pct", "wind_ms", "sunshine"):
            values = getattr(self, name)
            if len(values) != MONTHS:
                raise ValueError(f"climate.{name}: expected 12 monthly values, found {len(values)}")
        if any(hi <= lo for hi, lo in zip(self.tmax_c, self.tmin_c, strict=True)):
            raise ValueError("climate: every monthly tmax_c must be above its tmin_c")


def daily_normal(values: tuple[float, ...], day: dt.date) -> float:
    """The normal for ``day``: linear between the mid-month values around it."""
    doy = day.timetuple().tm_yday
    for i in range(MONTHS):
        lo, hi = _MID_MONTH_DOY[i], _MID_MONTH_DOY[(i + 1) % MONTHS]
        span = (hi - lo) % 365
        offset = (doy - lo) % 365
        if offset < span:
            return values[i] + (values[(i + 1) % MONTHS] - values[i]) * offset / span
    return values[0]  # unreachable: the twelve spans cover the year


def days_in_month(day: dt.date) -> int:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return (following - day.replace(day=1)).days
