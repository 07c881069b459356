"""The soil node's host binary on a pty, polled and written by Kakashi's own drivers
exactly as real hardware would be (open_modbus_client, ModbusPoller, the
profile's decoding), and by mbpoll (libmodbus) as an independent master."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.modbus.clients import open_modbus_client
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.write import WriteOutcome
from drivers.profile import Profile, load_profile
from drivers.reading import Quality, Reading
from tests.firmware_stubs.conftest import Binaries
from tests.firmware_stubs.node import NodeProcess, cable, running_node
from tests.rtu_support import eventually

PROFILE = load_profile("kakashi_soil_node")
DEVICE = "soil-1"
# The DFRobot reference values, as the node's sensors report them.
SENSORS = ("--set", "moisture=658", "--set", "temperature=-101", "--set", "ec=1000")


@dataclass
class Gateway:
    node: NodeProcess
    poller: ModbusPoller
    readings: list[Reading]
    port: Path

    profile: Profile

    async def fresh(self) -> dict[str, Reading]:
        """Every point as read after this call."""
        mark = len(self.readings)
        names = {p.name for p in self.profile.points}
        await eventually(lambda: names <= {r.point for r in self.readings[mark:]})
        return {r.point: r for r in self.readings[mark:]}


@asynccontextmanager
async def gateway_on(
    directory: Path, binary: Path, *args: str, profile: Profile = PROFILE, baudrate: int = 9600
) -> AsyncIterator[Gateway]:
    """The node on one end of a cable, the gateway's poller on the other."""
    async with (
        cable(directory) as (gateway_end, node_end),
        running_node(binary, "--port", str(node_end), *args) as node,
    ):
        client = open_modbus_client(
            "modbus_rtu", name="field", port=str(gateway_end), baudrate=baudrate
        )
        readings: list[Reading] = []
        device = PolledDevice(DEVICE, profile, unit=1, poll_interval_s=0.05)
        poller = ModbusPoller("field", client, [device], readings.append)
        task = asyncio.create_task(poller.run())
        try:
            yield Gateway(node, poller, readings, gateway_end, profile)
        finally:
            await poller.close()
            await task


def values(readings: dict[str, Reading]) -> dict[str, object]:
    return {name: r.value for name, r in readings.items()}


async def test_the_gateway_reads_the_node_through_its_profile(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with gateway_on(tmp_path, firmware.soil_node, *SENSORS) as gw:
        got = await gw.fresh()
        # One request per table: the profile's plan fits the node's contiguous map.
        plan = sorted((str(b.function), b.address, b.count) for b in gw.poller.plan(DEVICE))
        assert plan == [("coil", 0, 1), ("holding", 0x0100, 2), ("input", 0, 6)]
    assert values(got) == {
        "moisture": 65.8,
        "temperature": -10.1,
        "ec": 1000.0,
        "battery_voltage": 3.95,
        "probe_fault": 0.0,
        "battery_low": 0.0,
        "valve_timed_out": 0.0,
        "valve_remaining": 0.0,
        "sample_interval": 60.0,
        "valve_timeout": 1800.0,
        "valve": 0.0,
    }
    assert {r.quality for r in got.values()} == {Quality.GOOD}


async def test_a_silent_probe_reads_as_missing_not_as_a_number(
    tmp_path: Path, firmware: Binaries
) -> None:
    args = ("--fail", "moisture", "--fail", "ec", "--set", "battery_voltage=3100")
    async with gateway_on(tmp_path, firmware.soil_node, *args) as gw:
        got = await gw.fresh()
    assert (got["moisture"].value, got["moisture"].quality) == (None, Quality.INVALID)
    assert (got["ec"].value, got["ec"].quality) == (None, Quality.INVALID)
    assert got["temperature"].quality is Quality.GOOD
    assert got["probe_fault"].value == 1.0
    assert got["battery_low"].value == 1.0  # 3.100 V is below 3.300 V


async def test_a_valve_write_from_the_gateway_switches_the_relay(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with gateway_on(tmp_path, firmware.soil_node) as gw:
        opened = await gw.poller.write(DEVICE, "valve", 1, actor="test")
        assert opened.outcome is WriteOutcome.WRITTEN  # acknowledged and read back as 1
        await gw.node.expect("output valve 1")
        remaining = (await gw.fresh())["valve_remaining"].value
        assert isinstance(remaining, float)
        assert 1795 <= remaining <= 1800
        closed = await gw.poller.write(DEVICE, "valve", 0, actor="test")
        assert closed.outcome is WriteOutcome.WRITTEN
        await gw.node.expect("output valve 0")
        assert (await gw.fresh())["valve"].value == 0.0


async def test_an_open_valve_closes_by_itself_at_its_timeout(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with gateway_on(tmp_path, firmware.soil_node) as gw:
        assert (await gw.poller.write(DEVICE, "valve_timeout", 1, actor="test")).ok
        assert (await gw.poller.write(DEVICE, "valve", 1, actor="test")).ok
        await gw.node.expect("output valve 1")
        await gw.node.expect("output valve 0")  # nobody wrote 0: the timeout did
        got = await gw.fresh()
        assert (got["valve"].value, got["valve_timed_out"].value) == (0.0, 1.0)
        assert (await gw.poller.write(DEVICE, "valve", 0, actor="test")).ok
        assert (await gw.fresh())["valve_timed_out"].value == 0.0  # a new write clears it


async def test_measurements_follow_the_sensors_at_the_written_interval(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with gateway_on(tmp_path, firmware.soil_node) as gw:
        assert (await gw.fresh())["moisture"].value == 31.2
        assert (await gw.poller.write(DEVICE, "sample_interval", 1, actor="test")).ok
        await gw.node.command("set moisture 455")
        await eventually(lambda: latest(gw, "moisture") == 45.5)


def latest(gw: Gateway, point: str) -> object:
    return next((r.value for r in reversed(gw.readings) if r.point == point), None)


# ---- mbpoll, an independent master ----


async def mbpoll(*args: str) -> tuple[int, str]:
    binary = shutil.which("mbpoll")
    if binary is None:
        pytest.fail("mbpoll is missing: install Debian's mbpoll (scripts/test.sh does)")
    proc = await asyncio.create_subprocess_exec(
        binary, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    async with asyncio.timeout(20):
        out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def mbpoll_values(out: str) -> list[int]:
    return [int(v) for v in re.findall(r"^\[\d+\]:\s+(-?\d+)", out, re.MULTILINE)]


async def test_mbpoll_reads_and_writes_the_node(tmp_path: Path, firmware: Binaries) -> None:
    # -0: addresses from 0; -1: one poll; -t 3 input, -t 4 holding, -t 0 coil.
    common = ["-m", "rtu", "-b", "9600", "-P", "none", "-0", "-1", "-o", "1", "-a", "1"]
    async with cable(tmp_path) as (gateway_end, node_end):
        line = str(gateway_end)
        async with running_node(firmware.soil_node, "--port", str(node_end), *SENSORS) as node:
            code, out = await mbpoll(*common, "-t", "3", "-r", "0", "-c", "6", line)
            assert code == 0, out
            assert mbpoll_values(out) == [658, 65435, 1000, 3950, 0, 0]
            code, out = await mbpoll(*common, "-t", "4", "-r", "256", line, "30", "5")
            assert code == 0, out
            code, out = await mbpoll(*common, "-t", "0", "-r", "0", line, "1")
            assert code == 0, out
            await node.expect("output valve 1")
            code, out = await mbpoll(*common, "-t", "4", "-r", "256", "-c", "2", line)
            assert mbpoll_values(out) == [30, 5]
            _, out = await mbpoll(*common, "-t", "3", "-r", "5", "-c", "2", line)
            assert "Illegal data address" in out
            _, out = await mbpoll(*common, "-t", "4", "-r", "256", line, "0")
            assert "Illegal data value" in out
            _, out = await mbpoll(*common, "-t", "1", "-r", "0", line)  # FC02: no such table
            assert "Illegal function" in out
            stats = await node.stats()
    assert stats["exceptions"] == 3
    assert stats["frame_errors"] == 0
