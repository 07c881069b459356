"""What the service calls: plans and forecasts published through the outbox, health."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edge.storage.store import Storage
from edge.uplink import build_uplink, outbox_policy
from models.forecast import Forecast
from planner.geo import Location
from planner.plan import Plan, Route, Visit, VisitKind
from planner.problem import Amount
from tests.conftest import Mosquitto
from tests.edge.uplink.support import (
    BASE,
    T0,
    Subscriber,
    open_storage,
    running,
    site_config,
    until,
)


async def assert_retained(mosquitto: Mosquitto, topic: str, key: str, value: object) -> None:
    """A subscriber that comes later still finds it (brokers forward to those
    already subscribed without the retain flag)."""
    async with Subscriber(mosquitto.port, [topic], client_id="late", persistent=False) as late:
        await late.wait_for(lambda ms: len(ms) >= 1)
        assert late.messages[0].retain
        assert late.messages[0].json()[key] == value


def a_plan() -> Plan:
    here = Location(33.571, 133.519)

    def visit(place: str, kind: VisitKind, t: float) -> Visit:
        return Visit(place, kind, here, t, t, t, Amount(), None, 0.0, ())

    route = Route(
        "cart-1",
        (
            visit("village-hall", VisitKind.START, 0),
            visit("r1", VisitKind.DELIVERY, 60),
            visit("village-hall", VisitKind.END, 120),
        ),
        100.0,
        0.0,
        1.0,
    )
    return Plan((route,), (), 1.0, "test", True)


async def test_a_plan_becomes_a_retained_mission_per_vehicle(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    config = site_config(mosquitto.port)
    mission = "kakashi/vehicles/cart-1/mission"
    with open_storage(tmp_path / "k.db", config) as storage:
        async with Subscriber(mosquitto.port, [mission]) as sub, running(config, storage) as up:
            await until(lambda: up.drain_stats.draining)
            plan_id = await up.publish_plan(a_plan(), "plan-7")
            assert plan_id == "plan-7"
            await sub.wait_for(lambda ms: len(ms) >= 1)
            body = sub.messages[0].json()
            assert (body["plan"], body["mission_id"], body["vehicle"]) == (
                "plan-7",
                "plan-7/cart-1",
                "cart-1",
            )
            assert [stop["id"] for stop in body["stops"]] == ["r1"]
    await assert_retained(mosquitto, mission, "plan", "plan-7")


async def test_a_forecast_is_retained_on_its_field(mosquitto: Mosquitto, tmp_path: Path) -> None:
    config = site_config(mosquitto.port)
    topic = f"{BASE}/fields/north-paddy/forecast"
    forecast = Forecast("north-paddy", T0, 4.0, 5.0, 6.0, "v1", ("gdd",), 0.4, dt.date(2025, 9, 1))
    with open_storage(tmp_path / "k.db", config) as storage:
        async with Subscriber(mosquitto.port, [topic]) as sub, running(config, storage) as up:
            await until(lambda: up.drain_stats.draining)
            await up.publish_forecast(forecast)
            await sub.wait_for(lambda ms: len(ms) >= 1)
            assert sub.messages[0].json()["p50"] == 5.0
    await assert_retained(mosquitto, topic, "p50", 5.0)


def test_the_uplink_needs_storage_with_an_outbox(tmp_path: Path) -> None:
    config = site_config(1883)
    with (
        Storage.open(tmp_path / "k.db") as storage,
        pytest.raises(ValueError, match="opened without an outbox; open it with outbox="),
    ):
        build_uplink(config, storage)
    with Storage.open(tmp_path / "k.db", outbox=outbox_policy(config)) as storage:
        uplink = build_uplink(config, storage)
        health = uplink.health()
        assert health["state"] == "stopped"
        assert health["broker"] == "127.0.0.1:1883"
