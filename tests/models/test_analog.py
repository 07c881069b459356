"""The analogue-year experiment's weather blending (needs the train extra)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

pytest.importorskip("aquacrop", reason="the analogue experiment needs the kakashi[train] extra")

from models.daily import DailySeries
from models.training.analog import analog_years
from models.training.scenarios import Season, Strategy
from models.training.simulate import LEAD_DAYS, site_weather
from models.training.splice import spliced_weather

SEASON = Season("maize", "champion", "Loam", Strategy.RAINFED, dt.date(1990, 5, 10))


def _observed(days: int) -> DailySeries:
    values = np.full(days, 99.0)
    values[3] = np.nan  # a gap the file fills
    return DailySeries(SEASON.planted, *(values.copy() for _ in range(7)))


def test_blend_is_the_real_lead_then_the_gateway_then_the_analogue_year() -> None:
    frame = spliced_weather(SEASON, 40, 2001, seen=_observed(50))
    weather = site_weather("champion").set_index("Date")
    first = frame["Date"].iloc[0].date()
    assert first == SEASON.planted - dt.timedelta(days=LEAD_DAYS)
    lead_actual = weather.loc[first.isoformat()]["MaxTemp"]
    assert frame["MaxTemp"].iloc[0] == lead_actual
    assert frame["MaxTemp"].iloc[LEAD_DAYS] == 99.0
    gap_day = SEASON.planted + dt.timedelta(days=3)
    assert frame["MaxTemp"].iloc[LEAD_DAYS + 3] == weather.loc[gap_day.isoformat()]["MaxTemp"]
    analog_day = dt.date(2001, 5, 10) + dt.timedelta(days=40)
    assert frame["MaxTemp"].iloc[LEAD_DAYS + 40] == weather.loc[analog_day.isoformat()]["MaxTemp"]
    assert frame["Date"].iloc[LEAD_DAYS + 40].date() == SEASON.planted + dt.timedelta(days=40)


def test_analogue_years_never_include_the_season_itself() -> None:
    years = analog_years(SEASON, list(range(1982, 2019)), 50, seed=1)
    assert 1990 not in years
    assert len(years) == 2018 - 1982  # every other year covers the window
    assert years == analog_years(SEASON, list(range(1982, 2019)), 50, seed=1)
