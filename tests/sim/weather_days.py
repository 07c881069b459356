"""Hand-made weather for field tests: hot, dry days with rain exactly where a test wants it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sim.weather import DailyWeather


def hot_dry_days(
    first: dt.date,
    count: int,
    *,
    rain: Mapping[dt.date, float] | None = None,
    tmax: float = 33.0,
    tmin: float = 23.0,
    et0: float = 6.0,
) -> list[DailyWeather]:
    rain = rain or {}
    return [
        DailyWeather(
            day=day,
            tmin_c=tmin,
            tmax_c=tmax,
            rain_mm=rain.get(day, 0.0),
            rh_pct=55.0,
            ea_kpa=2.0,
            wind_ms=2.0,
            wind_dir_deg=180.0,
            rs_mj=24.0,
            sunshine=0.8,
            pressure_hpa=1000.0,
            et0_mm=et0,
            rain_start_h=14.0,
            rain_hours=3.0,
        )
        for day in (first + dt.timedelta(days=i) for i in range(count))
    ]


class Weather:
    """A ``(first_day, count) -> days`` source over a fixed rain schedule."""

    def __init__(self, rain: Mapping[dt.date, float] | None = None, **kwargs: float) -> None:
        self.rain = dict(rain or {})
        self.kwargs = kwargs

    def __call__(self, first: dt.date, count: int) -> list[DailyWeather]:
        return hot_dry_days(first, count, rain=self.rain, **self.kwargs)
