"""A GPS on a serial line, end to end: NMEA sentences written into a real pty
reach storage and the HTTP API as the vehicle's position."""

from __future__ import annotations

import asyncio
import os
import pty
import tty
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from edge.auth.bootstrap import issue_token
from edge.config import parse_config
from edge.service import Service
from edge.web.access import Role

CONFIG = """
[site]
id = "test-site"
name = "Test site"

[site.depots.hall]
name = "Hall"
location = {{ lat = 48.1, lon = -1.6 }}

[vehicles.cart-1]
type = "cart"
name = "Cart 1"
depot = "hall"
speed_kmh = 6.0
payload_kg = 30.0
battery_wh = 1200.0

[buses.cart-gps]
type = "serial_lines"
port = "{tty}"
baudrate = 9600

[devices.cart-1-gps]
profile = "nmea_gps"
bus = "cart-gps"
vehicle = "cart-1"

[web]
port = 0

[storage]
path = "{db}"
batch_wait_s = 0.05
"""

# Two epochs from the Fastrax log in ../shared/reference/nmea (com-1289.log).
SENTENCES = (
    b"$GPRMC,143800.77,A,4806.3732,N,00138.6216,W,0.00,266.5,121007,2.6,W,A*0B\r\n"
    b"$GPGGA,143800.77,4806.3732,N,00138.6216,W,1,09,1.3,42.1,M,48.5,M,,*43\r\n"
    b"$GPRMC,143801.77,A,4806.3732,N,00138.6216,W,0.00,266.5,121007,2.6,W,A*0A\r\n"
    b"$GPGGA,143801.77,4806.3732,N,00138.6216,W,1,10,1.7,42.1,M,48.5,M,,*4E\r\n"
    b"garbage\x00\x00$GPGGA,1438*00\r\n"
)


@pytest.fixture
async def gps_pty() -> AsyncIterator[tuple[int, str]]:
    master, slave = pty.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    try:
        yield master, path
    finally:
        os.close(master)
        os.close(slave)


async def test_nmea_sentences_on_a_pty_become_the_vehicle_position(
    gps_pty: tuple[int, str], tmp_path: Path
) -> None:
    master, path = gps_pty
    config = parse_config(CONFIG.format(tty=path, db=tmp_path / "k.db"), "test.toml")
    listening: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    service = Service(config, on_web_listening=lambda _h, port: listening.set_result(port))
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    try:
        port = await asyncio.wait_for(listening, 30)
        assert service.storage is not None
        token = await asyncio.to_thread(issue_token, service.storage, "viewer", Role.VIEWER)
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=auth) as http:
            points: dict[str, Any] = {}
            for _ in range(300):
                os.write(master, SENTENCES)
                rows = (await http.get("/api/readings/latest")).json()
                points = {r["point"]: r for r in rows if r["device"] == "cart-1-gps"}
                if {"latitude", "longitude"} <= set(points):
                    break
                await asyncio.sleep(0.1)  # between checks; the loop ends when data is in
            health = (await http.get("/api/health")).json()
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 30)
    assert points["latitude"]["value"] == pytest.approx(48.10622, abs=1e-6)
    assert points["longitude"]["value"] == pytest.approx(-1.643693, abs=1e-6)
    assert points["altitude"]["value"] == pytest.approx(42.1)
    assert points["latitude"]["quality"] == "good"
    gps = health["devices"]["cart-1-gps"]
    assert gps["state"] == "up"
    assert gps["rejected"], "the garbage and the truncated sentence must be counted"
