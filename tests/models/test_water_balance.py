from __future__ import annotations

import numpy as np
import pytest

from models.crops import crop_spec
from models.water_balance import ROOT_ZONES, root_zone_balance

MAIZE = crop_spec("maize")
DAYS = np.arange(132, dtype=np.float64)
LOAM = (15.0, 31.0)  # wilting point, field capacity, % vol


def _run(rain: np.ndarray, et0: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    b = root_zone_balance(MAIZE, DAYS, np.full(132, et0), rain, *LOAM)
    return b.depletion, b.stress


def test_a_dry_season_drains_the_root_zone_and_stresses_the_crop() -> None:
    depletion, stress = _run(np.zeros(132))
    assert depletion[0] > 0.0
    assert np.all(np.diff(stress) <= 1e-12)  # it only gets worse without water
    assert stress[10] == 1.0  # the first days draw freely
    assert stress[-1] < 0.5
    assert depletion.max() <= 100.0


def test_rain_beyond_field_capacity_drains_away() -> None:
    depletion, stress = _run(np.full(132, 50.0))
    assert depletion.tolist() == [0.0] * 132
    assert stress.tolist() == [1.0] * 132


def test_the_same_draw_is_a_smaller_share_once_the_roots_are_deep() -> None:
    zone = ROOT_ZONES["maize"]
    taw_per_m = 10.0 * (LOAM[1] - LOAM[0])  # 160 mm of available water per metre
    et0 = np.zeros(132)
    et0[0] = 10.0
    first = root_zone_balance(MAIZE, DAYS, et0, np.zeros(132), *LOAM)
    # Day 0: bare soil (crop coefficient 0.15), roots at their shallowest.
    assert first.depletion[0] == pytest.approx(100 * 1.5 / (taw_per_m * zone.root_min_m))
    et0 = np.zeros(132)
    et0[100] = 10.0  # full canopy; roots at 100/108 of their way down
    late = root_zone_balance(MAIZE, DAYS, et0, np.zeros(132), *LOAM)
    roots = zone.root_min_m + (zone.root_max_m - zone.root_min_m) * 100 / 108
    drawn = 10.0 * zone.kc_full
    assert late.depletion[100] == pytest.approx(100 * drawn / (taw_per_m * roots))
    assert late.depletion[100] < first.depletion[0]


def test_a_day_without_et0_repeats_the_last_one() -> None:
    et0 = np.full(132, 4.0)
    et0[50:53] = np.nan
    gappy = root_zone_balance(MAIZE, DAYS, et0, np.zeros(132), *LOAM)
    full = root_zone_balance(MAIZE, DAYS, np.full(132, 4.0), np.zeros(132), *LOAM)
    np.testing.assert_allclose(gappy.depletion, full.depletion)
    assert gappy.demand[51] == pytest.approx(full.demand[51])
