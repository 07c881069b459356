"""The cart telemetry node's host binary: the kakashi_cart_controller map and its rules
as the gateway's poller sees them over a pty, and its GPS output on a second pty
read by the gateway's own NMEA parser (and pynmea2, an independent one)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pynmea2

from drivers.modbus.clients import open_modbus_client
from drivers.modbus.pdu import write_multiple_registers
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.write import WriteOutcome, WriteResult
from drivers.nmea.fix import Fix
from drivers.nmea.stream import NmeaStream
from drivers.profile import load_profile
from drivers.reading import Quality, Reading
from tests.firmware_stubs.conftest import Binaries
from tests.firmware_stubs.node import NodeProcess, cable, running_node
from tests.rtu_support import RawPort, eventually

PROFILE = load_profile("kakashi_cart_controller")
CART = "cart-1"


@dataclass
class Cart:
    node: NodeProcess
    poller: ModbusPoller
    readings: list[Reading]
    gps: RawPort

    async def fresh(self) -> dict[str, Reading]:
        """Every point as read after this call."""
        mark = len(self.readings)
        names = {p.name for p in PROFILE.points}
        await eventually(lambda: names <= {r.point for r in self.readings[mark:]})
        return {r.point: r for r in self.readings[mark:]}

    async def values(self) -> dict[str, object]:
        return {name: r.value for name, r in (await self.fresh()).items()}

    async def write(self, point: str, value: float) -> WriteResult:
        return await self.poller.write(CART, point, value, actor="test")


@asynccontextmanager
async def cart_on(directory: Path, binary: Path, *args: str) -> AsyncIterator[Cart]:
    async with (
        cable(directory, "bus") as (gateway_end, node_end),
        cable(directory, "gps") as (gps_gateway, gps_node),
        running_node(binary, "--port", str(node_end), "--aux", str(gps_node), *args) as node,
    ):
        client = open_modbus_client(
            "modbus_rtu", name="cart", port=str(gateway_end), baudrate=115200
        )
        readings: list[Reading] = []
        device = PolledDevice(CART, PROFILE, unit=1, poll_interval_s=0.05)
        poller = ModbusPoller("cart", client, [device], readings.append)
        task = asyncio.create_task(poller.run())
        gps = RawPort.open(str(gps_gateway))
        try:
            yield Cart(node, poller, readings, gps)
        finally:
            gps.close()
            await poller.close()
            await task


async def test_the_gateway_reads_the_cart_through_its_profile(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with cart_on(tmp_path, firmware.cart_node, "--set", "odometer=4000000") as cart:
        got = await cart.fresh()
    assert {
        name: r.value for name, r in got.items() if not name.startswith(("fault", "estop"))
    } == {
        "battery_voltage": 52.0,
        "battery_current": -1.5,
        "battery_soc": 80.0,
        "battery_temperature": 25.0,
        "motor_left_current": 0.0,
        "motor_right_current": 0.0,
        "speed": 0.0,
        "odometer": 400000.0,  # above 65535 raw: both words of the u32
        "payload": 42.0,
        "mode": 0.0,
        "target_speed": 0.0,
        "watchdog_timeout": 1.0,
        "remote_estop": 0.0,
    }
    assert {r.value for n, r in got.items() if n.startswith(("fault", "estop"))} == {0.0}
    assert {r.quality for r in got.values()} == {Quality.GOOD}


async def test_a_speed_command_stops_when_the_watchdog_is_not_fed(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with cart_on(tmp_path, firmware.cart_node) as cart:
        assert (await cart.write("watchdog_timeout", 0.5)).ok
        assert (await cart.write("target_speed", 1.5)).ok
        await cart.node.expect("output target_speed 150")
        # Nobody writes again: the watchdog stops the cart and says why.
        await cart.node.expect("output estop 1")
        await cart.node.expect("output target_speed 0")
        got = await cart.values()
        assert (got["estop_active"], got["estop_watchdog"], got["mode"]) == (1.0, 1.0, 5.0)
        assert got["target_speed"] == 0.0  # the gateway reads back what the cart drives
        refused = await cart.write("target_speed", 1.0)
        assert refused.outcome is WriteOutcome.FAILED
        assert "0x03" in refused.error
        # Releasing clears the watchdog latch, and the cart stays still.
        assert (await cart.write("remote_estop", 0)).ok
        await cart.node.expect("output estop 0")
        got = await cart.values()
        assert (got["estop_active"], got["estop_watchdog"], got["mode"]) == (0.0, 0.0, 0.0)
        assert got["target_speed"] == 0.0


async def test_a_fed_watchdog_keeps_the_cart_moving(tmp_path: Path, firmware: Binaries) -> None:
    async with cart_on(tmp_path, firmware.cart_node) as cart:
        assert (await cart.write("watchdog_timeout", 1.0)).ok
        assert (await cart.write("target_speed", 0.8)).ok
        loop = asyncio.get_running_loop()
        end = loop.time() + 2.5  # bounds the loop to outlast the timeout; nothing asserted on it
        while loop.time() < end:
            # Rewriting the same speed, as a live gateway does, between two polls.
            assert (await cart.write("target_speed", 0.8)).ok
            assert (await cart.values())["mode"] == 2.0
        assert (await cart.write("target_speed", 0)).ok
        await cart.node.expect("output target_speed 0")
        assert "output estop 1" not in cart.node.lines


async def test_the_button_keeps_the_cart_stopped_until_released_on_the_cart(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with cart_on(tmp_path, firmware.cart_node) as cart:
        await cart.node.command("set estop_button 1")
        await cart.node.expect("output estop 1")
        assert (await cart.write("remote_estop", 0)).ok  # accepted, but the button is down
        got = await cart.values()
        assert (got["estop_active"], got["estop_button"], got["remote_estop"]) == (1.0, 1.0, 0.0)
        await cart.node.command("set estop_button 0")
        assert (await cart.values())["estop_active"] == 1.0  # latched until released
        assert (await cart.write("remote_estop", 0)).ok
        await cart.node.expect("output estop 0")
        assert (await cart.values())["mode"] == 0.0


async def test_faults_and_the_handheld_refuse_speed_commands(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with cart_on(tmp_path, firmware.cart_node, "--set", "battery_voltage=4300") as cart:
        got = await cart.values()
        assert (got["fault_battery_low"], got["mode"]) == (1.0, 4.0)
        assert (await cart.write("target_speed", 0.5)).outcome is WriteOutcome.FAILED
        assert (await cart.write("target_speed", 0)).ok  # stopping is always allowed
        await cart.node.command("set battery_voltage 5200")
        await cart.node.command("set handheld 1")
        await eventually(lambda: latest(cart, "mode") == 1.0)
        assert (await cart.write("target_speed", 0.5)).outcome is WriteOutcome.FAILED
        await cart.node.command("fail gnss_lat")
        await cart.node.command("fail battery_soc")
        # Measurements refresh at 10 Hz: wait for the poll that sees them.
        await eventually(lambda: latest(cart, "fault_localisation") == 1.0)
        await eventually(lambda: latest(cart, "fault_bms") == 1.0)
        assert latest(cart, "battery_soc") == 80.0  # the BMS's last word stays, flagged


def latest(cart: Cart, point: str) -> object:
    return next((r.value for r in reversed(cart.readings) if r.point == point), None)


async def test_a_multiple_write_is_all_or_nothing(tmp_path: Path, firmware: Binaries) -> None:
    async with cart_on(tmp_path, firmware.cart_node) as cart:
        client = open_modbus_client(
            "modbus_rtu", name="raw", port=str(tmp_path / "bus-gateway"), baudrate=115200
        )
        await cart.poller.close()  # one master on the line
        try:
            # 1.50 m/s is fine, a 20.0 s watchdog is not: neither is written.
            request = write_multiple_registers(0x0100, [150, 200])
            assert await client.request(1, request) == bytes([0x90, 0x03])
        finally:
            await client.close()
        assert not any(line.startswith("output target_speed 150") for line in cart.node.lines)


async def read_fixes(gps: RawPort, count: int) -> tuple[list[Fix], NmeaStream, list[str]]:
    """Sentences from the node's GPS line until ``count`` epochs have been assembled."""
    stream = NmeaStream()
    fixes: list[Fix] = []
    text = ""
    async with asyncio.timeout(15):
        while len(fixes) < count:
            data = await gps.read_exact(1)
            data += gps.pending()
            text += data.decode("ascii")
            fixes += stream.feed(data).fixes
            if data.endswith(b"\n") and "$GPRMC" in text.splitlines()[-1]:
                fixes += stream.end_of_burst().fixes  # the epoch's last sentence
    return fixes, stream, [line for line in text.splitlines() if line]


async def test_the_gps_output_is_valid_nmea_the_gateway_decodes(
    tmp_path: Path, firmware: Binaries
) -> None:
    async with cart_on(tmp_path, firmware.cart_node, "--set", "gnss_speed=250") as cart:
        fixes, stream, sentences = await read_fixes(cart.gps, 2)
        await cart.node.command("set gnss_quality 0")
        await cart.node.command("set gnss_time 45296789")  # 12:34:56.789
        lost, _, _ = await read_fixes(cart.gps, 2)
    assert sum(stream.counts.rejected.values()) == 0  # every checksum and field was right
    fix = fixes[-1]
    # Five decimals of minutes: 1/6 000 000 of a degree, about 2 cm.
    assert fix.lat is not None
    assert fix.lon is not None
    assert abs(fix.lat - 35.6812345) < 2e-7
    assert abs(fix.lon - 139.7671234) < 2e-7
    assert (fix.alt, fix.quality, fix.satellites, fix.hdop) == (40.0, 1, 9, 0.9)
    assert fix.speed_mps is not None
    assert abs(fix.speed_mps - 2.5) < 0.001
    assert fix.date is not None  # from RMC, following the host's UTC clock
    for sentence in sentences:
        assert len(sentence) + 2 <= 82
        parsed = pynmea2.parse(sentence, check=True)  # a second, independent parser
        assert parsed.sentence_type in ("GGA", "RMC")
    assert lost[-1].lat is None  # no fix: no position, never a stale one
    assert lost[-1].time_of_day.isoformat() == "12:34:56.780000+00:00"  # centiseconds
