"""The alert rules on gateway states built as the service reports them."""

from __future__ import annotations

from typing import Any

from edge.config import Config, load_config
from edge.storage import Event
from edge.web.queries.alerts import (
    DISK_ERROR,
    DISK_WARN,
    OUTBOX_BACKLOG_WARN,
    UPLINK_GRACE_S,
    GatewayState,
    evaluate,
)
from tests.edge.web.conftest import VILLAGE

NOW = 1_800_000_000.0
DEVICE = "soil-north-1"


def village(mqtt: bool = False) -> Config:
    config = load_config(VILLAGE)
    if mqtt:
        config = config.model_copy(
            update={"mqtt": config.mqtt.model_copy(update={"enabled": True})}
        )
    return config


def health(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "uptime_s": 3600.0,
        "tasks": [],
        "devices": {},
        "storage": {"used_bytes": 1000, "budget_bytes": 100_000},
        "uplink": None,
    }
    return {**base, **parts}


def device(state: str, **extra: Any) -> dict[str, Any]:
    return {
        "state": state,
        "last_success_ts": None,
        "last_error": "",
        "last_error_ts": None,
        **extra,
    }


def kinds(config: Config, state: GatewayState) -> dict[str, str]:
    return {a.id: a.severity for a in evaluate(config, state)}


def test_a_quiet_gateway_has_no_alerts() -> None:
    healthy = health(devices={DEVICE: device("up", last_success_ts=NOW - 5)})
    assert evaluate(village(), GatewayState(NOW, healthy, [])) == []


def test_down_device_is_an_error_and_hides_its_stale_readings() -> None:
    down = health(
        devices={
            DEVICE: device("down", last_success_ts=NOW - 600, last_error="timeout after 1.0 s")
        }
    )
    latest = [
        {
            "device": DEVICE,
            "point": "moisture",
            "ts": NOW - 600,
            "value": 30.0,
            "unit": "%",
            "quality": "stale",
        }
    ]
    alerts = evaluate(village(), GatewayState(NOW, down, latest))
    assert [(a.id, a.severity) for a in alerts] == [(f"device_down:{DEVICE}", "error")]
    assert alerts[0].field == "north-paddy"
    assert alerts[0].since == NOW - 600
    assert "timeout after 1.0 s" in alerts[0].message


def test_probing_is_news_only_after_the_first_polls() -> None:
    probing = device("probing")
    starting = health(uptime_s=5.0, devices={DEVICE: probing})
    assert evaluate(village(), GatewayState(NOW, starting, [])) == []
    later = health(uptime_s=600.0, devices={DEVICE: probing})
    assert kinds(village(), GatewayState(NOW, later, [])) == {f"device_probing:{DEVICE}": "warning"}


def test_uplink_backlog_disk_and_tasks() -> None:
    uplink = {
        "state": "waiting",
        "broker": "broker:1883",
        "last_error": "refused",
        "last_error_ts": NOW - 300,
        "outbox": {
            "pending": OUTBOX_BACKLOG_WARN + 1,
            "pending_bytes": 10,
            "budget_bytes": 1000,
            "oldest_ts": NOW - 900,
        },
    }
    tasks = [
        {
            "name": "forecaster",
            "state": "backoff",
            "restarts": 3,
            "last_error": "boom",
            "last_error_ts": NOW - 10,
        },
        {
            "name": "maintenance",
            "state": "running",
            "restarts": 1,
            "last_error": "disk",
            "last_error_ts": NOW - 60,
        },
        {
            "name": "planner-worker",
            "state": "running",
            "restarts": 1,
            "last_error": "old",
            "last_error_ts": NOW - 86_400,
        },
    ]
    state = health(
        uptime_s=UPLINK_GRACE_S + 1,
        uplink=uplink,
        tasks=tasks,
        storage={"used_bytes": int(DISK_WARN * 100_000) + 1, "budget_bytes": 100_000},
    )
    site = "yamakawa"
    assert kinds(village(mqtt=True), GatewayState(NOW, state, [])) == {
        f"task_restarting:{site}:forecaster": "error",
        f"uplink_down:{site}": "warning",
        f"outbox_backlog:{site}": "warning",
        f"disk_usage:{site}": "warning",
        f"task_failed:{site}:maintenance": "warning",
    }
    # Without MQTT configured, the uplink is nobody's concern.
    assert not any(
        k.startswith(("uplink", "outbox")) for k in kinds(village(), GatewayState(NOW, state, []))
    )


def test_thresholds_escalate() -> None:
    full_disk = health(storage={"used_bytes": int(DISK_ERROR * 100_000), "budget_bytes": 100_000})
    assert kinds(village(), GatewayState(NOW, full_disk, [])) == {"disk_usage:yamakawa": "error"}
    full_outbox = health(
        uplink={
            "state": "connected",
            "outbox": {
                "pending": 10,
                "pending_bytes": 900,
                "budget_bytes": 1000,
                "oldest_ts": None,
            },
        }
    )
    assert kinds(village(mqtt=True), GatewayState(NOW, full_outbox, [])) == {
        "outbox_backlog:yamakawa": "error"
    }


def test_events_and_readings_sorted_worst_first() -> None:
    events = [
        Event(7, NOW - 50, "write", "warning", "web", "operator", "write refused", None),
        Event(8, NOW - 40, "disk_budget", "error", "storage", "system", "pruned", None),
    ]
    latest = [
        {
            "device": DEVICE,
            "point": "ph",
            "ts": NOW - 1,
            "value": None,
            "unit": "pH",
            "quality": "invalid",
        }
    ]
    alerts = evaluate(village(), GatewayState(NOW, health(), latest, events))
    assert [a.id for a in alerts] == [
        "event:yamakawa:8",
        "event:yamakawa:7",
        f"reading_quality:{DEVICE}:invalid",
    ]
    assert alerts[0].params["event"] == "disk_budget"


def test_bad_points_of_one_device_make_one_alert_per_kind_of_trouble() -> None:
    latest = [
        {"device": DEVICE, "point": p, "ts": NOW - 5, "value": None, "unit": "V", "quality": q}
        for p, q in (
            ("cell_07", "invalid"),
            ("cell_08", "invalid"),
            ("ph", "out_of_range"),
        )
    ]
    alerts = evaluate(village(), GatewayState(NOW, health(), latest, []))
    quality = {a.id: a for a in alerts if a.kind == "reading_quality"}
    assert set(quality) == {
        f"reading_quality:{DEVICE}:invalid",
        f"reading_quality:{DEVICE}:out_of_range",
    }
    invalid = quality[f"reading_quality:{DEVICE}:invalid"]
    assert invalid.params["point"] == "cell_07, cell_08"
    assert invalid.params["count"] == "2"
