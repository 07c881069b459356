"""The service with its uplink on: a probe's readings reach a real mosquitto."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiomqtt

from drivers.profile import load_profile
from edge.config import parse_config
from edge.service import Service
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank

CONFIG = """
[site]
id = "test-site"
name = "Test site"

[buses.field]
type = "modbus_tcp"
host = "127.0.0.1"
port = {sim_port}
timeout_s = 0.5

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "field"
unit = 1
poll_interval_s = 0.2

[mqtt]
enabled = true
host = "127.0.0.1"
port = {broker_port}

[web]
port = 0

[storage]
path = "{db}"
batch_wait_s = 0.05
"""


async def test_readings_flow_from_the_probe_to_the_broker(mqtt_broker: int, tmp_path: Path) -> None:
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    bank.set("moisture", 42.5)
    sim = SimModbusServer({1: bank})
    _, sim_port = await sim.start()
    text = CONFIG.format(sim_port=sim_port, broker_port=mqtt_broker, db=tmp_path / "k.db")
    service = Service(parse_config(text, "test.toml"))
    stop = asyncio.Event()
    received: dict[str, Any] = {}
    async with aiomqtt.Client("127.0.0.1", mqtt_broker, identifier="farm-office") as client:
        await client.subscribe("kakashi/test-site/devices/soil-1/readings", qos=1)
        task = asyncio.create_task(service.run(stop))
        try:
            async with asyncio.timeout(60):
                async for message in client.messages:
                    assert isinstance(message.payload, bytes)
                    received = json.loads(message.payload)
                    break
            health = await service.health()
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 30)
            await sim.stop()
    assert received["device"] == "soil-1"
    by_point = {r["point"]: r for r in received["readings"]}
    assert by_point["moisture"]["value"] == 42.5
    assert health["uplink"] is not None
    assert {t["name"] for t in health["tasks"]} >= {"uplink", "storage-writer"}
