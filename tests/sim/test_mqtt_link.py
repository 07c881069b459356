"""Missions and progress over a real mosquitto broker."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiomqtt

from sim.clock import ManualClock
from sim.runtime import Simulation
from tests.sim.scenarios import small

COOP = [33.5655, 133.5238]


async def next_message(client: aiomqtt.Client, topic: str) -> dict[str, object]:
    async with asyncio.timeout(10):
        async for message in client.messages:
            if message.topic.value == topic:
                assert isinstance(message.payload, bytes)
                payload: dict[str, object] = json.loads(message.payload)
                return payload
    raise AssertionError("the broker closed the subscription")


async def test_a_mission_over_mqtt_is_acknowledged_and_its_progress_published(
    tmp_path: Path, mqtt_broker: int
) -> None:
    scenario = small(
        tmp_path,
        f'\n[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_broker}\nbase_topic = "farm/kakashi"\n',
    )
    clock = ManualClock(scenario.clock.start.timestamp())
    sim = Simulation(scenario, clock=clock, runtime_dir=tmp_path / "run")
    await sim.start()
    try:
        assert sim.mqtt is not None
        async with asyncio.timeout(10):
            await sim.mqtt.connected.wait()
        async with aiomqtt.Client("127.0.0.1", mqtt_broker, identifier="dispatcher") as client:
            await client.subscribe("farm/kakashi/vehicles/drone/#", qos=1)
            state = await next_message(client, "farm/kakashi/vehicles/drone/state")  # retained
            assert state["state"] == "idle"
            mission = {
                "mission_id": "mq-1",
                "stops": [{"id": "coop", "location": COOP, "service_s": 10}],
            }
            await client.publish("farm/kakashi/vehicles/drone/mission", json.dumps(mission), qos=1)
            ack = await next_message(client, "farm/kakashi/vehicles/drone/mission/ack")
            assert ack == {"mission_id": "mq-1", "accepted": True, "error": None}
            first = await next_message(client, "farm/kakashi/vehicles/drone/progress")
            assert (first["event"], first["mission_id"], first["vehicle"]) == (
                "accepted",
                "mq-1",
                "drone",
            )
            clock.advance(600.0)
            await sim.tick()
            seen = []
            while "completed" not in seen:
                seen.append(
                    str(
                        (await next_message(client, "farm/kakashi/vehicles/drone/progress"))[
                            "event"
                        ]
                    )
                )
            assert seen == ["departed", "arrived", "serviced", "departed", "completed"]
            await client.publish("farm/kakashi/vehicles/drone/mission", b"{broken", qos=1)
            refused = await next_message(client, "farm/kakashi/vehicles/drone/mission/ack")
            assert refused["accepted"] is False
            assert str(refused["error"]).startswith("not JSON")
    finally:
        await sim.close()
