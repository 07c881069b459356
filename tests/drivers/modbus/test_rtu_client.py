"""The RTU client on a real pty: against the simulated bus, and against hand-made slaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from drivers.device_state import ErrorKind, Health
from drivers.modbus.crc import crc_bytes
from drivers.modbus.errors import FrameError, ModbusException, RequestTimeoutError, TransportError
from drivers.modbus.pdu import (
    check_exception,
    parse_bits,
    parse_registers,
    parse_write,
    read_request,
    write_multiple_coils,
    write_multiple_registers,
    write_single_coil,
    write_single_register,
)
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.rtu_client import ModbusRtuClient
from drivers.profile import Function, load_profile
from drivers.reading import Reading
from drivers.serial_link import SerialLink
from drivers.tcp_link import TcpLink
from sim.register_bank import RegisterBank
from sim.rtu_bus import RtuBus
from sim.rtu_slave import SimSlave
from tests.rtu_support import (
    DFROBOT_REPLY,
    DFROBOT_REQUEST,
    REFERENCE,
    REFERENCE_REGISTERS,
    PtyPeer,
    all_tables_profile,
    dfrobot_bank,
    eventually,
    free_port,
    simulated_bus,
    socat,
)

READ_4 = read_request(3, 0, 4)
CHAR_9600 = 10 / 9600
MakeClient = Callable[..., ModbusRtuClient]


@pytest.fixture
async def bus() -> AsyncIterator[RtuBus]:
    """Units 1..3 on one line: DFRobot probes holding the documented values."""
    slaves = [SimSlave(unit, dfrobot_bank(), latency_s=0.001) for unit in (1, 2, 3)]
    async with simulated_bus(slaves) as running:
        yield running


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    made: list[ModbusRtuClient] = []

    def make(
        path: str,
        *,
        timeout_s: float = 0.2,
        frame_gap_ms: float | None = None,
        turnaround_s: float = 0.01,
    ) -> ModbusRtuClient:
        link = SerialLink(path, name="bus-a", backoff_initial_s=0.05)
        client = ModbusRtuClient(
            link,
            name="bus-a",
            timeout_s=timeout_s,
            frame_gap_ms=frame_gap_ms,
            turnaround_s=turnaround_s,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


def adu(hex_body: str) -> bytes:
    body = bytes.fromhex(hex_body)
    return body + crc_bytes(body)


# ---- against the simulated bus ----


async def test_reads_every_slave_on_the_line(bus: RtuBus, make_client: MakeClient) -> None:
    client = make_client(bus.path)
    for unit in (1, 2, 3, 1):
        assert parse_registers(READ_4, await client.request(unit, READ_4)) == REFERENCE_REGISTERS
    stats = client.stats()
    assert (stats.requests, stats.connects, stats.discarded, stats.frame_errors) == (4, 1, 0, 0)


async def test_late_reply_is_flushed_not_taken_for_the_next_answer(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path, timeout_s=0.1)
    bus.slaves[1].faults.late_s = 0.25
    with pytest.raises(RequestTimeoutError, match=r"^bus-a: unit 1: no reply within 0\.1 s$"):
        await client.request(1, READ_4)
    await eventually(lambda: bus.replies == 1)  # the late answer (65.8 %) is on the line
    bus.slaves[1].faults.late_s = None
    bus.slaves[1].bank.set("moisture", 12.3)
    registers = parse_registers(READ_4, await client.request(1, READ_4))
    assert registers[0] == 123  # the new answer, not the stale 0x0292
    stats = client.stats()
    assert (stats.timeouts, stats.discarded, stats.discarded_bytes) == (1, 1, 13)


async def test_wrong_unit_id_is_a_frame_error_and_the_line_recovers(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path)
    bus.slaves[1].faults.wrong_unit = 9
    with pytest.raises(FrameError, match=r"^bus-a: unit 1: unit 9 answered, expected unit 1$"):
        await client.request(1, READ_4)
    bus.slaves[1].faults.wrong_unit = None
    assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS
    assert client.stats().frame_errors == 1


async def test_crc_error_is_a_frame_error_naming_both_crcs(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path)
    bus.slaves[2].faults.corrupt_crc = True
    with pytest.raises(FrameError, match=r"^bus-a: unit 2: CRC 0x[0-9A-F]{4} != computed 0x"):
        await client.request(2, READ_4)
    assert parse_registers(READ_4, await client.request(3, READ_4)) == REFERENCE_REGISTERS


async def test_short_frame_is_a_frame_error(bus: RtuBus, make_client: MakeClient) -> None:
    client = make_client(bus.path, timeout_s=0.1)
    bus.slaves[1].faults.truncate_to = 6
    with pytest.raises(
        FrameError, match=r"^bus-a: unit 1: short frame: 6 of 13 bytes before the timeout"
    ):
        await client.request(1, READ_4)
    bus.slaves[1].faults.truncate_to = None
    assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS


async def test_silent_slave_times_out_and_the_others_still_answer(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path, timeout_s=0.05)
    bus.slaves[2].faults.silent = True
    with pytest.raises(RequestTimeoutError):
        await client.request(2, READ_4)
    assert parse_registers(READ_4, await client.request(3, READ_4)) == REFERENCE_REGISTERS
    assert client.stats().timeouts == 1


async def test_exception_codes_come_back_as_exception_pdus(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path)
    request = read_request(3, 0, 5)
    response = await client.request(1, request)
    assert response == bytes([0x83, 0x02])
    with pytest.raises(ModbusException) as info:
        check_exception(request, response)
    assert info.value.name == "illegal data address"
    assert await client.request(1, bytes([0x07])) == bytes([0x87, 0x01])  # illegal function
    assert await client.request(1, bytes.fromhex("03 00 00 00 7E")) == bytes([0x83, 0x03])


async def test_every_table_and_every_write(tmp_path: Path, make_client: MakeClient) -> None:
    bank = RegisterBank(all_tables_profile(tmp_path))
    bank.set("door", 1)
    bank.set("level", 512)
    async with simulated_bus([SimSlave(4, bank, latency_s=0.001)]) as bus:
        client = make_client(bus.path)
        for request in (
            write_single_coil(1, True),
            write_multiple_coils(0, [True, True]),
            write_single_register(20, 500),
            write_multiple_registers(20, [7, 8]),
        ):
            parse_write(request, await client.request(4, request))
        assert bank.read(Function.COIL, 0, 2) == [1, 1]
        assert bank.read(Function.HOLDING, 20, 2) == [7, 8]
        coils = read_request(1, 0, 2)
        assert parse_bits(coils, await client.request(4, coils)) == [True, True]
        inputs = read_request(2, 3, 1)
        assert parse_bits(inputs, await client.request(4, inputs)) == [True]
        level = read_request(4, 10, 1)
        assert parse_registers(level, await client.request(4, level)) == [512]


async def test_broadcast_is_sent_and_no_answer_awaited(
    tmp_path: Path, make_client: MakeClient
) -> None:
    profile = all_tables_profile(tmp_path)
    slaves = [SimSlave(unit, RegisterBank(profile), latency_s=0.001) for unit in (1, 2)]
    async with simulated_bus(slaves) as bus:
        client = make_client(bus.path, turnaround_s=0.02)
        assert await client.request(0, write_single_register(21, 99)) == b""
        await eventually(lambda: all(s.requests == 1 for s in slaves))
        assert [s.bank.read(Function.HOLDING, 21, 1) for s in slaves] == [[99], [99]]
        assert bus.replies == 0


async def test_concurrent_requests_take_turns_on_the_line(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path)
    units = [1, 2, 3] * 4
    responses = await asyncio.gather(*(client.request(u, READ_4) for u in units))
    assert all(parse_registers(READ_4, r) == REFERENCE_REGISTERS for r in responses)
    assert [bus.slaves[u].requests for u in (1, 2, 3)] == [4, 4, 4]
    assert (bus.collisions, bus.bad_frames) == (0, 0)


async def test_the_line_is_silent_for_the_inter_frame_gap_before_each_request(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path)
    assert client.frame_gap_s == pytest.approx(3.5 * CHAR_9600)
    for unit in (1, 2, 3):
        await client.request(unit, READ_4)
    # The simulator measures the silence on its side of the line.
    assert bus.shortest_gap_s >= client.frame_gap_s

    slow = make_client(bus.path, frame_gap_ms=15)
    await client.close()  # one port, one client: the first lets go of it
    bus.shortest_gap_s = float("inf")
    for unit in (1, 2, 3):
        await slow.request(unit, READ_4)
    assert bus.shortest_gap_s >= 0.015


async def test_dead_slave_among_live_ones_through_the_poller(
    bus: RtuBus, make_client: MakeClient
) -> None:
    client = make_client(bus.path, timeout_s=0.05)
    bus.slaves[2].faults.silent = True
    profile = load_profile("dfrobot_sen0604")
    devices = [PolledDevice(f"probe{u}", profile, u, 0.02) for u in (1, 2, 3)]
    readings: list[Reading] = []
    poller = ModbusPoller("bus-a", client, devices, readings.append, backoff_max_s=0.5)
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: poller.states()["probe2"].state is Health.DOWN)
        count = {d: sum(r.device == d for r in readings) for d in ("probe1", "probe3")}
        await eventually(
            lambda: all(sum(r.device == d for r in readings) >= n + 20 for d, n in count.items())
        )
    finally:
        await poller.close()
        await asyncio.wait_for(task, 2.0)
    states = poller.states()
    assert states["probe1"].state is Health.UP
    assert states["probe3"].state is Health.UP
    assert states["probe2"].errors[ErrorKind.TIMEOUT] >= 3
    assert not any(r.device == "probe2" for r in readings)
    assert {r.point: r.value for r in readings if r.device == "probe3"} == REFERENCE


async def test_closed_client_refuses_requests(bus: RtuBus, make_client: MakeClient) -> None:
    client = make_client(bus.path)
    await client.request(1, READ_4)
    await client.close()
    with pytest.raises(TransportError, match="client is closed"):
        await client.request(1, READ_4)


async def test_close_ends_a_request_in_flight(bus: RtuBus, make_client: MakeClient) -> None:
    client = make_client(bus.path, timeout_s=30.0)
    bus.slaves[1].faults.silent = True
    pending = asyncio.create_task(client.request(1, READ_4))
    await eventually(lambda: bus.slaves[1].requests == 1)
    await client.close()
    with pytest.raises(TransportError):
        await asyncio.wait_for(pending, 2.0)  # far less than the 30 s timeout


# ---- against hand-made slaves on a pty ----


async def test_documented_dfrobot_exchange_decodes_through_the_profile(
    make_client: MakeClient,
) -> None:
    slave = PtyPeer()
    requests: list[bytes] = []

    async def answer_forever() -> None:
        while True:
            requests.append(await slave.read_exact(8, timeout_s=30))
            slave.write(DFROBOT_REPLY)

    answering = asyncio.create_task(answer_forever())
    client = make_client(slave.path)
    readings: list[Reading] = []
    device = PolledDevice("soil", load_profile("dfrobot_sen0604"), 1, 60.0)
    poller = ModbusPoller("bus-a", client, [device], readings.append)
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: len(readings) == 4)
    finally:
        await poller.close()
        await asyncio.wait_for(task, 2.0)
        answering.cancel()
        slave.close()
    assert requests == [DFROBOT_REQUEST]
    assert {r.point: (r.value, r.unit) for r in readings} == {
        "moisture": (65.8, "%"),
        "temperature": (-10.1, "°C"),
        "ec": (1000.0, "µS/cm"),
        "ph": (5.6, "pH"),
    }


async def test_the_rest_of_a_bad_reply_is_drained_before_the_next_request(
    make_client: MakeClient,
) -> None:
    slave = PtyPeer()
    try:
        client = make_client(slave.path)
        first = asyncio.create_task(client.request(1, READ_4))
        assert await slave.read_exact(8) == DFROBOT_REQUEST
        # A reply hit by noise, and more noise after it, in one burst.
        slave.write(DFROBOT_REPLY[:-2] + b"\x00\x00" + b"\xde\xad\xbe\xef\x01")
        with pytest.raises(FrameError, match="CRC 0x0000 != computed 0xB657"):
            await first
        assert client.stats().discarded_bytes == 5
        second = asyncio.create_task(client.request(1, READ_4))
        assert await slave.read_exact(8) == DFROBOT_REQUEST
        slave.write(DFROBOT_REPLY)
        assert parse_registers(READ_4, await second) == REFERENCE_REGISTERS
        assert client.stats().discarded == 0  # nothing was left for the flush
    finally:
        slave.close()


async def test_reply_of_unknown_length_ends_at_silence(make_client: MakeClient) -> None:
    slave = PtyPeer()
    try:
        client = make_client(slave.path)
        identify = bytes.fromhex("2B 0E 01 00")
        asking = asyncio.create_task(client.request(1, identify))
        assert await slave.read_exact(7) == adu("01 2B 0E 01 00")
        reply = adu("01 2B 0E 01 01 00 00 01 00 04 4B 41 4B 41")
        slave.write(reply)
        assert await asking == reply[1:-2]
    finally:
        slave.close()


# ---- RTU over TCP, through a serial server ----


async def test_rtu_over_tcp_through_a_serial_server_that_restarts(bus: RtuBus) -> None:
    port = free_port()
    server = (f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", f"FILE:{bus.path},raw,echo=0")
    link = TcpLink("127.0.0.1", port, name="srv", backoff_initial_s=0.05, backoff_max_s=0.1)
    client = ModbusRtuClient(link, name="srv", timeout_s=0.5)
    try:
        async with socat(*server):
            assert parse_registers(READ_4, await client.request(2, READ_4)) == REFERENCE_REGISTERS
        with pytest.raises(TransportError):
            await client.request(2, READ_4)
        async with socat(*server):
            async with asyncio.timeout(10):
                while True:  # the first attempts may fall in the backoff
                    try:
                        response = await client.request(3, READ_4)
                        break
                    except TransportError:
                        continue
            assert parse_registers(READ_4, response) == REFERENCE_REGISTERS
            stats = client.stats()
            assert (stats.connects, stats.link_breaks) == (2, 1)
    finally:
        await client.close()
