"""The gateway service, configured by the simulator, reads every kind of simulated device.

This is what ``kakashi demo`` does with the mountain village: start the simulator
as a child process, load the configuration it wrote, run the service on it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from edge.auth.bootstrap import issue_token
from edge.config import load_config
from edge.service import Service
from edge.web.access import Role
from sim.process import start_demo_simulator

EXPECTED = {
    "soil-north-1": "moisture",  # Modbus TCP
    "soil-garden-1": "moisture",  # RS-485 pty, 9600 8N1
    "weather": "air_temperature",  # RS-485, 32-bit values
    "cart-1-controller": "battery_soc",  # the cart's radio, Modbus TCP
    "drone-1-battery": "soc",  # the dock's RS-485, 19200 8N2
    "cart-1-gps": "latitude",  # NMEA on a serial line
}


async def test_the_service_reads_the_simulated_village(tmp_path: Path) -> None:
    sim = await start_demo_simulator(tmp_path / "var", 0)
    stop = asyncio.Event()
    listening: asyncio.Future[tuple[str, int]] = asyncio.get_running_loop().create_future()
    try:
        assert sim.config_path is not None
        config = load_config(sim.config_path)
        service = Service(
            config, on_web_listening=lambda host, port: listening.set_result((host, port))
        )
        running = asyncio.create_task(service.run(stop))
        host, port = await asyncio.wait_for(listening, 60)
        assert service.storage is not None
        token = await asyncio.to_thread(issue_token, service.storage, "viewer", Role.VIEWER)
        auth = {"Authorization": f"Bearer {token}"}
        seen: dict[str, Any] = {}
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}", headers=auth) as client:
            async with asyncio.timeout(60):
                while set(seen) != set(EXPECTED):
                    rows = (await client.get("/api/readings/latest")).json()
                    seen = {
                        r["device"]: r
                        for r in rows
                        if EXPECTED.get(r["device"]) == r["point"] and r["quality"] == "good"
                    }
                    await asyncio.sleep(
                        0.2
                    )  # between polls of the page's API, ends when all are in
        assert 0 < seen["soil-north-1"]["value"] <= 100
        assert 33.56 < seen["cart-1-gps"]["value"] < 33.58
        assert seen["drone-1-battery"]["unit"] == "%"
        stop.set()
        assert await asyncio.wait_for(running, 30) is True
    finally:
        stop.set()
        assert await sim.stop() == 0
