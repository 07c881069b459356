"""The training pipeline's pure parts: year split, conformal correction, climatology."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.training.conformal import (
    Trial,
    calibrate,
    calibration_level,
    correction,
    held_out_coverage,
)
from models.training.dataset import stage_days
from models.training.evaluate import climatology, mape
from models.training.split import campaign, rotations, split_years


def test_plantings_of_one_sowing_window_share_a_campaign() -> None:
    assert campaign(dt.date(2003, 12, 20)) == campaign(dt.date(2004, 1, 20)) == 2003
    assert campaign(dt.date(2004, 7, 10)) == 2004


def test_test_years_are_spread_over_the_record_and_never_trained_on() -> None:
    years = np.arange(1982, 2019)
    split = split_years(years, seed=7)
    assert set(split.test_years).isdisjoint(split.train_years)
    assert 9 <= len(split.test_years) <= 10
    assert max(np.diff(split.test_years)) == 4
    assert set(split.folds(np.asarray(split.test_years))) == {-1}


def test_rotations_test_every_year_once_the_seeded_split_first() -> None:
    years = np.arange(2000, 2011)
    splits = rotations(years, seed=7)
    assert splits[0] == split_years(years, seed=7)
    tested = sorted(y for s in splits for y in s.test_years)
    assert tested == years.tolist()
    for s in splits:
        assert set(s.test_years).isdisjoint(s.train_years)


def test_stages_are_where_the_gateway_says_the_season_is() -> None:
    # Progress as the gateway reports it on days 1..n (nominal season of 100 days).
    assert stage_days(np.arange(1, 121) / 100) == [30, 60, 90]
    # A crop that died on day 70 still reads 60 % on day 60; its 90 % row is its last day.
    assert stage_days(np.arange(1, 71) / 100) == [30, 60, 70]
    # Degree days that stall (a cold spell) move the stage later, NaN days never count.
    progress = np.concatenate([np.full(5, np.nan), np.linspace(0.05, 1.0, 95)])
    assert stage_days(progress) == [1 + int(np.argmax(progress >= f)) for f in (0.3, 0.6, 0.9)]


def _trial(fitted: np.ndarray, held: np.ndarray) -> Trial:
    return Trial(
        {"weather_only": fitted},
        np.zeros(fitted.size, dtype=np.int64),
        {"weather_only": held},
        np.zeros(held.size, dtype=np.int64),
    )


def test_level_is_what_covers_80_percent_of_years_held_out_of_it() -> None:
    rng = np.random.default_rng(1)
    fitted = [rng.normal(size=800) for _ in range(4)]
    # Held-out years like the fitted ones: the plain 80 % quantile is the level.
    same = [_trial(f, rng.normal(size=200)) for f in fitted]
    assert calibration_level(same) == pytest.approx(0.8, abs=0.02)
    # Held-out years scoring worse than the out-of-fold ones (years unlike the
    # others): the level is raised.
    worse = [_trial(f, rng.normal(size=200) + 0.5) for f in fitted]
    assert calibration_level(worse) > 0.85
    # A final model better than the out-of-fold ones: the level comes down.
    better = [_trial(f, 0.8 * rng.normal(size=200)) for f in fitted]
    assert calibration_level(better) < 0.78
    assert held_out_coverage(better, calibration_level(better)) >= 0.8


def test_conformal_correction_reaches_the_target_coverage() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=5000)
    raw = np.column_stack([np.full(5000, -0.5), np.zeros(5000), np.full(5000, 0.5)])
    c = correction(np.maximum(raw[:, 0] - y, y - raw[:, 2]))
    inside = np.mean((y >= raw[:, 0] - c) & (y <= raw[:, 2] + c))
    assert inside == pytest.approx(0.8, abs=0.01)
    assert c == pytest.approx(1.2816 - 0.5, abs=0.05)


def test_calibration_has_one_correction_per_stage_and_sensor_set() -> None:
    y = np.linspace(0, 10, 300)
    raw = np.column_stack([y - 1, y, y + 1])
    cal = calibrate({"weather_only": raw}, y, np.linspace(0, 1, 300), 0.8)
    # every outcome sits mid-band: the band may shrink by half its width each side
    assert cal.corrections["weather_only"] == pytest.approx((-0.5, -0.5, -0.5))
    assert cal.level == 0.8


def test_climatology_averages_training_years_of_the_same_group() -> None:
    train = [("a", "loam"), ("a", "loam"), ("b", "loam")]
    got = climatology(train, np.array([4.0, 6.0, 9.0]), [("a", "loam"), ("b", "loam")])
    np.testing.assert_allclose(got, [5.0, 9.0])
    with pytest.raises(KeyError, match="sand"):
        climatology(train, np.array([4.0, 6.0, 9.0]), [("a", "sand")])


def test_mape_ignores_failed_crops() -> None:
    assert mape(np.array([1.0, 2.0]), np.array([0.1, 4.0])) == pytest.approx(50.0)
