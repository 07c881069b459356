"""The outbox drained to a real mosquitto: live first, the backlog flagged and paced."""

from __future__ import annotations

import asyncio
from pathlib import Path

from drivers.reading import Reading
from edge.storage.store import Storage
from tests.conftest import Mosquitto
from tests.edge.uplink.support import (
    BASE,
    T0,
    Received,
    Subscriber,
    open_storage,
    running,
    site_config,
    until,
)

READINGS = f"{BASE}/devices/soil-1/readings"


def store_one(storage: Storage, i: int, device: str = "soil-1") -> None:
    storage.write_readings([Reading(device, "moisture", T0 + i, float(i), "%")])


def pending(storage: Storage) -> int:
    stats = storage.outbox_stats()
    assert stats is not None
    return stats.pending


def readings(messages: list[Received], device: str = "soil-1") -> list[Received]:
    return [m for m in messages if m.topic == f"{BASE}/devices/{device}/readings"]


async def test_readings_stored_while_connected_go_out_live_in_order(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    config = site_config(mosquitto.port)
    with open_storage(tmp_path / "k.db", config) as storage:
        async with Subscriber(mosquitto.port, [READINGS]) as sub, running(config, storage) as up:
            await until(lambda: up.drain_stats.draining)
            for i in range(20):
                await asyncio.to_thread(store_one, storage, i)
            await sub.wait_for(lambda ms: len(ms) >= 20)
            bodies = [m.json() for m in sub.messages]
            assert [b["readings"][0]["value"] for b in bodies] == [float(i) for i in range(20)]
            assert not any(b["historical"] for b in bodies)
            ids = [b["id"] for b in bodies]
            assert ids == sorted(set(ids))
            assert all(m.qos == 1 and not m.retain for m in sub.messages)
            # Deleted once acknowledged (deletes are batched, so poll for it).
            await until(lambda: pending(storage) == 0)
            health = up.health()
            assert health["state"] == "connected"
            assert health["sent"]["sent_live"] == 20
            assert health["sent"]["acknowledged"] == 20


async def test_the_backlog_is_historical_and_live_data_overtakes_it(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    config = site_config(mosquitto.port)
    with open_storage(tmp_path / "k.db", config) as storage:
        for i in range(60):
            store_one(storage, i)
        async with (
            Subscriber(mosquitto.port, [f"{BASE}/devices/+/readings"]) as sub,
            running(config, storage, backlog_rate=30.0) as up,
        ):
            await sub.wait_for(lambda ms: len(ms) >= 1)
            await asyncio.to_thread(store_one, storage, 0, "weather-1")
            await sub.wait_for(lambda ms: len(readings(ms)) >= 60 and len(ms) >= 61)
            backlog = [m.json() for m in readings(sub.messages)]
            live = [m.json() for m in readings(sub.messages, "weather-1")]
            assert all(b["historical"] for b in backlog)
            assert [b["readings"][0]["value"] for b in backlog] == [float(i) for i in range(60)]
            assert [b["historical"] for b in live] == [False]
            arrival = [m.topic for m in sub.messages].index(f"{BASE}/devices/weather-1/readings")
            assert arrival < 60, "the live reading waited for the whole backlog"
            assert up.drain_stats.sent_historical == 60


async def test_a_newer_mission_stays_retained_when_an_older_one_drains_later(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    config = site_config(mosquitto.port)
    mission = "kakashi/vehicles/cart-1/mission"
    with open_storage(tmp_path / "k.db", config) as storage:
        for i in range(40):
            store_one(storage, i)
        storage.write_plan("old-plan", {"routes": []})
        async with (
            Subscriber(mosquitto.port, [mission, READINGS]) as sub,
            running(config, storage, backlog_rate=20.0) as up,
        ):
            await until(lambda: up.drain_stats.draining)
            await asyncio.to_thread(storage.write_plan, "new-plan", {"routes": []})
            await sub.wait_for(lambda ms: len([m for m in ms if m.topic == mission]) >= 2)
            plans = [m.json() for m in sub.messages if m.topic == mission]
            assert [(p["plan"], p["historical"]) for p in plans] == [
                ("new-plan", False),
                ("old-plan", True),
            ]
        async with Subscriber(
            mosquitto.port, [mission], client_id="late", persistent=False
        ) as late:
            await late.wait_for(lambda ms: len(ms) >= 1)
            assert late.messages[0].retain
            assert late.messages[0].json()["plan"] == "new-plan"


async def test_the_brokers_receive_maximum_is_respected(
    mosquitto_path: Path, tmp_path: Path
) -> None:
    # A broker that takes at most 5 unacknowledged messages per client says so in
    # its CONNACK (mosquitto announces it; EMQX and HiveMQ also disconnect a client
    # that sends more): the uplink narrows its window to it, keeping room for
    # replies to commands, and still drains everything on one connection.
    broker = Mosquitto(mosquitto_path, tmp_path / "broker", extra=["max_inflight_messages 5"])
    broker.start()
    try:
        config = site_config(broker.port)
        with open_storage(tmp_path / "k.db", config) as storage:
            for i in range(200):
                store_one(storage, i)
            async with (
                Subscriber(broker.port, [READINGS]) as sub,
                running(config, storage, backlog_rate=1e6, max_inflight=64) as up,
            ):
                await sub.wait_for(lambda ms: len(ms) >= 200)
                assert up.connections == 1, up.last_error
                health = up.health()
                assert (health["broker_receive_maximum"], health["window"]) == (5, 1)
    finally:
        broker.stop()
