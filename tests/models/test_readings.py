from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from drivers.reading import Quality
from models.hourly import Hour, hourly_from_raw
from models.readings import FieldSensors, SeasonWindow, SiteLocation, build_daily, daily_totals

TZ = ZoneInfo("Asia/Tokyo")
PLANTED = dt.date(2024, 6, 1)
SITE = SiteLocation(lat=35.0, elevation_m=50.0, tz=TZ)
WINDOW = SeasonWindow(PLANTED, 3, TZ)


def _hours(values: dict[int, float]) -> list[Hour]:
    """Hourly summaries: ``values`` maps hour-of-season to the hour's value."""
    start = WINDOW.start(0)
    return [Hour(start + 3600 * h, 1, v, v, v) for h, v in sorted(values.items())]


def test_raw_readings_become_hourly_summaries_of_good_numbers_only() -> None:
    rows = [
        (7200.0, 10.0, Quality.GOOD),
        (7260.0, 14.0, Quality.GOOD),
        (7300.0, 99.0, Quality.OUT_OF_RANGE),
        (7400.0, None, Quality.INVALID),
        (10800.0, 5.0, Quality.GOOD),
    ]
    hourly = hourly_from_raw(lambda d, p, s, e: rows)("probe", "moisture", 0.0, 20000.0)
    assert [(h.hour, h.n_good, h.min, h.max, h.mean) for h in hourly] == [
        (7200.0, 2, 10.0, 14.0, 12.0),
        (10800.0, 1, 5.0, 5.0, 5.0),
    ]


def test_counter_totals_per_local_day_survive_a_restart() -> None:
    counter = {h: 100.0 + 0.5 * h for h in range(-1, 30)}  # 0.5 mm every hour
    counter.update({h: 0.5 * (h - 30) for h in range(30, 48)})  # restarted at hour 30
    totals = daily_totals(WINDOW, _hours(counter))
    assert totals[0] == pytest.approx(12.0)
    assert totals[1] == pytest.approx(12.0 - 0.5 - 0.5 + 0.0 + 0.5)  # restart hour counts from 0
    assert np.isnan(totals[2])  # no data that day


def test_daily_series_from_a_station_and_a_probe() -> None:
    start = WINDOW.start(0)
    temp = [
        Hour(start + 3600 * h, 6, 15 + (h % 24) / 2, 16 + (h % 24) / 2, 15.5) for h in range(72)
    ]
    moisture = [Hour(start + 3600 * h, 6, 30.0, 30.0, 30.0) for h in range(0, 72, 3)]
    series = {("wx", "air_temperature"): temp, ("soil", "moisture"): moisture}

    def source(device: str, point: str, s: float, e: float) -> list[Hour]:
        return [h for h in series.get((device, point), []) if s <= h.hour < e]

    sensors = FieldSensors(
        air_temperature=("wx", "air_temperature"), soil_moisture_shallow=("soil", "moisture")
    )
    built = build_daily(source, sensors, PLANTED, 3, SITE)
    np.testing.assert_allclose(built.series.tmin, [15.0] * 3)
    np.testing.assert_allclose(built.series.tmax, [27.5] * 3)
    np.testing.assert_allclose(built.series.sm_shallow, [30.0] * 3)
    assert np.all(built.series.et0 > 0)
    assert built.hargreaves_days == 3  # no radiation sensor
    assert np.all(np.isnan(built.series.rain))
    assert np.all(np.isnan(built.series.sm_deep))


def test_a_day_with_too_few_hours_has_no_temperature() -> None:
    start = WINDOW.start(0)
    temp = [Hour(start + 3600 * h, 1, 10.0, 20.0, 15.0) for h in range(24 + 10)]
    built = build_daily(
        lambda d, p, s, e: [h for h in temp if s <= h.hour < e],
        FieldSensors(air_temperature=("wx", "t")),
        PLANTED,
        2,
        SITE,
    )
    assert not np.isnan(built.series.tmax[0])
    assert np.isnan(built.series.tmax[1])
    assert np.isnan(built.series.et0[1])
