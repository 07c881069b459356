"""Atmospheric CO2 by planting year, as the training seasons grew in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from models.co2 import ANNUAL_PPM, co2_ppm


def test_a_season_takes_its_planting_years_concentration() -> None:
    assert co2_ppm(dt.date(1988, 5, 20)) == 351.45
    # Sown in January, the season is that year's, not the year its lead-in began
    # (AquaCrop sets the concentration when the crop is planted).
    assert co2_ppm(dt.date(2001, 1, 10)) == 371.07
    assert co2_ppm(dt.date(2000, 12, 20)) == 369.4


def test_projected_decades_are_joined_by_straight_lines_and_the_ends_are_held() -> None:
    assert co2_ppm(dt.date(2015, 6, 1)) == pytest.approx(403.0)
    assert co2_ppm(dt.date(2026, 6, 1)) == pytest.approx(418.0 + 0.6 * 29.0)
    assert co2_ppm(dt.date(1950, 6, 1)) == ANNUAL_PPM[1970]
    assert co2_ppm(dt.date(2090, 6, 1)) == ANNUAL_PPM[2050]


def test_the_table_is_the_one_the_training_seasons_were_simulated_with() -> None:
    aquacrop = pytest.importorskip("aquacrop", reason="the comparison needs kakashi[train]")
    path = Path(aquacrop.__file__).parent / "data" / "co2" / "MaunaLoaCO2.txt"
    years, ppm = np.loadtxt(path, skiprows=2, unpack=True)
    for year in range(1970, 2051):
        planted = dt.date(year, 6, 1)
        assert co2_ppm(planted) == pytest.approx(float(np.interp(year, years, ppm))), year
