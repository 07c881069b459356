from __future__ import annotations

import numpy as np

from models.gdd import carried_forward, daily_gdd


def test_method_3_caps_the_maximum_and_floors_the_mean() -> None:
    tmin = np.array([10.0, 2.0, 20.0, 0.0, np.nan])
    tmax = np.array([20.0, 6.0, 36.0, 4.0, 25.0])
    gdd = daily_gdd(tmin, tmax, tbase=8.0, tupp=30.0)
    # (20+10)/2-8; max raised to 8 -> mean 5 floored to 8; max capped at 30 -> 25-8; cold day 0
    np.testing.assert_allclose(gdd[:4], [7.0, 0.0, 17.0, 0.0])
    assert np.isnan(gdd[4])


def test_a_missing_day_counts_as_the_last_known_day_never_a_later_one() -> None:
    gdd = np.array([np.nan, 4.0, np.nan, np.nan, 6.0, np.nan])
    np.testing.assert_allclose(carried_forward(gdd), [0.0, 4.0, 4.0, 4.0, 6.0, 6.0])
