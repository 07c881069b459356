"""FAO-56 Penman–Monteith, checked against the paper's worked example."""

from __future__ import annotations

import pytest

from sim.et0 import et0_penman_monteith, pressure_kpa, saturation_vapour_pressure


def test_fao56_example_18_uccle_6_july() -> None:
    et0 = et0_penman_monteith(
        tmin_c=12.3,
        tmax_c=21.5,
        rs_mj=22.07,
        ea_kpa=1.409,
        u2_ms=2.078,
        lat_deg=50.8,
        elevation_m=100.0,
        doy=187,
    )
    assert et0 == pytest.approx(3.9, abs=0.05)


def test_helpers_match_fao56_tables() -> None:
    assert saturation_vapour_pressure(25.0) == pytest.approx(3.168, abs=0.002)  # Annex 2
    assert pressure_kpa(1800.0) == pytest.approx(81.8, abs=0.1)  # Example 2


def et0(**changes: float) -> float:
    base = {"tmin_c": 18.0, "tmax_c": 30.0, "rs_mj": 20.0, "ea_kpa": 2.0, "u2_ms": 1.5}
    return et0_penman_monteith(**(base | changes), lat_deg=33.6, elevation_m=100.0, doy=190)


def test_more_sun_wind_and_dry_air_evaporate_more() -> None:
    reference = et0()
    assert et0(rs_mj=26.0) > reference
    assert et0(u2_ms=4.0) > reference
    assert et0(ea_kpa=1.2) > reference
