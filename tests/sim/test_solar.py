"""Sun geometry against FAO-56's worked examples."""

from __future__ import annotations

import math

import pytest

from sim import solar


def test_extraterrestrial_radiation_fao56_example_8() -> None:
    # 3 September (day 246) at 20° S: R_a = 32.2 MJ m⁻² day⁻¹.
    assert solar.extraterrestrial_radiation(-20.0, 246) == pytest.approx(32.2, abs=0.1)


def test_daylight_hours_fao56_example_9() -> None:
    # Same day and place: N = 11.7 h.
    assert solar.daylight_hours(-20.0, 246) == pytest.approx(11.7, abs=0.05)


def test_sine_elevation_integral_matches_numerical_integration() -> None:
    for lat, doy in ((33.57, 182), (33.57, 355), (-31.4, 10), (52.2, 172)):
        steps = 24 * 600
        numeric = sum(
            max(0.0, solar.sin_elevation(lat, doy, 24.0 * (i + 0.5) / steps)) for i in range(steps)
        ) * (24.0 / steps)
        assert solar.daily_sin_elevation_integral_h(lat, doy) == pytest.approx(numeric, rel=1e-3)


def test_the_sun_is_highest_at_solar_noon_and_below_the_horizon_at_midnight() -> None:
    noon = solar.sin_elevation(33.57, 182, 12.0)
    assert noon > solar.sin_elevation(33.57, 182, 11.0)
    assert noon > solar.sin_elevation(33.57, 182, 13.0)
    assert solar.sin_elevation(33.57, 182, 0.0) < 0
    # Midsummer at 33.6° N: the noon sun stands 23.4° + 56.4° ≈ 80° high.
    assert math.degrees(math.asin(noon)) == pytest.approx(79.8, abs=0.5)


def test_solar_hour_adds_longitude_and_equation_of_time() -> None:
    # 135° E is nine hours ahead of Greenwich; the equation of time is minutes.
    assert solar.solar_hour(3.0, 135.0, 100) == pytest.approx(12.0, abs=0.25)
