"""Capping a history: raw readings thinned to per-bucket extremes, hours merged."""

from __future__ import annotations

import pytest

from drivers.reading import Quality, Value
from edge.storage import HourlyRollup
from edge.web.queries.readings import merge_hours, thin_raw

Row = tuple[float, Value, Quality]


def test_short_series_pass_untouched() -> None:
    rows: list[Row] = [(float(i), float(i), Quality.GOOD) for i in range(10)]
    points, bucket = thin_raw(rows, 0.0, 10.0, 10)
    assert bucket is None
    assert [p.value for p in points] == [float(i) for i in range(10)]


def test_thinning_keeps_each_buckets_low_and_high_in_time_order() -> None:
    rows: list[Row] = [(float(i), 10.0, Quality.GOOD) for i in range(1000)]
    rows[123] = (123.0, 99.0, Quality.GOOD)
    rows[124] = (124.0, -5.0, Quality.GOOD)
    rows[500] = (500.0, None, Quality.INVALID)
    points, bucket = thin_raw(rows, 0.0, 1000.0, 100)
    assert bucket == 20.0
    assert len(points) <= 100
    values = [p.value for p in points]
    assert 99.0 in values
    assert -5.0 in values
    assert [p.ts for p in points] == sorted(p.ts for p in points)
    spike = values.index(99.0)
    assert values[spike + 1] == -5.0  # high came first in time, so it is listed first


def test_a_bucket_without_numbers_keeps_its_first_reading() -> None:
    rows: list[Row] = [(float(i), None, Quality.INVALID) for i in range(100)]
    points, _ = thin_raw(rows, 0.0, 100.0, 10)
    assert len(points) == 5
    assert all(p.quality == "invalid" for p in points)


def hour(h: int, n: int, mean: float | None, lo: float | None, hi: float | None) -> HourlyRollup:
    return HourlyRollup(h * 3600.0, n, n if mean is not None else 0, lo, hi, mean)


def test_hours_merge_by_time_weighting_means_by_good_readings() -> None:
    hours = [hour(0, 10, 1.0, 0.5, 1.5), hour(1, 30, 3.0, 2.0, 4.0), hour(3, 5, None, None, None)]
    points, width = merge_hours(hours, 0.0, 4 * 3600.0, 2)
    assert width == 7200.0
    assert [p.ts for p in points] == [0.0, 7200.0]
    assert points[0].mean == pytest.approx((10 * 1.0 + 30 * 3.0) / 40)
    assert (points[0].min, points[0].max, points[0].n, points[0].n_good) == (0.5, 4.0, 40, 40)
    assert points[1].mean is None
    assert points[1].n == 5


def test_hours_that_fit_are_one_point_each() -> None:
    hours = [hour(h, 1, float(h), float(h), float(h)) for h in range(5)]
    points, width = merge_hours(hours, 0.0, 5 * 3600.0, 100)
    assert width == 3600.0
    assert [p.mean for p in points] == [0.0, 1.0, 2.0, 3.0, 4.0]
