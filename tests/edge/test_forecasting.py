"""Fields get yield forecasts from their stored readings, through the shipped models."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import pickle
import time
from pathlib import Path

import pytest

from drivers.reading import Quality, Reading
from edge.config import parse_config
from edge.forecasting import FieldForecasts, field_sensor_points, forecast_in_child
from edge.storage import Storage

DAYS = 45

CONFIG = """
[site]
id = "t"
name = "T"
timezone = "Asia/Tokyo"
location = {{ lat = 33.57, lon = 133.52 }}

[site.fields.paddy]
name = "Paddy"
crop = "rice"
area_ha = 0.6
planted = {planted}
boundary = [[133.5201, 33.5702], [133.5209, 33.5702], [133.5209, 33.5707]]

[site.fields.beans]
name = "Beans"
crop = "soybean"
area_ha = 0.2
boundary = [[133.5201, 33.5702], [133.5209, 33.5702], [133.5209, 33.5707]]

[buses.b]
type = "modbus_tcp"
host = "127.0.0.1"
port = 5020

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "b"
unit = 1
field = "paddy"

[devices.soil-2]
profile = "dfrobot_sen0604"
bus = "b"
unit = 2
field = "paddy"

[devices.station]
profile = "lambrecht_meteo_pro"
bus = "b"
unit = 3
"""


def _config(now: float, days: int = DAYS) -> str:
    planted = dt.datetime.fromtimestamp(now, dt.UTC).date() - dt.timedelta(days=days)
    return CONFIG.format(planted=planted.isoformat())


def test_roles_come_from_the_field_and_the_site_station_by_name_and_unit() -> None:
    roles = field_sensor_points(parse_config(_config(time.time()), "t.toml"), "paddy")
    assert roles["soil_moisture_shallow"] == ("soil-1", "moisture")
    assert roles["soil_moisture_deep"] == ("soil-2", "moisture")
    assert roles["air_temperature"] == ("station", "air_temperature")
    assert roles["pressure"] == ("station", "pressure")
    assert roles["precipitation"] == ("station", "precipitation")


def _season(now: float, days: int = DAYS) -> list[Reading]:
    start = now - days * 86400
    readings = []
    rain = 0.0
    for hour in range(days * 24):
        ts = start + hour * 3600
        day_phase = math.sin(2 * math.pi * ((hour % 24) - 9) / 24)
        rain += 0.4 if hour % 72 == 0 else 0.0
        values = {
            ("station", "air_temperature", "°C"): 26 + 5 * day_phase,
            ("station", "humidity", "%"): 75 - 15 * day_phase,
            ("station", "wind_speed", "m/s"): 2.0,
            ("station", "global_radiation", "W/m²"): max(0.0, 700 * day_phase),
            ("station", "pressure", "hPa"): 1008.0,
            ("station", "precipitation", "mm"): rain,
            ("soil-1", "moisture", "%"): 38.0,
            ("soil-2", "moisture", "%"): 41.0,
        }
        readings += [
            Reading(dev, point, ts, value, unit, Quality.GOOD)
            for (dev, point, unit), value in values.items()
        ]
    return readings


def test_a_field_with_a_model_and_a_season_of_readings_gets_a_stored_forecast(
    tmp_path: Path,
) -> None:
    now = time.time()
    config = parse_config(_config(now), "t.toml")
    with Storage.open(tmp_path / "k.db") as storage:
        readings = _season(now)
        for i in range(0, len(readings), 5000):
            storage.write_readings(readings[i : i + 5000])
        stored = FieldForecasts(config, storage, tmp_path / "models").run_once(now)
        with storage.locked() as db:
            rows = db.conn.execute(
                "SELECT field, p10, p50, p90, model_version FROM forecasts"
            ).fetchall()
    assert stored == 1, "the soybean field has no model and no planting date: no forecast"
    [(field, p10, p50, p90, version)] = rows
    assert field == "paddy"
    assert 0 < p10 <= p50 <= p90 < 20, "t/ha"
    assert version.startswith("yield-rice") or "rice" in version


def test_a_late_season_forecast_suggests_a_pickup_a_coordinator_can_confirm(
    tmp_path: Path,
) -> None:
    now = time.time()
    days = 100  # past 60 % of a rice season: the band is narrow enough to book vehicles
    config = parse_config(_config(now, days), "t.toml")
    with Storage.open(tmp_path / "k.db") as storage:
        readings = _season(now, days)
        for i in range(0, len(readings), 5000):
            storage.write_readings(readings[i : i + 5000])
        forecasts = FieldForecasts(config, storage, tmp_path / "models")
        assert forecasts.run_once(now) == 1
        with storage.locked() as db:
            [(order_id, status, data)] = db.conn.execute(
                "SELECT id, status, data FROM orders"
            ).fetchall()
            [(p50,)] = db.conn.execute("SELECT p50 FROM forecasts").fetchall()
            db.conn.execute("UPDATE orders SET status = 'confirmed', data = '{}'")
        forecasts.run_once(now + 3600)
        with storage.locked() as db:
            after = db.conn.execute("SELECT status, data FROM orders").fetchall()
    assert order_id.startswith("pickup-paddy-")
    assert status == "suggested"
    order = json.loads(data)
    assert order["quantity_kg"] == round(p50 * 0.6 * 1000)
    assert order["field"] == "paddy"
    assert after == [("confirmed", "{}")], "a confirmed order is the coordinator's, not ours"


def test_the_shallowest_probe_by_depth_is_the_topsoil_one_whatever_the_order() -> None:
    text = (
        _config(time.time())
        .replace('unit = 1\nfield = "paddy"', 'unit = 1\nfield = "paddy"\ndepth_m = 0.45')
        .replace('unit = 2\nfield = "paddy"', 'unit = 2\nfield = "paddy"\ndepth_m = 0.15')
    )
    roles = field_sensor_points(parse_config(text, "t.toml"), "paddy")
    assert roles["soil_moisture_shallow"] == ("soil-2", "moisture")
    assert roles["soil_moisture_deep"] == ("soil-1", "moisture")


def test_soil_texture_and_irrigation_reach_the_model_and_the_stored_forecast(
    tmp_path: Path,
) -> None:
    now = time.time()
    text = _config(now).replace(
        'crop = "rice"\narea_ha = 0.6',
        'crop = "rice"\narea_ha = 0.6\nsoil_texture = "paddy"\nirrigation = "flooded"',
    )
    config = parse_config(text, "t.toml")
    with Storage.open(tmp_path / "k.db") as storage:
        readings = _season(now)
        for i in range(0, len(readings), 5000):
            storage.write_readings(readings[i : i + 5000])
        assert FieldForecasts(config, storage, tmp_path / "models").run_once(now) == 1
        with storage.locked() as db:
            [(used, progress, harvest, notes)] = db.conn.execute(
                "SELECT features_used, progress, expected_harvest, notes FROM forecasts"
            ).fetchall()
    features = json.loads(used)
    assert {"soil_wp", "soil_fc", "irrigation_trigger"} <= set(features)
    # What was degraded is stored with the forecast, for the page and the uplink.
    said = json.loads(notes)
    assert any("co2_ppm" in n and "held at" in n for n in said)
    assert any("location not used" in n for n in said)
    assert 0 < progress < 1
    planted = dt.datetime.fromtimestamp(now, dt.UTC).date() - dt.timedelta(days=DAYS)
    assert dt.date.fromisoformat(harvest) > planted + dt.timedelta(days=DAYS)


async def test_a_pass_runs_in_a_child_that_stores_the_forecast_and_exits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The service keeps no onnxruntime, numpy or model in memory: each hourly pass
    # is a child process (edge.forecast_child) that writes into the same database.
    now = time.time()
    config = parse_config(_config(now), "t.toml")
    db = tmp_path / "k.db"
    config = config.model_copy(update={"storage": config.storage.model_copy(update={"path": db})})
    with Storage.open(db) as storage:
        readings = _season(now)
        for i in range(0, len(readings), 5000):
            storage.write_readings(readings[i : i + 5000])
    caplog.set_level(logging.INFO, logger="edge.forecasting")
    assert await forecast_in_child(pickle.dumps(config), tmp_path / "models")
    with Storage.open(db) as storage, storage.locked() as database:
        rows = database.conn.execute("SELECT field FROM forecasts").fetchall()
    assert rows == [("paddy",)]
    # The child's own log line, re-logged by the service.
    assert any("1 field(s) forecast" in r.message for r in caplog.records), caplog.text


async def test_a_failing_pass_is_logged_and_the_next_one_tries_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="edge.forecasting")
    assert not await forecast_in_child(pickle.dumps("not a configuration"), tmp_path)
    assert "the pass failed (exit 2)" in caplog.text
    assert "expected a Config on stdin, found str" in caplog.text
