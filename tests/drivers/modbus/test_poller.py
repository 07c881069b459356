"""The poller on a real bus: a pymodbus server with a live unit and a silent one."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.device_state import ErrorKind, Health
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.profile import load_profile
from drivers.reading import Quality, Reading
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank
from tests.drivers.modbus.conftest import REFERENCE, PeerServer

TS = 1234.5


async def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.005)


@dataclass
class Bus:
    poller: ModbusPoller
    client: ModbusTcpClient
    readings: list[Reading] = field(default_factory=list)

    def health(self, device: str) -> Health:
        return self.poller.states()[device].state

    def of(self, device: str) -> list[Reading]:
        return [r for r in self.readings if r.device == device]


@pytest.fixture
async def buses() -> AsyncIterator[Callable[..., Bus]]:
    running: list[tuple[ModbusPoller, asyncio.Task[None]]] = []

    def make(port: int, devices: list[PolledDevice], backoff_max_s: float = 0.2) -> Bus:
        client = ModbusTcpClient("127.0.0.1", port, timeout_s=0.1, name="bus-a")
        readings: list[Reading] = []
        poller = ModbusPoller(
            "bus-a", client, devices, readings.append, clock=lambda: TS, backoff_max_s=backoff_max_s
        )
        running.append((poller, asyncio.create_task(poller.run())))
        return Bus(poller, client, readings)

    yield make
    for poller, task in running:
        await poller.close()
        await asyncio.wait_for(task, 2.0)


def probe(
    device_id: str, unit: int, interval_s: float, profile: str = "dfrobot_sen0604"
) -> PolledDevice:
    return PolledDevice(device_id, load_profile(profile), unit, interval_s)


async def test_live_device_keeps_being_read_while_a_dead_one_goes_down(
    peer: PeerServer, buses: Callable[..., Bus]
) -> None:
    bus = buses(peer.port, [probe("live", 1, 0.02), probe("dead", 2, 0.02)], backoff_max_s=30.0)
    await eventually(lambda: bus.health("dead") is Health.DOWN)

    dead = bus.poller.states()["dead"]
    assert dead.errors[ErrorKind.TIMEOUT] >= 3
    assert dead.last_error.startswith("dead (holding 0..3): bus-a: unit 2: no reply")
    assert bus.of("dead") == []
    live = bus.poller.states()["live"]
    assert live.state is Health.UP
    assert live.latency_last_s is not None

    # Once down, the dead unit is only probed on backoff: while the live unit is
    # polled 40 more times it is asked about 5 times (about 20 without backoff,
    # each of its probes costing a full timeout).
    polls_before, dead_requests_before = live.polls, dead.requests
    await eventually(lambda: bus.poller.states()["live"].polls >= polls_before + 40)
    assert dead.requests - dead_requests_before <= 10
    assert bus.health("live") is Health.UP

    latest = {r.point: r for r in bus.of("live")[-4:]}
    assert {name: r.value for name, r in latest.items()} == REFERENCE
    assert {r.unit for r in latest.values()} == {"%", "°C", "µS/cm", "pH"}
    assert {r.quality for r in latest.values()} == {Quality.GOOD}
    assert {r.ts for r in latest.values()} == {TS}


async def test_dead_device_comes_back_up_when_it_answers_again(
    peer: PeerServer, buses: Callable[..., Bus]
) -> None:
    bus = buses(peer.port, [probe("live", 1, 0.02), probe("flaky", 2, 0.02)])
    await eventually(lambda: bus.health("flaky") is Health.DOWN)
    peer.banks[2].set("moisture", 12.5)
    peer.server.silent.discard(2)
    await eventually(lambda: bus.health("flaky") is Health.UP)
    await eventually(lambda: any(r.point == "moisture" for r in bus.of("flaky")))
    assert next(r.value for r in bus.of("flaky") if r.point == "moisture") == 12.5
    assert bus.poller.states()["flaky"].consecutive_failures == 0


async def test_exception_responses_are_counted_and_a_device_without_data_goes_down(
    peer: PeerServer, buses: Callable[..., Bus]
) -> None:
    # Unit 1 is a soil probe: the weather station's input registers do not exist there.
    bus = buses(
        peer.port, [probe("live", 1, 0.02), probe("weather", 1, 0.02, "lambrecht_meteo_pro")]
    )
    await eventually(lambda: bus.health("weather") is Health.DOWN)
    weather = bus.poller.states()["weather"]
    assert weather.errors[ErrorKind.EXCEPTION] >= 3 * 7  # seven points, each refused alone
    assert weather.last_error == (
        "weather: point global_radiation (input 1400..1400): function 4: exception 0x02 "
        "(illegal data address); the device does not serve this address, "
        "check profile lambrecht_meteo_pro"
    )
    assert weather.errors[ErrorKind.TIMEOUT] == 0
    assert bus.of("weather") == []
    assert bus.health("live") is Health.UP


async def test_unreachable_bus_fails_fast_and_takes_every_device_down(
    buses: Callable[..., Bus],
) -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    bus = buses(port, [probe("a", 1, 0.01), probe("b", 2, 0.01)], backoff_max_s=5.0)
    await eventually(lambda: bus.health("a") is Health.DOWN and bus.health("b") is Health.DOWN)
    for state in bus.poller.states().values():
        assert state.errors[ErrorKind.TRANSPORT] >= 3
    # Six failed polls, but the client only tried to connect on its own backoff.
    assert bus.client.stats().connect_failures <= 2
    assert bus.readings == []


async def test_close_interrupts_a_request_in_flight(peer: PeerServer) -> None:
    client = ModbusTcpClient("127.0.0.1", peer.port, timeout_s=30.0, name="slow")
    poller = ModbusPoller("slow", client, [probe("dead", 2, 1.0)], lambda r: None)
    task = asyncio.create_task(poller.run())
    await eventually(lambda: poller.states()["dead"].requests == 1)
    await asyncio.wait_for(poller.close(), 2.0)  # far less than the 30 s timeout
    await asyncio.wait_for(task, 2.0)
    assert poller.states()["dead"].errors[ErrorKind.TRANSPORT] == 0  # shutdown is not a fault


def test_device_definitions_are_checked() -> None:
    profile = load_profile("dfrobot_sen0604")
    with pytest.raises(ValueError, match="device p: poll_interval_s: expected > 0, found 0"):
        PolledDevice("p", profile, 1, 0)
    with pytest.raises(ValueError, match=r"device p: unit: expected 0\.\.255, found 256"):
        PolledDevice("p", profile, 256, 1.0)
    client = ModbusTcpClient("127.0.0.1", 1, name="x")
    with pytest.raises(ValueError, match="bus x: device ids used twice: p"):
        ModbusPoller("x", client, [PolledDevice("p", profile, 1, 1.0)] * 2, lambda r: None)


MIXED = """\
[device]
manufacturer = "Kakashi"
model = "pump node"
protocol = "modbus"

[points.pump_on]
function = "coil"
address = 3
type = "bit"
[points.float_switch]
function = "discrete_input"
address = 9
type = "bit"
[points.alarm]
function = "holding"
address = 20
type = "bit"
bit = 4
[points.flow]
function = "input"
address = 5
type = "f32"
word_order = "little"
unit = "L/min"
"""


async def test_every_table_is_polled_and_decoded(tmp_path: Path, buses: Callable[..., Bus]) -> None:
    path = tmp_path / "pump_node.toml"
    path.write_text(MIXED, encoding="utf-8")
    profile = load_profile(path)
    bank = RegisterBank(profile)
    for name, value in {"pump_on": 1, "float_switch": 1, "alarm": 1, "flow": 12.25}.items():
        bank.set(name, value)
    server = SimModbusServer({3: bank})
    _, port = await server.start()
    try:
        bus = buses(port, [PolledDevice("pump", profile, 3, 0.02)])
        await eventually(lambda: len(bus.readings) >= 4)
    finally:
        await server.stop()
    first = {r.point: (r.value, r.unit) for r in bus.readings[:4]}
    assert first == {
        "pump_on": (1.0, ""),
        "float_switch": (1.0, ""),
        "alarm": (1.0, ""),
        "flow": (12.25, "L/min"),
    }


ABSENT = """
[device]
manufacturer = "Acme"
model = "Pack"
protocol = "modbus"

[points.cell_1]
function = "input"
address = 0
type = "u16"
scale = 0.001
unit = "V"
absent = [0xFFFF]

[points.cell_2]
function = "input"
address = 1
type = "u16"
scale = 0.001
unit = "V"
absent = [0xFFFF]
"""


async def test_a_point_the_unit_lacks_gives_no_reading_at_all(
    tmp_path: Path, buses: Callable[..., Bus]
) -> None:
    path = tmp_path / "acme_pack.toml"
    path.write_text(ABSENT, encoding="utf-8")
    profile = load_profile(path)
    bank = RegisterBank(profile)
    bank.set("cell_1", 3.7)
    bank.set("cell_2", 65.535)  # raw 0xFFFF: no such cell in this pack
    server = SimModbusServer({1: bank})
    _, port = await server.start()
    try:
        bus = buses(port, [PolledDevice("pack", profile, 1, 0.02)])
        await eventually(lambda: len(bus.readings) >= 3)
    finally:
        await server.stop()
    assert {r.point for r in bus.readings} == {"cell_1"}
    assert all(r.value == 3.7 for r in bus.readings)
