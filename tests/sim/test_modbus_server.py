"""The simulator's server read and written by pymodbus's client, an independent peer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusIOException

from drivers.profile import Function, load_profile
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank
from tests.sim.test_register_bank import FIELD_NODE


@pytest.fixture
async def served(
    tmp_path: Path,
) -> AsyncIterator[tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient]]:
    path = tmp_path / "field_node.toml"
    path.write_text(FIELD_NODE, encoding="utf-8")
    bank = RegisterBank(load_profile(path))
    server = SimModbusServer({5: bank})
    host, port = await server.start()
    client = AsyncModbusTcpClient(host, port=port, timeout=0.2, retries=0)
    assert await client.connect()
    yield server, bank, client
    client.close()
    await server.stop()


async def test_registers_follow_the_bank(
    served: tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient],
) -> None:
    _, bank, client = served
    bank.set("valve_open", 1)
    bank.set("setpoint", 42.5)
    response = await client.read_holding_registers(10, count=2, device_id=5)
    assert response.registers == [0b100, 425]
    bank.set("setpoint", 10.0)
    response = await client.read_holding_registers(11, count=1, device_id=5)
    assert response.registers == [100]
    bank.set("level", 70000)
    response = await client.read_input_registers(0, count=2, device_id=5)
    assert response.registers == [70000 & 0xFFFF, 70000 >> 16]  # low word first


async def test_bit_tables(
    served: tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient],
) -> None:
    _, bank, client = served
    bank.set("relay", 1)
    bank.set("door", 1)
    coils = await client.read_coils(3, count=1, device_id=5)
    assert coils.bits[0] is True
    inputs = await client.read_discrete_inputs(17, count=1, device_id=5)
    assert inputs.bits[0] is True
    bank.set("door", 0)
    inputs = await client.read_discrete_inputs(17, count=1, device_id=5)
    assert inputs.bits[0] is False


async def test_unmapped_registers_give_illegal_data_address(
    served: tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient],
) -> None:
    _, _, client = served
    response = await client.read_holding_registers(12, count=1, device_id=5)
    assert response.isError()
    assert response.exception_code == 2


async def test_writes_reach_the_bank_only_where_the_profile_allows(
    served: tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient],
) -> None:
    _, bank, client = served
    ok = await client.write_register(11, 333, device_id=5)
    assert not ok.isError()
    assert bank.read(Function.HOLDING, 11, 1) == [333]
    refused = await client.write_register(10, 1, device_id=5)
    assert refused.isError()
    assert refused.exception_code == 2
    assert bank.read(Function.HOLDING, 10, 1) == [0]


async def test_unknown_and_silenced_units_do_not_answer(
    served: tuple[SimModbusServer, RegisterBank, AsyncModbusTcpClient],
) -> None:
    server, _, client = served
    with pytest.raises(ModbusIOException):
        await client.read_holding_registers(11, count=1, device_id=6)
    server.silent.add(5)
    with pytest.raises(ModbusIOException):
        await client.read_holding_registers(11, count=1, device_id=5)
    server.silent.clear()
    response = await client.read_holding_registers(11, count=1, device_id=5)
    assert not response.isError()


def test_unit_ids_are_checked() -> None:
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    with pytest.raises(ValueError, match=r"simulated unit ids are 1\.\.255, found 0"):
        SimModbusServer({0: bank})
    with pytest.raises(ValueError, match="needs at least one unit"):
        SimModbusServer({})
