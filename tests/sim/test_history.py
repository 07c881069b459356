"""The season so far (``sim.history``): what the sensors would have reported before the
clock's start, against the live devices of a real simulation and their profiles."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.modbus.pdu import parse_registers, read_request
from drivers.profile import Function
from sim.aquacrop_season import soil_layers
from sim.gateway_config import gateway_config_text
from sim.history import (
    HistoryReading,
    date_offset_to_today,
    season_history,
    start_at_time_of_day,
    write_history,
)
from sim.point_values import SOIL_POINTS, WEATHER_POINTS
from sim.scenario import DeviceRole, Scenario
from tests.sim.running import running, tcp_client
from tests.sim.scenarios import small

TOKYO = ZoneInfo("Asia/Tokyo")
# The small scenario's clock starts 2026-07-01 09:00 in Tokyo; "today" for these
# tests is a fixed instant, so they never depend on the machine's clock.
NOW = dt.datetime(2026, 11, 26, 12, 11, tzinfo=TOKYO).timestamp()
OFFSET = 148  # 2026-07-01 → 2026-11-26
LATE_PLANTING = {"planted = 2026-05-12": "planted = 2026-06-24"}
"""A week of season: enough for what the test looks at, quick to replay."""


def _by_series(readings: list[HistoryReading]) -> dict[tuple[str, str], list[HistoryReading]]:
    series: dict[tuple[str, str], list[HistoryReading]] = defaultdict(list)
    for r in readings:
        series[(r.device, r.point)].append(r)
    return series


def _number(reading: HistoryReading) -> float:
    assert isinstance(reading.value, float), reading
    return reading.value


def _jsonl(scenario: Scenario, seed: int | None) -> str:
    out = io.StringIO()
    write_history(out, scenario, seed=seed, offset_days=OFFSET, not_after=NOW)
    return out.getvalue()


def test_the_history_is_a_function_of_the_seed(tmp_path: Path) -> None:
    scenario = small(tmp_path, replace=LATE_PLANTING)
    first = _jsonl(scenario, None)
    assert first == _jsonl(scenario, None)
    assert first != _jsonl(scenario, 4)
    rows = [json.loads(line) for line in first.splitlines()]
    assert rows
    assert all(set(row) == {"device", "point", "ts", "value", "unit", "quality"} for row in rows)


def test_the_demo_plays_today_from_the_scenario_start(tmp_path: Path) -> None:
    scenario = small(tmp_path)
    assert date_offset_to_today(scenario, NOW) == OFFSET
    # Just after midnight in Tokyo, still the 25th in UTC: the site's date counts.
    assert date_offset_to_today(scenario, NOW - 12 * 3600) == OFFSET
    text = gateway_config_text(scenario, {}, date_offset_days=OFFSET)
    assert "planted = 2026-10-07" in text  # 2026-05-12 + 148 days: day 50 on 2026-11-26
    assert "planted = 2026-05-12" in gateway_config_text(scenario, {})


def test_aligned_the_village_day_runs_with_the_wall_clock(tmp_path: Path) -> None:
    scenario = small(tmp_path)
    aligned = start_at_time_of_day(scenario, NOW)
    # Its own date (the season's phase), the wall clock's time of day.
    assert aligned.clock.start == dt.datetime(2026, 7, 1, 12, 11, tzinfo=TOKYO)
    assert date_offset_to_today(aligned, NOW) == OFFSET
    readings = list(
        season_history(
            start_at_time_of_day(small(tmp_path, replace=LATE_PLANTING), NOW),
            offset_days=OFFSET,
            not_after=NOW,
        )
    )
    # The history's last hour is the one before now: no gap before the live data.
    assert NOW - 3600 <= max(r.ts for r in readings) < NOW


@pytest.fixture(scope="module")
def village_history(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Scenario, list[HistoryReading]]:
    scenario = small(tmp_path_factory.mktemp("history"))
    return scenario, list(season_history(scenario, offset_days=OFFSET, not_after=NOW))


def test_points_and_units_are_those_the_live_devices_report(
    village_history: tuple[Scenario, list[HistoryReading]],
) -> None:
    scenario, readings = village_history
    series = _by_series(readings)
    replayed = {
        d.id: d
        for d in scenario.devices.values()
        if d.role in (DeviceRole.SOIL_PROBE, DeviceRole.WEATHER_STATION)
    }
    assert {device for device, _ in series} == set(replayed)
    for device_id, device in replayed.items():
        physics = SOIL_POINTS if device.role is DeviceRole.SOIL_PROBE else WEATHER_POINTS
        measured = {
            p.name: p.unit for p in device.profile.points if not p.writable and p.name in physics
        }
        found = {point: rows[0].unit for (dev, point), rows in series.items() if dev == device_id}
        assert found == measured, device_id
        assert all(
            r.quality == "good"
            for (dev, _), rows in series.items()
            if dev == device_id
            for r in rows
        )


def test_timestamps_are_hourly_from_planting_to_the_start_moved_to_today(
    village_history: tuple[Scenario, list[HistoryReading]],
) -> None:
    _, readings = village_history
    planted = dt.datetime(2026, 10, 7, tzinfo=TOKYO).timestamp()  # shifted 2026-05-12
    start_today = dt.datetime(2026, 11, 26, 9, tzinfo=TOKYO).timestamp()
    for key, rows in _by_series(readings).items():
        stamps = [r.ts for r in rows]
        assert stamps[0] == planted, key
        assert stamps[-1] == start_today - 3600, key
        assert all(b - a == 3600 for a, b in itertools.pairwise(stamps)), key


def test_nothing_is_stamped_after_the_wall_clock(tmp_path: Path) -> None:
    scenario = small(tmp_path, replace=LATE_PLANTING)
    early = dt.datetime(2026, 11, 26, 3, 30, tzinfo=TOKYO).timestamp()  # before 09:00
    stamps = [r.ts for r in season_history(scenario, offset_days=OFFSET, not_after=early)]
    assert max(stamps) == dt.datetime(2026, 11, 26, 3, tzinfo=TOKYO).timestamp()


async def test_soil_moisture_is_physical_and_meets_the_first_live_reading(
    village_history: tuple[Scenario, list[HistoryReading]], tmp_path: Path
) -> None:
    _, readings = village_history
    series = _by_series(readings)
    moisture = [_number(r) for r in series[("soil-1", "moisture")]]
    # Between the paddy soil's wilting point and saturation, give or take the
    # sensor's bias and noise.
    layers = soil_layers("Paddy")
    low, high = 100 * min(layers.th_wp) - 4.0, 100 * max(layers.th_s) + 4.0
    assert all(low < v < high for v in moisture), (low, high, min(moisture), max(moisture))
    assert max(moisture) - min(moisture) > 0.5, "the soil water moves over the season"

    # The probe as the gateway meets it: the real simulator at its clock's start,
    # read over Modbus TCP, decoded with its profile.
    async with running(tmp_path) as sim:
        profile = sim.scenario.devices["soil-1"].profile
        points = [p for p in profile.points if p.function is Function.HOLDING and p.address < 4]
        request = read_request(3, 0, 4)
        client = tcp_client(sim)
        try:
            registers = parse_registers(request, await client.request(1, request))
        finally:
            await client.close()
    live = {p.name: float(p.decode(registers[p.address : p.end])[0] or 0.0) for p in points}
    last = {r.point: float(r.value or 0.0) for r in readings if r.device == "soil-1"}
    # One hour apart, the same bias, a fresh noise (sd 0.3 %): within a point or two.
    assert abs(last["moisture"] - live["moisture"]) < 1.5, (last, live)
    assert abs(last["temperature"] - live["temperature"]) < 1.5, (last, live)


def test_a_rain_gauge_counts_up_through_the_history(tmp_path: Path) -> None:
    scenario = small(
        tmp_path,
        replace={
            **LATE_PLANTING,
            'profile = "seeed_sensecap_one"': 'profile = "lambrecht_meteo_pro"',
        },
    )
    rain = [
        _number(r)
        for r in season_history(scenario, offset_days=OFFSET, not_after=NOW)
        if r.device == "weather" and r.point == "precipitation"
    ]
    assert rain
    assert rain[0] == pytest.approx(0.0, abs=0.01)
    assert all(b >= a for a, b in itertools.pairwise(rain))  # a running total
