from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from models.co2 import co2_ppm
from models.context import FieldContext
from models.crops import crop_spec
from models.daily import DailySeries
from models.features import FEATURE_NAMES, Group, planting_day, season_features

PLANTED = dt.date(2024, 5, 1)


def _series(days: int = 40) -> DailySeries:
    return replace(
        DailySeries.empty(PLANTED, days),
        tmin=np.full(days, 10.0),
        tmax=np.full(days, 20.0),
        rain=np.where(np.arange(days) % 10 == 0, 10.0, 0.0),
        et0=np.full(days, 4.0),
        irrigation=np.zeros(days),
        sm_shallow=np.linspace(30.0, 20.0, days),
        sm_deep=np.full(days, 25.0),
    )


def _value(rows: object, name: str, row: int = 0) -> float:
    return float(rows.values[row, FEATURE_NAMES.index(name)])  # type: ignore[attr-defined]


def test_season_to_date_values_use_days_before_d_only() -> None:
    context = FieldContext("loam", "deficit")
    rows = season_features(_series(), crop_spec("maize"), [20, 40], context, 40.4)
    assert _value(rows, "days_since_planting") == 20
    assert _value(rows, "gdd_cum") == pytest.approx(20 * 7.0)  # mean 15 - base 8
    assert _value(rows, "et0_cum") == pytest.approx(80.0)
    assert _value(rows, "rain_cum") == pytest.approx(20.0)  # days 0 and 10
    assert _value(rows, "rain_recent") == pytest.approx(10.0)  # days 6..19
    assert _value(rows, "sm_shallow_min") == pytest.approx(np.linspace(30, 20, 40)[19])
    assert _value(rows, "rain_cum", 1) == pytest.approx(40.0)
    assert rows.groups_at(0) == frozenset(Group)
    assert (_value(rows, "soil_fc"), _value(rows, "irrigation_trigger")) == (31.0, 35.0)
    assert _value(rows, "co2_ppm", 1) == co2_ppm(PLANTED)  # known with no sensor at all


def test_water_is_also_counted_by_crop_stage() -> None:
    # Maize flowers on days 66..78 of its 132 (AquaCrop's 13 days). ET0 4 mm a day,
    # 10 mm of rain on days 0, 10, 20, ...
    rows = season_features(_series(100), crop_spec("maize"), [60, 100])
    assert _value(rows, "wb_vegetative") == pytest.approx(60.0 - 240.0)
    assert _value(rows, "wb_flowering") == 0.0  # not reached on day 60
    assert _value(rows, "wb_flowering", 1) == pytest.approx(10.0 - 13 * 4.0)
    assert Group.FIELD not in rows.groups_at(0)


def test_a_few_missing_days_are_scaled_up_not_counted_as_zero() -> None:
    s = _series()
    et0 = s.et0.copy()
    et0[[3, 7]] = np.nan
    rows = season_features(replace(s, et0=et0), crop_spec("maize"), [20])
    assert _value(rows, "et0_cum") == pytest.approx(80.0)


def test_a_sensor_short_of_coverage_makes_its_group_missing() -> None:
    s = _series()
    probe = s.sm_deep.copy()
    probe[:10] = np.nan  # half of the first 20 days
    rows = season_features(replace(s, sm_deep=probe), crop_spec("maize"), [20])
    assert Group.SOIL_DEEP not in rows.groups_at(0)
    assert np.isnan(_value(rows, "sm_deep_mean"))
    assert not np.isnan(_value(rows, "sm_shallow_mean"))


def test_a_sensor_silent_for_the_last_week_is_missing_even_with_good_coverage() -> None:
    s = _series()
    probe = s.sm_shallow.copy()
    probe[34:] = np.nan
    rows = season_features(replace(s, sm_shallow=probe), crop_spec("maize"), [40])
    assert Group.SOIL_SHALLOW not in rows.groups_at(0)


def test_days_outside_the_series_are_refused() -> None:
    with pytest.raises(ValueError, match=r"within 1\.\.40"):
        season_features(_series(), crop_spec("maize"), [41])


def test_probes_are_also_read_against_the_soil_textures_available_water() -> None:
    # Loam: wilting point 15 %, field capacity 31 %; the 15 cm probe dries from 30 to 20 %.
    context = FieldContext("loam", "deficit")
    rows = season_features(_series(), crop_spec("maize"), [40], context)
    recent = np.linspace(30.0, 20.0, 40)[33:40].mean()
    assert _value(rows, "sm_shallow_aw") == pytest.approx(100 * (recent - 15) / 16)
    # Below half the available water (23 %) from day 28 on: 12 of the 40 days.
    assert _value(rows, "sm_shallow_dry_days") == pytest.approx(12.0)
    assert _value(rows, "sm_deep_dry_days") == 0.0  # 25 % all season
    without = season_features(_series(), crop_spec("maize"), [40])
    assert np.isnan(_value(without, "sm_shallow_aw"))  # no texture, no available water
    assert not np.isnan(_value(without, "sm_shallow_mean"))


def test_location_is_latitude_and_a_planting_day_that_means_the_same_season_north_and_south() -> (
    None
):
    rows = season_features(_series(), crop_spec("maize"), [20], latitude=-31.4)
    assert _value(rows, "latitude_abs") == pytest.approx(31.4)
    assert Group.LOCATION in rows.groups_at(0)
    assert Group.LOCATION not in season_features(_series(), crop_spec("maize"), [20]).groups_at(0)
    # Sown six months apart in opposite hemispheres: the same season, about the same value.
    north, south = (
        planting_day(dt.date(2024, 5, 1), 40.0),
        planting_day(dt.date(2024, 11, 1), -31.0),
    )
    assert (north, south) == (89.0, 92.0)
    # Rabi rice sown either side of New Year stays one unbroken range.
    assert planting_day(dt.date(2024, 12, 20), 17.4) < planting_day(dt.date(2025, 1, 20), 17.4)
    # A leap year does not move a sowing date.
    assert planting_day(dt.date(2008, 7, 1), -31.4) == planting_day(dt.date(2009, 7, 1), -31.4)
    assert planting_day(dt.date(2008, 2, 29), 40.0) == planting_day(dt.date(2009, 2, 28), 40.0)
