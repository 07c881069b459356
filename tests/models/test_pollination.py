from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from models.crops import crop_spec
from models.daily import DailySeries
from models.features import FEATURE_NAMES, season_features
from models.pollination import cold_failure, flower_share, heat_failure


def test_a_days_crop_opens_all_its_flowers_within_flowering() -> None:
    maize = crop_spec("maize")  # flowering days 66-78 of 132
    share = flower_share(maize, np.full(132, 15.0))
    assert share.sum() == pytest.approx(1.0, abs=0.01)
    assert np.flatnonzero(share).min() == 66
    assert np.flatnonzero(share).max() == 78
    # Most flowers open in the first third of the period, as in the field.
    assert share[66:71].sum() > share[74:79].sum()


def test_a_thermal_time_crop_flowers_when_its_degree_days_say() -> None:
    wheat = crop_spec("wheat")
    start = wheat.flowering[0] * wheat.season_length  # about 1250 °C·d
    warm, cool = flower_share(wheat, np.full(300, 10.0)), flower_share(wheat, np.full(300, 5.0))
    assert warm.sum() == pytest.approx(1.0, abs=0.01)
    assert cool.sum() == pytest.approx(1.0, abs=0.01)
    assert np.flatnonzero(warm).min() == start // 10
    assert np.flatnonzero(cool).min() == start // 5
    # A day without temperature still passes thermal time: flowering is not delayed.
    gaps = np.where(np.arange(300) % 3 == 0, 10.0, np.nan)
    assert np.flatnonzero(flower_share(wheat, gaps)).min() == start // 10


def test_stress_is_nothing_at_the_onset_and_everything_at_the_limit() -> None:
    wheat = crop_spec("wheat")  # cold 5 -> 0 °C, heat 35 -> 40 °C
    cold = cold_failure(wheat, np.array([8.0, 5.0, 2.5, 0.0, -5.0, np.nan]))
    np.testing.assert_allclose(cold, [0.0, 0.0, 0.5, 1.0, 1.0, 0.0], atol=0.01)
    heat = heat_failure(wheat, np.array([30.0, 35.0, 37.5, 40.0, 48.0, np.nan]))
    np.testing.assert_allclose(heat, [0.0, 0.0, 0.5, 1.0, 1.0, 0.0], atol=0.01)


def _wheat_season(tmin_at_flowering: float) -> DailySeries:
    days = 200
    tmin = np.full(days, 6.0)
    # 10 °C·d a day until flowering starts on day 124; it lasts about 200 °C·d.
    tmin[124:170] = tmin_at_flowering
    return replace(
        DailySeries.empty(dt.date(2023, 10, 1), days),
        tmin=tmin,
        tmax=np.full(days, 14.0),
        et0=np.full(days, 2.0),
    )


@pytest.mark.parametrize("name", ["pollination_cold", "pollination_heat"])
def test_features_count_flowers_lost_before_day_d_only(name: str) -> None:
    column = FEATURE_NAMES.index(name)
    frosty = season_features(_wheat_season(0.0), crop_spec("wheat"), [120, 130, 180]).values
    mild = season_features(_wheat_season(6.0), crop_spec("wheat"), [160]).values
    if name == "pollination_heat":
        assert frosty[:, column].tolist() == [0.0, 0.0, 0.0]
        return
    # Nothing before flowering; part of the flowers by day 130; all of them after.
    assert frosty[0, column] == 0.0
    assert 0.0 < frosty[1, column] < 50.0
    assert frosty[2, column] == pytest.approx(100.0, abs=1.0)
    assert mild[0, column] == 0.0
