"""Independent clients read the simulator: mbpoll (libmodbus) over TCP and over an RTU pty.

A misreading of the Modbus specification shared by Kakashi's client and its
simulator would pass every other test; libmodbus, from Debian, has no part
in either.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from drivers.profile import Function
from sim.runtime import Simulation
from tests.sim.running import running

VALUE = re.compile(r"^\[(\d+)\]:\s+(-?\d+)", re.MULTILINE)


async def mbpoll(*args: str) -> dict[int, int]:
    exe = shutil.which("mbpoll")
    if exe is None:
        pytest.fail("mbpoll is missing: install Debian's mbpoll (scripts/test.sh does it)")
    proc = await asyncio.create_subprocess_exec(
        exe, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    async with asyncio.timeout(20):
        out, _ = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 0, text
    return {int(a): int(v) for a, v in VALUE.findall(text)}


def registers(
    sim: Simulation, device: str, function: Function, address: int, count: int
) -> list[int]:
    return sim.modbus[device].bank.read(function, address, count)


async def test_mbpoll_reads_a_soil_probe_over_modbus_tcp(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        port = sim.endpoints()["buses"]["tcp"]["port"]
        got = await mbpoll(
            "-m",
            "tcp",
            "-p",
            str(port),
            "-a",
            "1",
            "-0",
            "-1",
            "-r",
            "0",
            "-c",
            "4",
            "-t",
            "4",
            "127.0.0.1",
        )
        expected = registers(sim, "soil-1", Function.HOLDING, 0, 4)
        assert [got[a] & 0xFFFF for a in range(4)] == expected
        moisture = expected[0] / 10
        assert 20 < moisture < 60


async def test_mbpoll_reads_the_cart_controllers_input_registers(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        port = sim.endpoints()["buses"]["cart-radio"]["port"]
        got = await mbpoll(
            "-m",
            "tcp",
            "-p",
            str(port),
            "-a",
            "1",
            "-0",
            "-1",
            "-r",
            "0",
            "-c",
            "13",
            "-t",
            "3",
            "127.0.0.1",
        )
        expected = registers(sim, "cart-controller", Function.INPUT, 0, 13)
        assert [got[a] & 0xFFFF for a in range(13)] == expected
        assert expected[2] == 1000  # full battery, 0.1 % per count


async def test_mbpoll_reads_two_slaves_on_the_rtu_pty(tmp_path: Path) -> None:
    async with running(tmp_path) as sim:
        path = sim.endpoints()["buses"]["rs485"]["port"]
        common = ["-m", "rtu", "-b", "19200", "-P", "none", "-0", "-1", "-o", "1"]
        soil = await mbpoll(*common, "-a", "2", "-r", "0", "-c", "4", "-t", "4", path)
        assert [soil[a] & 0xFFFF for a in range(4)] == registers(
            sim, "soil-2", Function.HOLDING, 0, 4
        )
        # The weather station's 32-bit values, big-endian words, read as libmodbus reads them.
        weather = await mbpoll(*common, "-a", "3", "-r", "0", "-c", "2", "-t", "3:int", "-B", path)
        raw = registers(sim, "weather", Function.INPUT, 0, 4)
        for index, address in enumerate((0, 2)):
            high, low = raw[2 * index], raw[2 * index + 1]
            expected = (high << 16 | low) - (1 << 32 if high & 0x8000 else 0)
            assert weather[address] == expected
        air_temperature = weather[0] / 1000
        assert 15 < air_temperature < 40
        line = sim.rtu["rs485"].bus
        assert line is not None
        assert line.bad_frames == 0
