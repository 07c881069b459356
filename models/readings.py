"""A field's ``DailySeries`` from the gateway's stored readings.

The service passes ``Storage.rollup_history`` (hourly summaries combining
folded rollups and raw rows): a season outlives the raw retention window,
so hourly summaries are what is there for its whole length. A raw
``history`` callable can be adapted with ``models.hourly.hourly_from_raw``.

Point roles (see docs/forecasting.md for the profiles' point names):
air temperature, relative humidity, wind speed, global radiation (W/m²),
station pressure (hPa), precipitation and irrigation as running totals in mm
(a counter that may restart), and soil moisture (% vol) at 15 and 45 cm.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.daily import DailySeries
from models.et0 import DailyWeather, reference_et0
from models.hourly import Hour, HourlySource, HourlySummary

FloatArray = npt.NDArray[np.float64]

# Hours with data a day needs before its value is used. Extremes and
# radiation need most of the day (a missing afternoon hides the maximum);
# soil moisture changes slowly, so a quarter of the day describes it.
MIN_HOURS_TEMPERATURE = 18
MIN_HOURS_RADIATION = 20
MIN_HOURS_HUMIDITY = 18
MIN_HOURS_WIND = 12
MIN_HOURS_TOTALS = 20
MIN_HOURS_SOIL = 6
W_M2_TO_MJ_DAY = 0.0864


Point = tuple[str, str]
"""(device id, point name)."""


@dataclass(frozen=True, slots=True)
class FieldSensors:
    """Where each input of a field's forecast is read; None if the field has none."""

    air_temperature: Point | None = None
    humidity: Point | None = None
    wind_speed: Point | None = None
    global_radiation: Point | None = None
    pressure: Point | None = None
    precipitation: Point | None = None
    irrigation: Point | None = None
    soil_moisture_shallow: Point | None = None
    soil_moisture_deep: Point | None = None


@dataclass(frozen=True, slots=True)
class SiteLocation:
    lat: float
    elevation_m: float = 0.0
    tz: dt.tzinfo = dt.UTC


@dataclass(slots=True)
class _Days:
    """Hourly summaries grouped by season day."""

    hours: list[list[Hour]]

    def stat(self, pick: Callable[[list[Hour]], float], min_hours: int) -> FloatArray:
        out = np.full(len(self.hours), np.nan)
        for d, hours in enumerate(self.hours):
            if len(hours) >= min_hours:
                out[d] = pick(hours)
        return out


@dataclass(frozen=True, slots=True)
class SeasonWindow:
    planted: dt.date
    days: int
    tz: dt.tzinfo

    def start(self, day: int) -> float:
        return dt.datetime.combine(
            self.planted + dt.timedelta(days=day), dt.time(), self.tz
        ).timestamp()

    def day_of(self, ts: float) -> int:
        return (dt.datetime.fromtimestamp(ts, self.tz).date() - self.planted).days


def _group(window: SeasonWindow, hours: Sequence[HourlySummary]) -> _Days:
    days: list[list[Hour]] = [[] for _ in range(window.days)]
    for h in hours:
        d = window.day_of(h.hour)
        if 0 <= d < window.days and h.n_good > 0:
            days[d].append(Hour(h.hour, h.n_good, h.min, h.max, h.mean))
    return _Days(days)


def _fetch(
    source: HourlySource, point: Point | None, window: SeasonWindow, lead: int = 0
) -> list[HourlySummary]:
    if point is None:
        return []
    return list(source(point[0], point[1], window.start(-lead), window.start(window.days)))


def _mean(hours: list[Hour]) -> float:
    values = [h.mean for h in hours if h.mean is not None]
    return float(np.mean(values)) if values else np.nan


def _max(hours: list[Hour]) -> float:
    values = [h.max for h in hours if h.max is not None]
    return max(values) if values else np.nan


def _min(hours: list[Hour]) -> float:
    values = [h.min for h in hours if h.min is not None]
    return min(values) if values else np.nan


def daily_totals(window: SeasonWindow, hours: Sequence[HourlySummary]) -> FloatArray:
    """Daily amounts from a running total (mm) that may restart from zero.

    Each hour adds its highest reading minus the previous hour's; a drop means
    the counter restarted, and the hour adds what it counted since.
    """
    increments: dict[int, list[float]] = defaultdict(list)
    previous: float | None = None
    for h in sorted(hours, key=lambda h: h.hour):
        if h.n_good == 0 or h.max is None:
            continue
        step = 0.0 if previous is None else (h.max - previous if h.max >= previous else h.max)
        previous = h.max
        d = window.day_of(h.hour)
        if 0 <= d < window.days:
            increments[d].append(step)
    out = np.full(window.days, np.nan)
    for d, steps in increments.items():
        if len(steps) >= MIN_HOURS_TOTALS:
            out[d] = sum(steps)
    return out


@dataclass(frozen=True, slots=True)
class DailyBuild:
    series: DailySeries
    hargreaves_days: int
    """Days whose ET0 came from temperature alone (no radiation)."""


def build_daily(
    source: HourlySource,
    sensors: FieldSensors,
    planted: dt.date,
    days: int,
    site: SiteLocation,
) -> DailyBuild:
    """Days 0..days-1 of the season (local days in the site's time zone)."""
    window = SeasonWindow(planted, days, site.tz)
    temp = _group(window, _fetch(source, sensors.air_temperature, window))
    tmin = temp.stat(_min, MIN_HOURS_TEMPERATURE)
    tmax = temp.stat(_max, MIN_HOURS_TEMPERATURE)
    weather = DailyWeather(
        day_of_year=np.asarray(
            [(planted + dt.timedelta(days=d)).timetuple().tm_yday for d in range(days)],
            dtype=np.int64,
        ),
        tmin=tmin,
        tmax=tmax,
        rh_mean=_group(window, _fetch(source, sensors.humidity, window)).stat(
            _mean, MIN_HOURS_HUMIDITY
        ),
        wind=_group(window, _fetch(source, sensors.wind_speed, window)).stat(_mean, MIN_HOURS_WIND),
        radiation=W_M2_TO_MJ_DAY
        * _group(window, _fetch(source, sensors.global_radiation, window)).stat(
            _mean, MIN_HOURS_RADIATION
        ),
        pressure_kpa=0.1 * _group(window, _fetch(source, sensors.pressure, window)).stat(_mean, 1),
    )
    et0, hargreaves = reference_et0(weather, site.lat, site.elevation_m)
    # One day of lead lets the first season hour count its increment.
    rain = daily_totals(window, _fetch(source, sensors.precipitation, window, lead=1))
    irrigation = daily_totals(window, _fetch(source, sensors.irrigation, window, lead=1))
    shallow = _group(window, _fetch(source, sensors.soil_moisture_shallow, window))
    deep = _group(window, _fetch(source, sensors.soil_moisture_deep, window))
    series = DailySeries(
        planted,
        tmin,
        tmax,
        rain,
        et0,
        irrigation,
        shallow.stat(_mean, MIN_HOURS_SOIL),
        deep.stat(_mean, MIN_HOURS_SOIL),
    )
    return DailyBuild(series, int(hargreaves.sum()))
