"""The soil probe simulator as a real subprocess, read by pymodbus's client."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymodbus.client import AsyncModbusTcpClient

from drivers.profile import load_profile
from drivers.reading import Quality
from sim.soil_probe import SoilProbe

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 15.0
EXIT_TIMEOUT_S = 5.0


@dataclass
class Running:
    proc: asyncio.subprocess.Process
    port: int
    started: float


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sim.probe_main",
        *args,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.fixture
async def probe() -> AsyncIterator[Running]:
    started = time.time()
    proc = await spawn(
        "--host", "127.0.0.1", "--port", "0", "--profile", "dfrobot_sen0604",
        "--unit", "1", "--seed", "1", "--update-s", "0.05",
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), STARTUP_TIMEOUT_S)
    match = re.fullmatch(rb"listening 127\.0\.0\.1:(\d+)\n", line)
    assert match, line
    yield Running(proc, int(match.group(1)), started)
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


async def read_soil(port: int) -> list[int]:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=1.0, retries=0)
    assert await client.connect()
    try:
        response = await client.read_holding_registers(0, count=4, device_id=1)
    finally:
        client.close()
    assert not response.isError(), response
    return list(response.registers)


async def test_registers_decode_to_the_seeded_soil(probe: Running) -> None:
    registers = await read_soil(probe.port)
    read_at = time.time()
    profile = load_profile("dfrobot_sen0604")
    decoded = {p.name: p.decode(registers[p.address : p.end]) for p in profile.points}
    assert {quality for _, quality in decoded.values()} == {Quality.GOOD}
    values = {name: value for name, (value, _) in decoded.items() if isinstance(value, float)}
    assert set(values) == {"moisture", "temperature", "ec", "ph"}
    # The subprocess runs the same model with the same seed: what it serves lies
    # between what the model gives at start and at read time (moisture moves
    # by far less than its 0.1 % resolution in seconds).
    model = SoilProbe(1)
    moisture = [model.at(t).moisture for t in (probe.started, read_at)]
    assert min(moisture) - 0.1 <= values["moisture"] <= max(moisture) + 0.1
    temperature = [model.at(t).temperature for t in (probe.started, read_at)]
    assert min(temperature) - 0.5 <= values["temperature"] <= max(temperature) + 0.5
    assert 12.0 <= values["moisture"] <= 45.0
    assert 5.8 <= values["ph"] <= 6.6


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_stops_it_with_status_0_and_nothing_more_on_stdout(
    probe: Running, signum: signal.Signals
) -> None:
    await read_soil(probe.port)
    probe.proc.send_signal(signum)
    stdout, stderr = await asyncio.wait_for(probe.proc.communicate(), EXIT_TIMEOUT_S)
    assert probe.proc.returncode == 0, stderr
    assert stdout == b""


async def test_unknown_profile_exits_2_naming_it() -> None:
    proc = await spawn("--profile", "no_such_probe")
    stdout, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_TIMEOUT_S)
    assert proc.returncode == 2
    assert stdout == b""
    assert b"no_such_probe" in stderr
    assert b"dfrobot_sen0604" in stderr


async def test_profile_without_soil_points_exits_2() -> None:
    proc = await spawn("--profile", "lambrecht_meteo_pro")
    _, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_TIMEOUT_S)
    assert proc.returncode == 2
    assert b"none of the points the soil probe simulates" in stderr


async def test_port_in_use_exits_1() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        proc = await spawn("--port", str(port))
        stdout, stderr = await asyncio.wait_for(proc.communicate(), STARTUP_TIMEOUT_S)
    assert proc.returncode == 1
    assert stdout == b""
    assert b"cannot listen" in stderr
