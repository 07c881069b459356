"""The outbox budget: what is given up, in which order, when the broker stays away."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from drivers.reading import Reading
from edge.storage.outbox import OutboxPolicy, OutboxStats
from edge.storage.store import Storage
from edge.uplink.messages import JsonMessages
from edge.uplink.topics import Topics
from models.forecast import Forecast

HOUR = 3600.0
H0 = 1_750_000_000.0 - 1_750_000_000.0 % HOUR  # a complete hour, long ago
TOPICS = Topics.for_site("kakashi", "yamakawa")
READINGS = "kakashi/yamakawa/devices/soil-1/readings"
ROLLUPS = "kakashi/yamakawa/devices/soil-1/rollups"


def open_with_budget(path: Path, budget: int) -> Storage:
    return Storage.open(path, outbox=OutboxPolicy(JsonMessages(TOPICS, ["cart-1"]), budget))


def fill_hour(storage: Storage, hour_start: float, device: str = "soil-1", polls: int = 6) -> None:
    """``polls`` polls of two points in one hour, one batch each."""
    for i in range(polls):
        ts = hour_start + i * 600
        storage.write_readings(
            [
                Reading(device, "moisture", ts, 30.0 + i, "%"),
                Reading(device, "temperature", ts, 15.0 + i / 2, "°C"),
            ]
        )


def stats_of(storage: Storage) -> OutboxStats:
    stats = storage.outbox_stats()
    assert stats is not None
    return stats


def test_the_oldest_hours_become_hourly_rollups_when_the_budget_is_reached(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    budget = 8_000
    with open_with_budget(tmp_path / "k.db", budget) as storage:
        storage.write_plan("plan-1", {"routes": []}, ts=H0)
        storage.record_event("boot", "started", ts=H0)
        hour = 0
        while stats_of(storage).policy["runs"] == 0:
            fill_hour(storage, H0 + hour * HOUR)
            hour += 1
            assert hour < 50, "the policy never ran"
        stats = stats_of(storage)
        assert stats.pending_bytes <= budget
        assert stats.policy["readings_folded"] > 0
        assert stats.policy["rollups_added"] >= 1

        queued = storage.outbox_rows(0, None, 10_000)
        by_topic: dict[str, list[Any]] = {}
        for row in queued:
            by_topic.setdefault(row.topic, []).append(json.loads(row.payload))
        # Plans and events are never dropped.
        assert "kakashi/vehicles/cart-1/mission" in by_topic
        assert "kakashi/yamakawa/events/boot" in by_topic
        # The first hour is gone as raw messages and present as a rollup ...
        raw_hours = {r["ts"] // HOUR * HOUR for m in by_topic[READINGS] for r in m["readings"]}
        assert H0 not in raw_hours
        rollup = by_topic[ROLLUPS][0]
        assert rollup["hour"] == H0
        assert rollup["reason"] == "outbox_budget"
        # ... whose figures are storage's own summary of that hour.
        (moisture,) = storage.rollup_history("soil-1", "moisture", H0, H0 + HOUR)
        assert rollup["points"]["moisture"] == {
            "n": 6,
            "n_good": 6,
            "min": 30.0,
            "max": 35.0,
            "mean": moisture.mean,
        }
        assert all(r.historical for r in queued if r.topic == ROLLUPS)
        # The application is logged, recorded and announced upstream.
        assert "outbox budget 8000 bytes reached" in caplog.text
        event = next(e for e in storage.events(50) if e.kind == "outbox_budget")
        assert event.data is not None
        assert event.data["rollups_added"] == stats.policy["rollups_added"]
        assert "kakashi/yamakawa/alerts/outbox_budget" in by_topic


def test_superseded_forecasts_go_first(tmp_path: Path) -> None:
    with open_with_budget(tmp_path / "k.db", 6_000) as storage:
        for day in range(3):
            storage.write_forecast(
                Forecast(
                    "north-paddy",
                    H0 + day * 86_400,
                    4.0,
                    5.0 + day,
                    6.0,
                    "v1",
                    (),
                    0.5,
                    dt.date(2025, 9, 20),
                )
            )
        hour = 0
        while stats_of(storage).policy["runs"] == 0:
            fill_hour(storage, H0 + hour * HOUR)
            hour += 1
        assert stats_of(storage).policy["forecasts_superseded"] == 2
        forecasts = [
            json.loads(r.payload)
            for r in storage.outbox_rows(0, None, 10_000)
            if r.kind == "forecast"
        ]
        assert [f["p50"] for f in forecasts] == [7.0]


def test_when_only_rollups_are_left_the_oldest_go_then_new_readings_are_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    budget = 3_000
    with open_with_budget(tmp_path / "k.db", budget) as storage:
        # Thirty devices in one past hour: their rollups alone exceed the budget.
        for device in range(30):
            storage.write_readings([Reading(f"probe-{device}", "moisture", H0 + device, 20.0, "%")])
        stats = stats_of(storage)
        assert stats.policy["rollups_dropped"] > 0
        assert stats.pending_bytes <= budget
        # The current hour is never folded: once nothing else can go, new raw
        # readings are refused, but still stored; a plan is still queued.
        now = time.time()
        for i in range(60):
            storage.write_readings([Reading("soil-1", "moisture", now + i / 100, float(i), "%")])
        full = stats_of(storage).policy
        assert full["readings_refused"] > 0
        # Once nothing is left to give up, refusals are counted and logged, not
        # each recorded as another application of the policy.
        for i in range(60, 80):
            storage.write_readings([Reading("soil-1", "moisture", now + i / 100, float(i), "%")])
        later = stats_of(storage).policy
        assert later["readings_refused"] == full["readings_refused"] + 20
        assert later["runs"] == full["runs"]
        budget_events = [e for e in storage.events(500) if e.kind == "outbox_budget"]
        assert len(budget_events) == later["runs"]
        assert len(storage.history("soil-1", "moisture", now - 1, now + 10)) == 80
        assert "outbox full" in caplog.text
        assert "are stored but will not be sent" in caplog.text
        storage.write_plan("late-plan", {"routes": []})
        assert any(r.kind == "plan" for r in storage.outbox_rows(0, None, 10_000))
