"""Instantaneous weather shared out from the day's values."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sim.solar import sunrise_solar_h
from sim.weather import Site, WeatherGenerator
from sim.weather_now import WeatherClock
from tests.sim.climates import KOCHI

TOKYO = ZoneInfo("Asia/Tokyo")
SITE = Site(33.57, 133.52, 120.0)
DAY = dt.date(2026, 7, 10)


@pytest.fixture
def clock() -> WeatherClock:
    return WeatherClock(WeatherGenerator(4, SITE, KOCHI), TOKYO, dt.date(2026, 7, 1))


def ts_at(day: dt.date, hour: float) -> float:
    return dt.datetime.combine(day, dt.time(), TOKYO).timestamp() + hour * 3600


def solar_to_local(solar_h: float) -> float:
    # Kōchi is 133.5° E, JST is 135° E: solar time lags local by ~6 min, plus the
    # equation of time (about -5 min in July).
    return solar_h + (135.0 - SITE.lon_deg) / 15.0 + 5.5 / 60


def test_temperature_peaks_in_the_afternoon_at_tmax_and_bottoms_at_sunrise(
    clock: WeatherClock,
) -> None:
    daily = clock.daily(DAY)
    sunrise = sunrise_solar_h(SITE.lat_deg, DAY.timetuple().tm_yday)
    at_14 = clock.at(ts_at(DAY, solar_to_local(14.0))).air_temperature_c
    at_sunrise = clock.at(ts_at(DAY, solar_to_local(sunrise))).air_temperature_c
    assert at_14 == pytest.approx(daily.tmax_c, abs=0.05)
    assert at_sunrise == pytest.approx(daily.tmin_c, abs=0.05)
    hourly = [clock.at(ts_at(DAY, h)).air_temperature_c for h in range(24)]
    assert max(hourly) <= daily.tmax_c + 1e-9


def test_radiation_is_zero_at_night_and_sums_to_the_day(clock: WeatherClock) -> None:
    assert clock.at(ts_at(DAY, 1.0)).radiation_wm2 == 0.0
    step_h = 0.05
    joules = sum(
        clock.at(ts_at(DAY, (i + 0.5) * step_h)).radiation_wm2 * step_h * 3600
        for i in range(int(24 / step_h))
    )
    assert joules / 1e6 == pytest.approx(clock.daily(DAY).rs_mj, rel=0.01)


def test_humidity_is_highest_at_dawn(clock: WeatherClock) -> None:
    dawn = clock.at(ts_at(DAY, 5.0)).humidity_pct
    afternoon = clock.at(ts_at(DAY, 14.5)).humidity_pct
    assert dawn > afternoon + 10


def test_the_rain_gauge_counts_each_day_in_full(clock: WeatherClock) -> None:
    wet = next(
        d for d in (DAY + dt.timedelta(days=i) for i in range(30)) if clock.daily(d).rain_mm > 0
    )
    before = clock.at(ts_at(wet, 0.0)).rain_total_mm
    after = clock.at(ts_at(wet + dt.timedelta(days=1), 0.0)).rain_total_mm
    assert after - before == pytest.approx(clock.daily(wet).rain_mm)
    rates = [clock.at(ts_at(wet, h / 4)).rain_rate_mm_h for h in range(96)]
    assert sum(rates) / 4 == pytest.approx(clock.daily(wet).rain_mm, rel=0.15)
    # The total only ever grows.
    totals = [clock.at(ts_at(wet, h / 4)).rain_total_mm for h in range(96)]
    assert totals == sorted(totals)
