from __future__ import annotations

import numpy as np
import pytest

from models.et0 import DailyWeather, extraterrestrial_radiation, reference_et0

NAN = np.array([np.nan])


def _brussels(radiation: float, rh: float = 73.5) -> DailyWeather:
    # FAO-56 example 18: Brussels (50°48'N, 100 m), 6 July.
    return DailyWeather(
        np.array([187]), np.array([12.3]), np.array([21.5]), np.array([rh]),
        np.array([2.078]), np.array([radiation]), NAN,
    )  # fmt: skip


def test_extraterrestrial_radiation_matches_fao56_example_8() -> None:
    # 20°S on 3 September (day 246): 32.2 MJ m-2 day-1.
    assert extraterrestrial_radiation(-20.0, np.array([246]))[0] == pytest.approx(32.2, abs=0.1)


def test_penman_monteith_matches_fao56_example_18() -> None:
    et0, hargreaves = reference_et0(_brussels(22.07), lat_deg=50.8, elevation_m=100)
    assert et0[0] == pytest.approx(3.9, abs=0.15)
    assert not hargreaves[0]


def test_no_radiation_falls_back_to_hargreaves_and_says_so() -> None:
    et0, hargreaves = reference_et0(_brussels(np.nan), lat_deg=50.8, elevation_m=100)
    assert hargreaves[0]
    assert 2.5 < et0[0] < 5.5


def test_no_temperature_means_no_et0() -> None:
    w = DailyWeather(np.array([187]), NAN, NAN, NAN, NAN, np.array([20.0]), NAN)
    et0, hargreaves = reference_et0(w, lat_deg=50.8, elevation_m=100)
    assert np.isnan(et0[0])
    assert not hargreaves[0]
