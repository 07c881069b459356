"""Monthly normals and the smooth daily normals through them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest

from sim.climate import ClimateNormals, daily_normal, days_in_month
from tests.sim.climates import KOCHI


def test_mid_month_days_take_the_monthly_value() -> None:
    assert daily_normal(KOCHI.tmax_c, dt.date(2026, 7, 16)) == pytest.approx(31.2)
    assert daily_normal(KOCHI.tmax_c, dt.date(2026, 1, 16)) == pytest.approx(12.3)


def test_days_between_are_between_and_the_year_wraps_smoothly() -> None:
    july, august = KOCHI.tmax_c[6], KOCHI.tmax_c[7]
    assert july < daily_normal(KOCHI.tmax_c, dt.date(2026, 8, 1)) < august
    dec31 = daily_normal(KOCHI.tmin_c, dt.date(2026, 12, 31))
    jan1 = daily_normal(KOCHI.tmin_c, dt.date(2027, 1, 1))
    assert abs(jan1 - dec31) < 0.2


def test_wrong_shapes_are_refused() -> None:
    values = asdict(KOCHI)
    with pytest.raises(ValueError, match=r"climate\.rain_mm: expected 12"):
        ClimateNormals(**{**values, "rain_mm": (1.0,) * 11})
    with pytest.raises(ValueError, match="tmax_c must be above"):
        ClimateNormals(**{**values, "tmax_c": values["tmin_c"]})


def test_days_in_month() -> None:
    assert [days_in_month(dt.date(2028, m, 3)) for m in (1, 2, 4, 12)] == [31, 29, 30, 31]
