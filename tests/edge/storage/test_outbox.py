"""The outbox fills in the transactions that store its data, and only then."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from drivers.reading import Quality, Reading
from edge.storage.outbox import OutboxMessage, OutboxPolicy
from edge.storage.store import Storage
from edge.uplink.messages import JsonMessages
from edge.uplink.topics import Topics
from models.forecast import Forecast

T0 = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC
HOUR = 3600.0
TOPICS = Topics.for_site("kakashi", "yamakawa")


def policy(budget: int = 10_000_000) -> OutboxPolicy:
    return OutboxPolicy(JsonMessages(TOPICS, ["cart-1"]), budget)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    with Storage.open(tmp_path / "k.db", outbox=policy()) as opened:
        yield opened


def rows(storage: Storage) -> list[tuple[int, str, str, dict[str, Any], bool]]:
    return [
        (r.id, r.kind, r.topic, json.loads(r.payload), r.historical)
        for r in storage.outbox_rows(0, None, 10_000)
    ]


def test_a_stored_batch_is_queued_one_message_per_device_and_hour(storage: Storage) -> None:
    hour_start = T0 - T0 % HOUR
    batch = [
        Reading("soil-1", "moisture", hour_start + 10, 31.5, "%"),
        Reading("soil-2", "moisture", hour_start + 11, 40.0, "%"),
        Reading("soil-1", "temperature", hour_start + 12, 18.25, "°C"),
        Reading("soil-1", "moisture", hour_start + HOUR + 1, 31.0, "%"),  # next hour
    ]
    assert storage.write_readings(batch) == 4
    queued = rows(storage)
    assert [(kind, topic) for _, kind, topic, _, _ in queued] == [
        ("reading", "kakashi/yamakawa/devices/soil-1/readings"),
        ("reading", "kakashi/yamakawa/devices/soil-2/readings"),
        ("reading", "kakashi/yamakawa/devices/soil-1/readings"),
    ]
    first = queued[0][3]
    assert first == {
        "device": "soil-1",
        "readings": [
            {
                "point": "moisture",
                "ts": hour_start + 10,
                "value": 31.5,
                "unit": "%",
                "quality": "good",
            },
            {
                "point": "temperature",
                "ts": hour_start + 12,
                "value": 18.25,
                "unit": "°C",
                "quality": "good",
            },
        ],
    }
    stored = storage.outbox_rows(0, None, 10)
    assert stored[0].created_ms == round((hour_start + 10) * 1000)
    assert stored[2].created_ms == round((hour_start + HOUR + 1) * 1000)


def test_invalid_readings_are_queued_as_null_and_rejected_ones_not_at_all(
    storage: Storage,
) -> None:
    batch: list[Any] = [
        Reading("m-1", "rain", T0, None, "mm", Quality.INVALID),
        Reading("m-1", "wind", T0, float("nan"), "m/s"),
        Reading("m-1", "", T0, 1.0, "x"),  # no point name: not stored, not queued
    ]
    assert storage.write_readings(batch) == 2
    ((_, _, _, body, _),) = rows(storage)
    assert [(r["point"], r["value"], r["quality"]) for r in body["readings"]] == [
        ("rain", None, "invalid"),
        ("wind", None, "good"),
    ]


class _Broken(JsonMessages):
    def readings(self, readings: Sequence[Reading]) -> list[OutboxMessage]:
        raise RuntimeError("no words for these readings")


def test_readings_and_their_messages_commit_together_or_not_at_all(tmp_path: Path) -> None:
    broken = OutboxPolicy(_Broken(TOPICS), 10_000_000)
    with Storage.open(tmp_path / "k.db", outbox=broken) as storage:
        woken: list[int] = []
        assert storage.outbox is not None
        storage.outbox.add_listener(lambda: woken.append(1))
        with pytest.raises(RuntimeError, match="no words"):
            storage.write_readings([Reading("soil-1", "moisture", T0, 30.0, "%")])
        assert storage.history("soil-1", "moisture", 0, float("inf")) == []
        assert storage.latest() == []
        assert storage.outbox_rows(0, None, 10) == []
        stats = storage.outbox_stats()
        assert stats is not None
        assert (stats.pending, stats.pending_bytes) == (0, 0)
        assert woken == []


def test_without_an_outbox_nothing_is_queued(tmp_path: Path) -> None:
    with Storage.open(tmp_path / "k.db") as storage:
        storage.write_readings([Reading("soil-1", "moisture", T0, 30.0, "%")])
        storage.record_event("boot", "started")
        assert storage.outbox is None
        assert storage.outbox_stats() is None
        with storage.locked() as db:
            assert db.conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)


def test_unsent_messages_are_kept_and_reported_when_the_uplink_is_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "k.db"
    with Storage.open(path, outbox=policy()) as storage:
        storage.write_readings([Reading("soil-1", "moisture", T0, 30.0, "%")])
    with Storage.open(path) as storage:
        pass
    assert "outbox holds 1 unsent messages and the uplink is off" in caplog.text
    with Storage.open(path, outbox=policy()) as storage:
        assert len(storage.outbox_rows(0, None, 10)) == 1


def test_listeners_hear_of_commits_that_queued_something(storage: Storage) -> None:
    woken: list[int] = []
    assert storage.outbox is not None
    storage.outbox.add_listener(lambda: woken.append(1))
    storage.write_readings([Reading("soil-1", "moisture", T0, 30.0, "%")])
    assert woken == [1]
    storage.outbox_delete([1])
    assert woken == [1]


def test_events_are_queued_as_events_or_alerts(storage: Storage) -> None:
    storage.record_event("service_started", "Kakashi started", source="service")
    storage.record_event(
        "write", "write refused", severity="warning", actor="aiko", data={"path": Path("/x")}
    )
    queued = rows(storage)
    assert [(kind, topic) for _, kind, topic, _, _ in queued] == [
        ("event", "kakashi/yamakawa/events/service_started"),
        ("event", "kakashi/yamakawa/alerts/write"),
    ]
    alert = queued[1][3]
    assert alert["event"] == storage.events(1)[0].id
    assert (alert["actor"], alert["severity"], alert["data"]) == ("aiko", "warning", {"path": "/x"})


def test_a_plan_queues_a_mission_per_vehicle_and_clears_idle_ones(storage: Storage) -> None:
    plan = {
        "feasible": True,
        "routes": [{"vehicle": "drone-9", "stops": ["r1"], "visits": []}],
        "dropped": [],
    }
    storage.write_plan("plan-1", plan, ts=T0)
    missions = {topic: body for _, kind, topic, body, _ in rows(storage) if kind == "plan"}
    # An idle vehicle's mission has no stops: it recalls the vehicle, so an
    # older retained mission never sends it out again.
    assert missions == {
        "kakashi/vehicles/cart-1/mission": {
            "mission_id": "plan-1/cart-1",
            "vehicle": "cart-1",
            "stops": [],
            "return_to_depot": True,
            "plan": "plan-1",
            "created": T0,
            "feasible": True,
        },
        "kakashi/vehicles/drone-9/mission": {
            "mission_id": "plan-1/drone-9",
            "vehicle": "drone-9",
            "stops": [],
            "return_to_depot": True,
            "plan": "plan-1",
            "created": T0,
            "feasible": True,
        },
    }
    with storage.locked() as db:
        assert db.conn.execute("SELECT id, status FROM plans").fetchall() == [
            ("plan-1", "dispatched")
        ]


def test_a_forecast_is_stored_and_queued(storage: Storage) -> None:
    note = "field north-paddy: no rain gauge; band widened"
    forecast = Forecast(
        "north-paddy", T0, 4.1, 5.2, 6.0, "rice-v3", ("gdd",), 0.5, dt.date(2025, 9, 20), (note,)
    )
    storage.write_forecast(forecast)
    ((_, kind, topic, body, _),) = rows(storage)
    assert (kind, topic) == ("forecast", "kakashi/yamakawa/fields/north-paddy/forecast")
    assert body["p50"] == 5.2
    assert body["expected_harvest"] == "2025-09-20"
    assert body["notes"] == [note]
    with storage.locked() as db:
        assert db.conn.execute("SELECT field, p50 FROM forecasts").fetchall() == [
            ("north-paddy", 5.2)
        ]


def test_acknowledged_messages_are_deleted_and_counts_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with Storage.open(path, outbox=policy()) as storage:
        for i in range(5):
            storage.write_readings([Reading("soil-1", "moisture", T0 + i * HOUR, 1.0 * i, "%")])
        stats = storage.outbox_stats()
        assert stats is not None
        assert stats.pending == 5
        assert storage.outbox_delete([1, 2, 99]) == 2
        after = storage.outbox_stats()
        assert after is not None
        assert after.pending == 3
        assert after.oldest_ts == T0 + 2 * HOUR
        assert storage.outbox_last_id() == 5
        assert [r.id for r in storage.outbox_rows(3, 4, 10)] == [4]
    with Storage.open(path, outbox=policy()) as storage:
        reopened = storage.outbox_stats()
        assert reopened is not None
        assert (reopened.pending, reopened.pending_bytes) == (after.pending, after.pending_bytes)


def test_ids_are_never_reused(storage: Storage) -> None:
    storage.write_readings([Reading("a", "p", T0, 1.0, "")])
    storage.outbox_delete([1])
    storage.write_readings([Reading("a", "p", T0 + 1, 1.0, "")])
    assert [r.id for r in storage.outbox_rows(0, None, 10)] == [2]


def test_a_disk_budget_prune_is_an_alert_upstream_too(tmp_path: Path) -> None:
    with Storage.open(tmp_path / "k.db", disk_budget_bytes=200_000, outbox=policy()) as storage:
        for hour in range(12):
            storage.write_readings(
                [
                    Reading(f"soil-{d}", "moisture", T0 + hour * HOUR + s, 30.0, "%", Quality.GOOD)
                    for d in range(10)
                    for s in range(0, 3600, 60)
                ]
            )
        report = storage.maintain(T0 + 12 * HOUR)
        alerts = [
            body
            for _, kind, topic, body, _ in rows(storage)
            if topic.endswith("/alerts/disk_budget")
        ]
    assert report.pruned_budget > 0
    assert len(alerts) == 1
    assert alerts[0]["data"]["pruned"] == report.pruned_budget
