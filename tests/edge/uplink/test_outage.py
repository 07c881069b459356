"""Broker outages and a killed gateway: every stored reading reaches the subscriber.

Delivery is at least once, with ids: a reading may arrive twice (its PUBACK or
its delete was lost with the connection or the process), always with the same
id and content, and each stream (live, historical) arrives in id order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from drivers.reading import Reading
from edge.storage.store import Storage
from tests.conftest import Mosquitto
from tests.edge.uplink.processes import gateway, kill9, read_until
from tests.edge.uplink.support import (
    BASE,
    T0,
    WAIT_S,
    Received,
    Subscriber,
    open_storage,
    running,
    site_config,
    until,
)

READINGS = f"{BASE}/devices/soil-1/readings"


def store_one(storage: Storage, i: int) -> None:
    storage.write_readings([Reading("soil-1", "moisture", T0 + i, float(i), "%")])


def delivered(messages: list[Received]) -> dict[int, dict[str, Any]]:
    """Messages by id; a repeated id must repeat the same content."""
    by_id: dict[int, dict[str, Any]] = {}
    for m in messages:
        if m.topic != READINGS:
            continue
        body = m.json()
        earlier = by_id.setdefault(body["id"], body)
        assert {**earlier, "historical": None} == {**body, "historical": None}, body["id"]
    return by_id


def values(by_id: dict[int, dict[str, Any]]) -> set[float]:
    return {r["value"] for body in by_id.values() for r in body["readings"]}


def assert_in_order_per_stream(messages: list[Received]) -> None:
    """Within the live and within the historical stream, first arrivals are in id order
    (a repeat after a reconnect comes later, and is not a first arrival)."""
    bodies = [m.json() for m in messages if m.topic == READINGS]
    for historical in (False, True):
        firsts = list(dict.fromkeys(b["id"] for b in bodies if b["historical"] is historical))
        assert firsts == sorted(firsts), f"historical={historical}: {firsts}"


async def test_a_broker_restart_loses_nothing(mosquitto: Mosquitto, tmp_path: Path) -> None:
    config = site_config(mosquitto.port)
    with open_storage(tmp_path / "k.db", config) as storage:
        async with Subscriber(mosquitto.port, [READINGS]) as sub, running(config, storage) as up:
            await until(lambda: up.drain_stats.draining)
            for i in range(30):
                await asyncio.to_thread(store_one, storage, i)
            await sub.wait_for(lambda ms: len(values(delivered(ms))) == 30)

            mosquitto.stop()
            await until(lambda: up.state != "connected")
            for i in range(30, 60):
                await asyncio.to_thread(store_one, storage, i)
            mosquitto.start()

            await sub.wait_for(lambda ms: len(values(delivered(ms))) == 60)
            by_id = delivered(sub.messages)
            assert values(by_id) == {float(i) for i in range(60)}
            during = [b for b in by_id.values() if b["readings"][0]["value"] >= 30]
            assert all(b["historical"] for b in during)
            assert_in_order_per_stream(sub.messages)
            assert up.connections == 2


async def test_a_backlog_stored_before_kill_9_is_delivered_after_restart(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    db = tmp_path / "gateway.db"
    async with Subscriber(mosquitto.port, [READINGS]) as sub:
        mosquitto.stop()  # the broker is away while the gateway stores its readings
        with gateway(db, mosquitto.port, 50, 1000.0) as proc:
            await asyncio.to_thread(read_until, proc, "stored 49")
            kill9(proc)
        mosquitto.start()
        with gateway(db, mosquitto.port, 0, 1000.0):
            await sub.wait_for(lambda ms: len(values(delivered(ms))) == 50)
        by_id = delivered(sub.messages)
        assert values(by_id) == {float(i) for i in range(50)}
        assert all(body["historical"] for body in by_id.values())
        assert_in_order_per_stream(sub.messages)


async def test_kill_9_in_the_middle_of_a_drain_resumes_it_and_the_will_says_offline(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    db = tmp_path / "gateway.db"
    status = f"{BASE}/status"
    async with Subscriber(mosquitto.port, [READINGS, status]) as sub:
        with gateway(db, mosquitto.port, 120, 40.0) as proc:
            await asyncio.to_thread(read_until, proc, "draining")
            await sub.wait_for(lambda ms: len(delivered(ms)) >= 10)
            kill9(proc)
        await sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms if m.topic == status))
        first_run = len(values(delivered(sub.messages)))
        assert first_run < 120, "the drain finished before the kill; nothing left to resume"
        with gateway(db, mosquitto.port, 0, 1000.0):
            await sub.wait_for(lambda ms: len(values(delivered(ms))) == 120, limit_s=WAIT_S)
        assert values(delivered(sub.messages)) == {float(i) for i in range(120)}
        assert_in_order_per_stream(sub.messages)
