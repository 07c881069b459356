"""Writes through the HTTP API reach the device and land in the audit log.

The whole service runs (pollers, storage writer, web) against the simulator's
Modbus TCP server on loopback, holding a Kakashi cart controller's registers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from drivers.profile import load_profile
from edge.auth.bootstrap import issue_token
from edge.config import parse_config
from edge.service import Service
from edge.web.access import Role
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank

CONFIG = """
[site]
id = "test-site"
name = "Test site"

[site.depots.hall]
name = "Hall"
location = {{ lat = 33.57, lon = 133.52 }}

[vehicles.cart-1]
type = "cart"
name = "Cart 1"
depot = "hall"
speed_kmh = 6.0
payload_kg = 30.0
battery_wh = 1200.0

[buses.carts]
type = "modbus_tcp"
host = "127.0.0.1"
port = {sim_port}
timeout_s = 0.5

[devices.cart-1-controller]
profile = "kakashi_cart_controller"
bus = "carts"
unit = 1
poll_interval_s = 30.0
vehicle = "cart-1"

[web]
port = 0

[storage]
path = "{db}"
"""


@dataclass
class Running:
    base: str
    bank: RegisterBank
    service: Service
    headers: dict[str, str]


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    bank = RegisterBank(load_profile("kakashi_cart_controller"))
    sim = SimModbusServer({1: bank})
    _, sim_port = await sim.start()
    config = parse_config(CONFIG.format(sim_port=sim_port, db=tmp_path / "k.db"), "test.toml")
    listening: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    service = Service(config, on_web_listening=lambda _h, port: listening.set_result(port))
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    port = await asyncio.wait_for(listening, 30)
    assert service.storage is not None
    token = await asyncio.to_thread(issue_token, service.storage, "operator", Role.OPERATOR)
    try:
        yield Running(
            f"http://127.0.0.1:{port}", bank, service, {"Authorization": f"Bearer {token}"}
        )
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30)
        await sim.stop()


async def test_a_valid_write_reaches_the_device_and_is_audited(running: Running) -> None:
    point = running.bank.profile.point("target_speed")
    async with httpx.AsyncClient(base_url=running.base, headers=running.headers) as http:
        res = await http.post(
            "/api/devices/cart-1-controller/points/target_speed/write", json={"value": 1.25}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["outcome"] == "written"
        assert body["read_back"] == pytest.approx(1.25)
        assert running.bank.get(point) == point.encode(1.25)

        events = (await http.get("/api/events")).json()
    writes = [e for e in events if e["kind"] == "write"]
    assert len(writes) == 1
    assert writes[0]["actor"] == "operator (token)"
    assert writes[0]["data"]["outcome"] == "written"
    assert "target_speed" in writes[0]["message"]


async def test_a_write_the_profile_forbids_is_refused_and_nothing_is_sent(
    running: Running,
) -> None:
    point = running.bank.profile.point("target_speed")
    before = running.bank.get(point)
    async with httpx.AsyncClient(base_url=running.base, headers=running.headers) as http:
        too_fast = await http.post(
            "/api/devices/cart-1-controller/points/target_speed/write", json={"value": 9.0}
        )
        read_only = await http.post(
            "/api/devices/cart-1-controller/points/battery_voltage/write", json={"value": 48}
        )
        unknown = await http.post(
            "/api/devices/cart-9/points/target_speed/write", json={"value": 1}
        )
    assert too_fast.status_code == 422
    assert "target_speed" in too_fast.json()["detail"]
    assert read_only.status_code == 422
    assert unknown.status_code == 404
    assert running.bank.get(point) == before
