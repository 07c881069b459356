"""The monitoring JSON API over a real storage file, as each role sees it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from drivers.reading import Quality, Reading
from edge.service import Service
from edge.web.access import Role
from tests.edge.web.monitoring_data import (
    DEVICE,
    FIELD,
    bad_reading,
    forecast,
    soil_readings,
    write_all,
)

ClientAs = Callable[[Role | None], TestClient]

READ_ENDPOINTS = [
    "/api/readings/latest",
    f"/api/readings/{DEVICE}/moisture",
    "/api/devices",
    f"/api/devices/{DEVICE}",
    "/api/fields",
    f"/api/fields/{FIELD}",
    f"/api/fields/{FIELD}/forecasts",
    "/api/forecasts/latest",
    "/api/alerts",
    "/api/events",
    "/api/health",
    "/metrics",
]

DRY_NOTE = "field north: no rain gauge; band widened"


@pytest.fixture
def viewer(client_as: ClientAs) -> TestClient:
    return client_as(Role.VIEWER)


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_every_read_endpoint_refuses_anonymous_and_serves_a_viewer(
    client_as: ClientAs, path: str
) -> None:
    anonymous = client_as(None).get(path, headers={"Accept": "application/json"})
    assert anonymous.status_code == 401, anonymous.text
    for role in Role:
        answer = client_as(role).get(path)
        assert answer.status_code == 200, (role, answer.text)


def test_device_write_is_refused_to_a_viewer_and_reaches_the_pollers_for_an_operator(
    client_as: ClientAs,
) -> None:
    path = f"/api/devices/{DEVICE}/points/moisture/write"
    refused = client_as(Role.VIEWER).post(path, json={"value": 1})
    assert refused.status_code == 403
    assert "operator" in refused.json()["detail"]
    # No pollers run in this gateway, so the device is not reachable: 404, never 500.
    for role in (Role.OPERATOR, Role.COORDINATOR, Role.ADMIN):
        answer = client_as(role).post(path, json={"value": 1})
        assert answer.status_code == 404, answer.text
        assert DEVICE in answer.json()["detail"]


def test_history_is_raw_for_a_short_range_and_hourly_for_a_long_one(
    web_gateway: Service, viewer: TestClient
) -> None:
    assert web_gateway.storage is not None
    now = time.time()
    start = now - 3 * 86_400
    write_all(web_gateway.storage, soil_readings(start, 3 * 8640 // 10, step_s=100.0))

    short = viewer.get(
        f"/api/readings/{DEVICE}/moisture", params={"start": now - 3600, "end": now}
    ).json()
    assert short["resolution"] == "raw"
    assert short["unit"] == "%"
    assert short["bucket_s"] is None
    assert 30 <= len(short["points"]) <= 37
    assert set(short["points"][0]) == {"ts", "value", "quality"}
    assert all(now - 3600.001 <= p["ts"] < now for p in short["points"])  # ms precision

    long = viewer.get(
        f"/api/readings/{DEVICE}/moisture", params={"start": start, "end": now}
    ).json()
    assert long["resolution"] == "hour"
    assert set(long["points"][0]) == {"ts", "mean", "min", "max", "n", "n_good"}
    assert 72 <= len(long["points"]) <= 74
    assert all(p["min"] <= p["mean"] <= p["max"] for p in long["points"])
    assert sum(p["n"] for p in long["points"]) == 3 * 8640 // 10

    forced = viewer.get(
        f"/api/readings/{DEVICE}/moisture",
        params={"start": now - 3600, "end": now, "resolution": "hour"},
    ).json()
    assert forced["resolution"] == "hour"


def test_history_is_capped_and_keeps_a_spike(web_gateway: Service, viewer: TestClient) -> None:
    assert web_gateway.storage is not None
    now = time.time()
    start = now - 40 * 3600
    write_all(web_gateway.storage, soil_readings(start, 40 * 360))  # 14,400 polls, 10 s apart
    # One reading among 14,400 replaced by a spike: thinning must not hide it.
    spike = Reading(DEVICE, "moisture", start + 7777 * 10, 99.5, "%")
    web_gateway.storage.write_readings([spike])
    series = viewer.get(
        f"/api/readings/{DEVICE}/moisture", params={"start": start, "end": now}
    ).json()
    assert series["resolution"] == "raw"
    assert len(series["points"]) <= 1000  # the default cap
    assert series["bucket_s"] == pytest.approx((now - start) / 500)
    assert max(p["value"] for p in series["points"]) == 99.5
    assert min(p["value"] for p in series["points"]) == 30.0
    small = viewer.get(
        f"/api/readings/{DEVICE}/moisture",
        params={"start": start, "end": now, "max_points": 50},
    ).json()
    assert len(small["points"]) <= 50
    assert 99.5 in [p["value"] for p in small["points"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": 100.0, "end": 50.0}, "end"),
        ({"start": 0.0, "end": 500 * 86_400.0}, "start"),
        ({"start": "nan"}, "start"),
        ({"end": "inf"}, "end"),
        ({"start": "yesterday"}, "start"),
        ({"resolution": "minute"}, "resolution"),
        ({"start": 0.0, "end": 8 * 86_400.0, "resolution": "raw"}, "resolution"),
        ({"max_points": 0}, "max_points"),
    ],
)
def test_history_refuses_bad_parameters_naming_them(
    viewer: TestClient, params: dict[str, object], field: str
) -> None:
    answer = viewer.get(f"/api/readings/{DEVICE}/moisture", params=params)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(e["loc"][-1] == field for e in errors), errors


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/readings/no-such-probe/moisture", "device"),
        (f"/api/readings/{DEVICE}/no_such_point", "point"),
        ("/api/devices/no-such-probe", "device"),
        ("/api/fields/no-such-field", "field"),
        ("/api/fields/no-such-field/forecasts", "field"),
    ],
)
def test_unknown_names_get_404_naming_the_parameter(
    viewer: TestClient, path: str, named: str
) -> None:
    answer = viewer.get(path)
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith(f"{named}: ")


def test_devices_list_points_with_latest_values_and_stale_flags(
    web_gateway: Service, viewer: TestClient
) -> None:
    assert web_gateway.storage is not None
    now = time.time()
    # pH last read ten minutes ago: more than three 10 s polls, so stale.
    write_all(web_gateway.storage, soil_readings(now - 600, 1))
    fresh = [r for r in soil_readings(now - 20, 2) if r.point != "ph"]
    write_all(web_gateway.storage, fresh)
    devices = viewer.get("/api/devices").json()
    assert [d["id"] for d in devices] == [DEVICE]
    dev = viewer.get(f"/api/devices/{DEVICE}").json()
    assert dev == devices[0]
    assert dev["field"] == FIELD
    assert dev["profile"] == "dfrobot_sen0604"
    assert dev["poll_interval_s"] == 10.0
    assert dev["state"] == "unknown"  # nothing polls in this gateway
    points = {p["point"]: p for p in dev["points"]}
    assert list(points) == ["moisture", "temperature", "ec", "ph"]
    assert points["moisture"]["unit"] == "%"
    assert points["moisture"]["quality"] == "good"
    assert points["moisture"]["value"] == pytest.approx(30.1)
    assert points["ph"]["quality"] == "stale"
    assert points["ph"]["description"] == "Soil pH"
    assert not any(p["writable"] for p in dev["points"])  # the probe is read only


def test_fields_show_key_readings_sparkline_forecast_and_alerts(
    web_gateway: Service, viewer: TestClient
) -> None:
    storage = web_gateway.storage
    assert storage is not None
    now = time.time()
    write_all(storage, soil_readings(now - 86_400 + 60, 8640 - 6))
    storage.write_forecast(forecast(FIELD, now - 7200, 5.1))
    storage.write_forecast(forecast(FIELD, now - 3600, 5.4, ("gdd", "soil_moisture"), (DRY_NOTE,)))
    storage.write_readings([bad_reading(now - 1, Quality.OUT_OF_RANGE)])

    fields = viewer.get("/api/fields").json()
    assert [f["id"] for f in fields] == ["north-paddy", "river-garden", "terrace-maize"]
    north = viewer.get(f"/api/fields/{FIELD}").json()
    assert north == fields[0]
    assert north["crop"] == "rice"
    assert north["planted"] == "2026-05-12"
    assert len(north["boundary"]) == 4
    assert north["devices"] == [DEVICE]
    roles = {r["role"]: r for r in north["readings"]}
    assert list(roles) == ["soil_moisture", "soil_temperature", "ec", "ph"]
    assert roles["ph"]["quality"] == "out_of_range"
    spark = north["sparkline"]
    assert spark["point"] == "moisture"
    assert 23 <= len(spark["ts"]) == len(spark["mean"]) <= 24
    assert all(30.0 <= m <= 36.0 for m in spark["mean"])
    assert north["forecast"]["p50"] == 5.4
    assert north["forecast"]["features_used"] == ["gdd", "soil_moisture"]
    assert north["forecast"]["expected_harvest"] == "2026-09-20"
    assert north["forecast"]["notes"] == [DRY_NOTE]
    assert [a["kind"] for a in north["alerts"]] == ["reading_quality"]
    garden = fields[1]
    assert garden["devices"] == []
    assert garden["sparkline"] is None
    assert garden["forecast"] is None
    assert garden["alerts"] == []


def test_forecast_history_and_latest(web_gateway: Service, viewer: TestClient) -> None:
    storage = web_gateway.storage
    assert storage is not None
    now = time.time()
    for i in range(5):
        storage.write_forecast(forecast(FIELD, now - (5 - i) * 3600, 4.0 + i / 10))
    storage.write_forecast(forecast("terrace-maize", now - 100, 7.5))
    history = viewer.get(f"/api/fields/{FIELD}/forecasts").json()
    assert [f["p50"] for f in history["forecasts"]] == [4.0, 4.1, 4.2, 4.3, 4.4]
    window = viewer.get(
        f"/api/fields/{FIELD}/forecasts", params={"start": now - 3.5 * 3600, "end": now}
    ).json()
    assert [f["p50"] for f in window["forecasts"]] == [4.2, 4.3, 4.4]
    latest = viewer.get("/api/forecasts/latest").json()
    assert [(f["field"], f["p50"]) for f in latest] == [(FIELD, 4.4), ("terrace-maize", 7.5)]
    bad = viewer.get(f"/api/fields/{FIELD}/forecasts", params={"start": now, "end": now - 1})
    assert bad.status_code == 422


def test_alerts_include_quality_stale_disk_and_recent_warnings(
    web_gateway: Service, viewer: TestClient
) -> None:
    storage = web_gateway.storage
    assert storage is not None
    now = time.time()
    storage.write_readings([bad_reading(now - 2, Quality.INVALID)])
    storage.write_readings(soil_readings(now - 900, 1))  # 15 min old: stale
    storage.record_event("write", "write failed", severity="warning", source="web")
    storage.record_event("note", "just info", severity="info")
    alerts = viewer.get("/api/alerts").json()
    kinds = {a["kind"]: a for a in alerts}
    assert set(kinds) == {"reading_quality", "reading_stale", "event"}
    assert kinds["reading_quality"]["subject"] == DEVICE
    assert kinds["reading_quality"]["field"] == FIELD
    assert kinds["reading_stale"]["params"]["count"] == "3"
    assert kinds["event"]["message"] == "write failed"
    assert all(
        set(a)
        == {
            "id",
            "severity",
            "kind",
            "subject_kind",
            "subject",
            "field",
            "message",
            "params",
            "since",
        }
        for a in alerts
    )


def test_health_keeps_its_detail_and_adds_a_summary(
    web_gateway: Service, viewer: TestClient
) -> None:
    body = viewer.get("/api/health").json()
    assert {"tasks", "bus", "devices", "storage", "uplink"} <= set(body)
    summary = body["summary"]
    assert summary["uplink"] == "off"
    assert summary["outbox_backlog"] is None
    assert summary["disk_used_bytes"] > 0
    assert summary["tasks_ok"] == summary["tasks_total"] == 0
    assert summary["storage_open"] is True
