"""Each Modbus fault, seen through Kakashi's own drivers as the error a gateway must handle.

The simulation runs in the test's loop on a hand-advanced clock; requests go
over a real TCP socket or a real pty through ``drivers.modbus``, so what is
asserted is exactly what the service would see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.modbus.client import ModbusClient
from drivers.modbus.errors import FrameError, ModbusException, RequestTimeoutError
from drivers.modbus.pdu import check_exception, parse_registers, read_request
from drivers.reading import Quality
from sim.runtime import Simulation
from sim.scenario import FaultScenario
from tests.sim.running import clear_faults, inject, manual, rtu_client, running, tcp_client

SOIL_READ = read_request(3, 0x0000, 4)  # soil-1 (TCP, unit 1) and soil-2 (RTU, unit 2)


async def read(client: ModbusClient, unit: int, pdu: bytes = SOIL_READ) -> list[int]:
    reply = await client.request(unit, pdu)
    check_exception(pdu, reply)
    return parse_registers(pdu, reply)


@pytest.fixture
async def sim(tmp_path: Path) -> AsyncIterator[Simulation]:
    async with running(tmp_path) as simulation:
        yield simulation


@pytest.fixture
async def tcp(sim: Simulation) -> AsyncIterator[ModbusClient]:
    client = tcp_client(sim)
    yield client
    await client.close()


@pytest.fixture
async def rtu(sim: Simulation) -> AsyncIterator[ModbusClient]:
    client = rtu_client(sim)
    yield client
    await client.close()


async def test_devices_answer_with_the_field_physics(
    sim: Simulation, tcp: ModbusClient, rtu: ModbusClient
) -> None:
    registers = await read(tcp, 1)
    point = sim.scenario.devices["soil-1"].profile.point("moisture")
    moisture, quality = point.decode(registers[:1])
    assert quality is Quality.GOOD
    sample = sim.world.sensing["paddy"].sample(sim.clock.now(), 0.15)
    assert moisture == pytest.approx(sample.moisture_pct, abs=4.0)
    assert len(await read(rtu, 2)) == 4


@pytest.mark.parametrize("transport", ["tcp", "rtu"])
async def test_no_reply_and_offline_time_out(
    sim: Simulation, tcp: ModbusClient, rtu: ModbusClient, transport: str
) -> None:
    client, unit, device = (tcp, 1, "soil-1") if transport == "tcp" else (rtu, 2, "soil-2")
    await inject(sim, "no_reply", device)
    with pytest.raises(RequestTimeoutError):
        await read(client, unit)
    await clear_faults(sim)
    await read(client, unit)
    sim.board.add(
        FaultScenario("offline", device, sim.clock.now() - sim.world.start_ts, 60.0), "api"
    )
    await sim.tick()
    with pytest.raises(RequestTimeoutError):
        await read(client, unit)
    manual(sim).advance(61.0)  # the device comes back by itself
    await sim.tick()
    await read(client, unit)


@pytest.mark.parametrize("transport", ["tcp", "rtu"])
async def test_a_slow_reply_beyond_the_timeout_times_out_and_a_slow_one_within_it_arrives(
    sim: Simulation, tcp: ModbusClient, rtu: ModbusClient, transport: str
) -> None:
    client, unit, device = (tcp, 1, "soil-1") if transport == "tcp" else (rtu, 2, "soil-2")
    await inject(sim, "slow_reply", device, delay_s=0.6)
    with pytest.raises(RequestTimeoutError):
        await read(client, unit)
    await clear_faults(sim)
    await inject(sim, "slow_reply", device, delay_s=0.1)
    assert len(await read(client, unit)) == 4


async def test_a_crc_error_is_a_frame_error_naming_the_crc(
    sim: Simulation, rtu: ModbusClient
) -> None:
    await inject(sim, "crc_error", "soil-2")
    with pytest.raises(FrameError, match="CRC"):
        await read(rtu, 2)
    await clear_faults(sim)
    await read(rtu, 2)


async def test_a_wrong_unit_on_rtu_is_a_frame_error_naming_both_units(
    sim: Simulation, rtu: ModbusClient
) -> None:
    await inject(sim, "wrong_unit", "soil-2", as_unit=9)
    with pytest.raises(FrameError, match="unit 9 answered, expected unit 2"):
        await read(rtu, 2)


async def test_a_wrong_unit_on_tcp_is_never_taken_as_the_answer(
    sim: Simulation, tcp: ModbusClient
) -> None:
    await inject(sim, "wrong_unit", "soil-1", as_unit=9)
    # The client matches replies by transaction id and unit: this one is
    # discarded, and the request times out waiting for its real answer.
    with pytest.raises(RequestTimeoutError):
        await read(tcp, 1)
    assert tcp.stats().discarded == 1
    await clear_faults(sim)
    assert len(await read(tcp, 1)) == 4


@pytest.mark.parametrize("transport", ["tcp", "rtu"])
async def test_an_exception_code_is_raised_as_a_modbus_exception(
    sim: Simulation, tcp: ModbusClient, rtu: ModbusClient, transport: str
) -> None:
    client, unit, device = (tcp, 1, "soil-1") if transport == "tcp" else (rtu, 2, "soil-2")
    await inject(sim, "exception", device, code=4)
    with pytest.raises(ModbusException) as caught:
        await read(client, unit)
    assert caught.value.code == 4
    assert caught.value.name == "server device failure"


async def test_a_truncated_rtu_reply_is_a_short_frame(sim: Simulation, rtu: ModbusClient) -> None:
    await inject(sim, "truncated", "soil-2", keep_bytes=6)
    with pytest.raises(FrameError, match="short frame: 6 of 13 bytes"):
        await read(rtu, 2)


async def test_a_truncated_tcp_reply_never_completes(sim: Simulation, tcp: ModbusClient) -> None:
    await inject(sim, "truncated", "soil-1", keep_bytes=10)
    # The MBAP header promises more bytes than ever come.
    with pytest.raises(RequestTimeoutError):
        await read(tcp, 1)


async def test_a_stuck_probe_repeats_itself_while_the_soil_changes(
    sim: Simulation, tcp: ModbusClient
) -> None:
    await inject(sim, "stuck", "soil-1")
    first = await read(tcp, 1)
    manual(sim).advance(6 * 3600.0)
    await sim.tick()
    assert await read(tcp, 1) == first
    await clear_faults(sim)
    assert await read(tcp, 1) != first


async def test_a_spike_beyond_the_range_is_flagged_by_the_profile(
    sim: Simulation, tcp: ModbusClient
) -> None:
    await inject(sim, "spike", "soil-1", point="temperature", value=95.0)
    registers = await read(tcp, 1)
    point = sim.scenario.devices["soil-1"].profile.point("temperature")
    assert point.decode(registers[1:2]) == (95.0, Quality.OUT_OF_RANGE)


async def test_a_vehicle_fault_shows_in_the_cart_controllers_registers(sim: Simulation) -> None:
    client = tcp_client(sim, "cart-radio")
    try:
        pdu = read_request(4, 0x000A, 3)
        assert await read(client, 1, pdu) == [0, 0, 0]  # at home, full: idle
        await inject(sim, "vehicle_stop", "cart")
        assert await read(client, 1, pdu) == [0, 0b1, 4]  # fault_motor_left, mode 4
        await inject(sim, "low_battery", "cart", soc=0.2)
        soc = await read(client, 1, read_request(4, 0x0002, 1))
        assert soc == [200]
    finally:
        await client.close()


async def test_the_carts_button_and_bumper_show_as_estop_bits(sim: Simulation) -> None:
    client = tcp_client(sim, "cart-radio")
    try:
        pdu = read_request(4, 0x000A, 3)
        await inject(sim, "estop_button", "cart")
        assert await read(client, 1, pdu) == [0b00011, 0, 5]  # active + button, mode 5
        await clear_faults(sim)
        assert await read(client, 1, pdu) == [0b00001, 0, 5]  # released, still latched
        await inject(sim, "bumper", "cart")
        assert await read(client, 1, pdu) == [0b01001, 0, 5]
    finally:
        await client.close()
