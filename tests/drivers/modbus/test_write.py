"""Writes: profile checks and encoding, then through the poller to a real server."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.device_state import Health
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.modbus.write import (
    WriteAudit,
    WriteOutcome,
    WriteRejected,
    check_write,
    merge_bit,
    write_request,
)
from drivers.profile import Function, Profile, load_profile
from drivers.reading import Reading
from sim.modbus_server import SimModbusServer, SimRequest
from sim.register_bank import RegisterBank
from tests.drivers.modbus.conftest import REFERENCE
from tests.drivers.modbus.test_poller import eventually

PUMP = """\
[device]
manufacturer = "Kakashi"
model = "pump controller"
protocol = "modbus"

[points.setpoint]
function = "holding"
address = 10
type = "u16"
scale = 0.1
unit = "°C"
writable = true
min = 5
max = 60
[points.flow_limit]
function = "holding"
address = 11
type = "f32"
word_order = "little"
unit = "L/min"
writable = true
min = 0
max = 500
[points.trim]
function = "holding"
address = 13
type = "s32"
scale = 0.01
writable = true
min = -100
max = 100
[points.alarm]
function = "holding"
address = 15
type = "bit"
bit = 0
[points.auto_mode]
function = "holding"
address = 15
type = "bit"
bit = 3
writable = true
[points.label]
function = "holding"
address = 16
type = "string"
length = 4
writable = true
[points.runtime]
function = "holding"
address = 20
type = "u16"
unit = "h"
[points.target_level]
function = "holding"
address = 21
type = "s16"
invalid = [-9999]
writable = true
min = -10000
max = 10000
[points.pump]
function = "coil"
address = 2
type = "bit"
writable = true
[points.level]
function = "input"
address = 0
type = "u16"
"""

WRITE_CODES = (5, 6, 15, 16)


@pytest.fixture
def pump(tmp_path: Path) -> Profile:
    path = tmp_path / "pump_controller.toml"
    path.write_text(PUMP, encoding="utf-8")
    return load_profile(path)


# ---- checks and encoding, without a bus ----


@pytest.mark.parametrize(
    ("point", "value", "rule"),
    [
        pytest.param(
            "nope",
            1.0,
            "no such point in profile pump_controller "
            "(writable: setpoint, flow_limit, trim, auto_mode, label, target_level, pump)",
            id="unknown-point",
        ),
        pytest.param(
            "runtime",
            1.0,
            "is read-only (holding 20 is not writable in profile pump_controller)",
            id="read-only",
        ),
        pytest.param(
            "level",
            1.0,
            "is read-only (input 0 is not writable in profile pump_controller)",
            id="input-register",
        ),
        pytest.param("setpoint", 60.1, "value 60.1 is above the write maximum 60", id="above-max"),
        pytest.param("setpoint", 4.9, "value 4.9 is below the write minimum 5", id="below-min"),
        pytest.param(
            "setpoint", "hot", "expected a number for type u16, found str 'hot'", id="text"
        ),
        pytest.param(
            "setpoint",
            True,
            "expected a number for type u16, found a boolean (True)",
            id="boolean",
        ),
        pytest.param(
            "flow_limit", math.nan, "expected a finite number, found nan", id="not-a-number"
        ),
        pytest.param(
            "setpoint",
            12.34,
            "expected a multiple of 0.1 (the point's resolution), found 12.34; nearest is 12.3",
            id="finer-than-the-register",
        ),
        pytest.param("auto_mode", 2, "expected 0 or 1 for a bit, found 2", id="bit-of-2"),
        pytest.param("pump", 0.5, "expected 0 or 1 for a bit, found 0.5", id="coil-of-half"),
        pytest.param(
            "label", 5, "expected text for type string, found int 5", id="number-for-text"
        ),
        pytest.param(
            "label",
            "too long!",
            "cannot be encoded: text of 9 bytes does not fit in 4 registers",
            id="text-too-long",
        ),
        pytest.param(
            "target_level",
            -9999,
            "value -9999 encodes to the device's no-value sentinel",
            id="sentinel",
        ),
    ],
)
def test_writes_breaking_a_rule_are_rejected(
    pump: Profile, point: str, value: object, rule: str
) -> None:
    with pytest.raises(WriteRejected) as caught:
        check_write("pump-1", pump, point, value)
    assert caught.value.rule == rule
    assert str(caught.value) == f"device pump-1: point {point}: {rule}"


@pytest.mark.parametrize(
    ("point", "value", "registers", "request_hex"),
    [
        pytest.param("setpoint", 42.5, [425], "06 00 0a 01 a9", id="fc06-scaled"),
        pytest.param("setpoint", 60, [600], "06 00 0a 02 58", id="at-max"),
        pytest.param(
            "flow_limit",
            12.25,
            [0x0000, 0x4144],  # 0x41440000, low word first
            "10 00 0b 00 02 04 00 00 41 44",
            id="fc16-f32-word-swapped",
        ),
        pytest.param(
            "trim",
            -1.5,
            [0xFFFF, 0xFF6A],  # -150
            "10 00 0d 00 02 04 ff ff ff 6a",
            id="fc16-s32-negative",
        ),
        pytest.param("pump", 1, [1], "05 00 02 ff 00", id="fc05-on"),
        pytest.param("pump", False, [0], "05 00 02 00 00", id="fc05-off"),
        pytest.param(
            "label",
            "P-7",
            [0x502D, 0x3700, 0, 0],
            "10 00 10 00 04 08 50 2d 37 00 00 00 00 00",
            id="fc16-text-padded",
        ),
        pytest.param("auto_mode", 1, [0b1000], "06 00 0f 00 08", id="bit-field-alone"),
    ],
)
def test_accepted_values_encode_with_the_profile(
    pump: Profile, point: str, value: float | str, registers: list[int], request_hex: str
) -> None:
    target, encoded = check_write("pump-1", pump, point, value)
    assert encoded == registers
    assert write_request(target, encoded).hex(" ") == request_hex


def test_a_bit_field_is_merged_into_the_register_the_device_has(pump: Profile) -> None:
    auto_mode = pump.point("auto_mode")
    _, on = check_write("pump-1", pump, "auto_mode", 1)
    _, off = check_write("pump-1", pump, "auto_mode", 0)
    assert merge_bit(auto_mode, 0b0000_0001, on) == 0b0000_1001
    assert merge_bit(auto_mode, 0b1111_1111, off) == 0b1111_0111
    assert merge_bit(auto_mode, 0b1000, on) == 0b1000


# ---- through the poller, against a real server ----


@dataclass
class WriteBus:
    server: SimModbusServer
    bank: RegisterBank
    """The pump controller's registers, unit 2."""
    poller: ModbusPoller
    audits: list[WriteAudit]
    readings: list[Reading] = field(default_factory=list)

    def writes_seen(self) -> list[SimRequest]:
        return [r for r in self.server.requests if r.function in WRITE_CODES]


BusFactory = Callable[..., WriteBus]


@pytest.fixture
async def write_bus(pump: Profile) -> AsyncIterator[BusFactory]:
    """Unit 2 is a pump controller; units 1 and 3 are soil probes; unit 9 does not exist."""
    probe = load_profile("dfrobot_sen0604")
    banks = {1: RegisterBank(probe), 2: RegisterBank(pump), 3: RegisterBank(probe)}
    for unit in (1, 3):
        for name, value in REFERENCE.items():
            banks[unit].set(name, value)
    banks[2].set("setpoint", 20.0)
    server = SimModbusServer(banks)
    _, port = await server.start()
    started: list[tuple[ModbusPoller, asyncio.Task[None] | None]] = []

    def make(
        devices: list[PolledDevice] | None = None,
        *,
        timeout_s: float = 0.2,
        run: bool = True,
        on_audit: Callable[[WriteAudit], None] | None = None,
    ) -> WriteBus:
        client = ModbusTcpClient("127.0.0.1", port, timeout_s=timeout_s, name="bus-w")
        audits: list[WriteAudit] = []
        readings: list[Reading] = []
        poller = ModbusPoller(
            "bus-w",
            client,
            devices if devices is not None else [PolledDevice("pump", pump, 2, 0.02)],
            readings.append,
            clock=lambda: 500.0,
            on_audit=on_audit or audits.append,
        )
        task = asyncio.create_task(poller.run()) if run else None
        started.append((poller, task))
        return WriteBus(server, banks[2], poller, audits, readings)

    yield make
    for gate in server.gates.values():
        gate.set()
    for poller, task in started:
        await poller.close()
        if task is not None:
            await asyncio.wait_for(task, 2.0)
    await server.stop()


async def test_accepted_writes_land_in_the_device_with_the_profile_encoding(
    write_bus: BusFactory,
) -> None:
    bus = write_bus()
    bus.bank.set("alarm", 1)  # shares register 15 with auto_mode
    asked: dict[str, float | str] = {
        "setpoint": 42.5,
        "flow_limit": 12.25,
        "trim": -1.5,
        "auto_mode": 1,
        "label": "P-7",
        "pump": 1,
    }
    for point, value in asked.items():
        result = await bus.poller.write("pump", point, value, actor="alice")
        assert (result.outcome, result.read_back, result.error) == (WriteOutcome.WRITTEN, value, "")

    table = bus.bank.read
    assert table(Function.HOLDING, 10, 12) == [
        425,
        *(0x0000, 0x4144),
        *(0xFFFF, 0xFF6A),
        0b1001,  # auto_mode set, the alarm bit left as the device had it
        *(0x502D, 0x3700, 0, 0),
        0,
        0,
    ]
    assert table(Function.COIL, 2, 1) == [1]
    assert [(w.function, w.address, w.values) for w in bus.writes_seen()] == [
        (6, 10, (425,)),
        (16, 11, (0x0000, 0x4144)),
        (16, 13, (0xFFFF, 0xFF6A)),
        (6, 15, (0b1001,)),
        (16, 16, (0x502D, 0x3700, 0, 0)),
        (5, 2, (1,)),
    ]
    assert [(a.point, a.value, a.actor, a.outcome) for a in bus.audits] == [
        (point, value, "alice", WriteOutcome.WRITTEN) for point, value in asked.items()
    ]
    assert bus.audits[0] == WriteAudit(
        ts=500.0,
        bus="bus-w",
        device="pump",
        point="setpoint",
        value=42.5,
        registers=(425,),
        actor="alice",
        outcome=WriteOutcome.WRITTEN,
        error="",
        read_back=42.5,
    )
    state = bus.poller.states()["pump"]
    assert (state.writes, state.write_errors) == (6, 0)


async def test_rejected_writes_send_nothing_and_are_audited(write_bus: BusFactory) -> None:
    bus = write_bus()
    await eventually(lambda: bus.poller.states()["pump"].state is Health.UP)
    before = bus.bank.read(Function.HOLDING, 10, 12)
    attempts: list[tuple[str, str, float | str, str]] = [
        ("pumps", "setpoint", 30.0, "no such device on bus bus-w (devices: pump)"),
        ("pump", "setpont", 30.0, "no such point in profile pump_controller"),
        ("pump", "runtime", 30.0, "is read-only"),
        ("pump", "setpoint", 75.0, "is above the write maximum 60"),
    ]
    for device, point, value, rule in attempts:
        with pytest.raises(WriteRejected, match=re.escape(rule)):
            await bus.poller.write(device, point, value, actor="bob")

    assert bus.writes_seen() == []
    assert bus.bank.read(Function.HOLDING, 10, 12) == before
    assert [(a.device, a.point, a.value, a.actor, a.outcome) for a in bus.audits] == [
        (device, point, value, "bob", WriteOutcome.REJECTED) for device, point, value, _ in attempts
    ]
    for audit, (device, point, _, rule) in zip(bus.audits, attempts, strict=True):
        assert audit.error == f"device {device}: point {point}: {rule}" or rule in audit.error
        assert audit.registers == ()
    assert bus.poller.states()["pump"].writes == 0


async def test_read_back_reports_a_device_that_ignored_the_write(write_bus: BusFactory) -> None:
    bus = write_bus()
    bus.server.ignore_writes.add(2)
    result = await bus.poller.write("pump", "setpoint", 42.5, actor="carol")
    assert result.outcome is WriteOutcome.MISMATCH
    assert not result.ok
    assert result.read_back == 20.0
    assert result.error == "device pump: point setpoint (holding 10): wrote 42.5, read back 20.0"
    assert [(w.function, w.values) for w in bus.writes_seen()] == [(6, (425,))]
    assert bus.audits[-1].outcome is WriteOutcome.MISMATCH
    state = bus.poller.states()["pump"]
    assert (state.writes, state.write_errors, state.last_write_error) == (1, 1, result.error)

    unverified = await bus.poller.write("pump", "setpoint", 42.5, actor="carol", verify=False)
    assert (unverified.outcome, unverified.read_back) == (WriteOutcome.WRITTEN, None)


async def test_a_write_to_a_down_device_is_still_tried_once(
    write_bus: BusFactory, pump: Profile
) -> None:
    bus = write_bus([PolledDevice("pump", pump, 2, 0.02), PolledDevice("gone", pump, 9, 0.02)])
    await eventually(lambda: bus.poller.states()["gone"].state is Health.DOWN)
    result = await bus.poller.write("gone", "setpoint", 30.0, actor="dave")
    assert result.outcome is WriteOutcome.FAILED
    assert result.error.startswith(
        "device gone: point setpoint (holding 10): bus-w: unit 9: no reply"
    )
    assert result.registers == (300,)
    assert [(a.device, a.outcome, a.actor) for a in bus.audits] == [
        ("gone", WriteOutcome.FAILED, "dave")
    ]
    gone = bus.poller.states()["gone"]
    assert (gone.writes, gone.write_errors) == (1, 1)
    assert gone.is_down  # writes do not decide health


async def test_a_write_jumps_ahead_of_every_device_due(
    write_bus: BusFactory, pump: Profile
) -> None:
    probe = load_profile("dfrobot_sen0604")
    slow = asyncio.Event()
    devices = [
        PolledDevice("slow", probe, 1, 0.01),
        PolledDevice("pump", pump, 2, 0.01),
        PolledDevice("other", probe, 3, 0.01),
    ]
    bus = write_bus(devices, timeout_s=5.0, run=False)
    bus.server.gates[1] = slow  # unit 1 answers when the test says so
    task = asyncio.create_task(bus.poller.run())
    await eventually(lambda: len(bus.server.requests) == 1)  # slow's read is in flight
    write = asyncio.create_task(bus.poller.write("pump", "setpoint", 42.5, actor="erin"))
    await eventually(lambda: bus.poller.pending_writes() == 1)
    slow.set()
    result = await write
    assert result.ok

    seen = [(r.unit, r.function, r.address, r.count) for r in bus.server.requests[:4]]
    assert seen[0] == (1, 3, 0, 4)  # the request in flight completes
    assert seen[1:3] == [(2, 6, 10, 1), (2, 3, 10, 1)]  # then the write and its read-back
    assert seen[3] == (2, 1, 2, 1)  # only then the devices that were due: pump's coil first
    await bus.poller.close()
    await asyncio.wait_for(task, 2.0)


async def test_a_write_goes_between_the_requests_of_one_poll(
    write_bus: BusFactory, pump: Profile
) -> None:
    held = asyncio.Event()
    bus = write_bus([PolledDevice("pump", pump, 2, 0.01)], timeout_s=5.0, run=False)
    bus.server.gates[2] = held
    task = asyncio.create_task(bus.poller.run())
    await eventually(lambda: len(bus.server.requests) == 1)  # the coil block of pump's poll
    write = asyncio.create_task(bus.poller.write("pump", "flow_limit", 12.25, actor="ivan"))
    await eventually(lambda: bus.poller.pending_writes() == 1)
    held.set()
    assert (await write).ok
    await eventually(lambda: len(bus.server.requests) >= 5)

    seen = [(r.function, r.address, r.count) for r in bus.server.requests[:5]]
    assert seen == [
        (1, 2, 1),  # in flight when the write came
        (16, 11, 2),  # the write
        (3, 11, 2),  # its read-back
        (3, 10, 12),  # then the rest of the same poll
        (4, 0, 1),
    ]
    await bus.poller.close()
    await asyncio.wait_for(task, 2.0)


async def test_a_write_withdrawn_while_queued_is_never_sent(
    write_bus: BusFactory, pump: Profile
) -> None:
    probe = load_profile("dfrobot_sen0604")
    slow = asyncio.Event()
    devices = [PolledDevice("slow", probe, 1, 0.01), PolledDevice("pump", pump, 2, 0.01)]
    bus = write_bus(devices, timeout_s=5.0, run=False)
    bus.server.gates[1] = slow
    task = asyncio.create_task(bus.poller.run())
    await eventually(lambda: len(bus.server.requests) == 1)
    write = asyncio.create_task(bus.poller.write("pump", "setpoint", 42.5, actor="frank"))
    await eventually(lambda: bus.poller.pending_writes() == 1)
    write.cancel()
    slow.set()
    await eventually(lambda: len(bus.audits) == 1)
    assert (bus.audits[0].outcome, bus.audits[0].actor) == (WriteOutcome.NOT_SENT, "frank")
    assert "withdrawn by the caller" in bus.audits[0].error
    assert bus.writes_seen() == []
    await bus.poller.close()
    await asyncio.wait_for(task, 2.0)


async def test_writes_without_a_running_loop(write_bus: BusFactory) -> None:
    bus = write_bus(run=False)
    before = await bus.poller.write("pump", "setpoint", 33.3, actor="gina")
    assert before.ok  # not started yet: sent at once
    await bus.poller.close()
    after = await bus.poller.write("pump", "setpoint", 44.4, actor="gina")
    assert after.outcome is WriteOutcome.NOT_SENT
    assert after.error == "device pump: point setpoint: not sent: bus bus-w is closed"
    assert [w.values for w in bus.writes_seen()] == [(333,)]
    assert [a.outcome for a in bus.audits] == [WriteOutcome.WRITTEN, WriteOutcome.NOT_SENT]


async def test_a_failing_audit_sink_does_not_fail_the_write(
    write_bus: BusFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(audit: WriteAudit) -> None:
        raise OSError("audit log disk full")

    bus = write_bus(on_audit=broken)
    result = await bus.poller.write("pump", "setpoint", 25.0, actor="hana")
    assert result.ok
    assert bus.bank.read(Function.HOLDING, 10, 1) == [250]
    assert "audit callback failed" in caplog.text
