"""The stochastic daily weather: reproducible, and true to the climate it is given."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from sim.weather import DailyWeather, Site, WeatherGenerator
from tests.sim.climates import KOCHI

SITE = Site(33.57, 133.52, 120.0)
YEARS = range(2026, 2046)


def july(generator: WeatherGenerator, year: int) -> list[DailyWeather]:
    return generator.days(dt.date(year, 7, 1), 31)


def test_same_seed_same_weather_whatever_was_asked_before() -> None:
    a = WeatherGenerator(5, SITE, KOCHI)
    b = WeatherGenerator(5, SITE, KOCHI)
    b.day(dt.date(2031, 3, 3))  # b has generated another year first
    assert a.days(dt.date(2026, 6, 1), 60) == b.days(dt.date(2026, 6, 1), 60)


def test_another_seed_gives_another_weather() -> None:
    a = WeatherGenerator(5, SITE, KOCHI).days(dt.date(2026, 6, 1), 30)
    b = WeatherGenerator(6, SITE, KOCHI).days(dt.date(2026, 6, 1), 30)
    assert [d.rain_mm for d in a] != [d.rain_mm for d in b]


def test_twenty_years_reproduce_the_normals() -> None:
    g = WeatherGenerator(11, SITE, KOCHI)
    days = [d for year in YEARS for d in july(g, year)]
    assert statistics.mean(d.tmax_c for d in days) == pytest.approx(31.2, abs=1.0)
    assert statistics.mean(d.tmin_c for d in days) == pytest.approx(23.6, abs=1.0)
    wet_days = sum(d.rain_mm >= 1.0 for d in days) / len(YEARS)
    assert wet_days == pytest.approx(11.9, rel=0.2)
    rain = sum(d.rain_mm for d in days) / len(YEARS)
    assert rain == pytest.approx(340, rel=0.2)
    annual = sum(d.rain_mm for y in YEARS for d in g.days(dt.date(y, 1, 1), 365)) / len(YEARS)
    assert annual == pytest.approx(sum(KOCHI.rain_mm), rel=0.12)


def test_days_are_physically_consistent() -> None:
    g = WeatherGenerator(2, SITE, KOCHI)
    for d in g.days(dt.date(2026, 1, 1), 365):
        assert d.tmax_c > d.tmin_c
        assert 0.0 <= d.sunshine <= 1.0
        assert d.rs_mj > 0
        assert d.et0_mm >= 0
        assert d.wind_ms > 0
        assert 15.0 <= d.rh_pct <= 98.0
        assert d.rain_mm == 0 or d.rain_mm >= 1.0
        assert 900 < d.pressure_hpa < 1030


def test_summer_evaporates_more_and_wet_days_are_duller() -> None:
    g = WeatherGenerator(3, SITE, KOCHI)
    summer = [d for y in YEARS[:5] for d in july(g, y)]
    winter = [d for y in YEARS[:5] for d in g.days(dt.date(y, 1, 1), 31)]
    assert statistics.mean(d.et0_mm for d in summer) > 2 * statistics.mean(d.et0_mm for d in winter)
    wet = [d.rs_mj for d in summer if d.rain_mm > 0]
    dry = [d.rs_mj for d in summer if d.rain_mm == 0]
    assert statistics.mean(wet) < statistics.mean(dry)
