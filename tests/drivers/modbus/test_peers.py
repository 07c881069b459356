"""Independent implementations on the other end of a real serial line (a socat pty pair).

The gateway's RTU client against modbus_tk's and pymodbus's RTU slaves; the
simulated bus against mbpoll (libmodbus, from Debian) and modbus_tk's master.
Each side is written by someone else, so a misreading of the specification
cannot hide by being made twice.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import modbus_tk.defines as cst
import pytest
import serial
from modbus_tk import modbus_rtu
from modbus_tk.exceptions import ModbusError as TkModbusError
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.modbus.pdu import (
    parse_bits,
    parse_registers,
    parse_write,
    read_request,
    write_multiple_coils,
    write_multiple_registers,
    write_single_coil,
    write_single_register,
)
from drivers.modbus.rtu_client import ModbusRtuClient
from drivers.serial_link import SerialLink
from sim.rtu_bus import RtuBus
from sim.rtu_slave import SimSlave
from tests.rtu_support import (
    REFERENCE,
    REFERENCE_REGISTERS,
    Socat,
    dfrobot_bank,
    pty_pair_addresses,
    simulated_bus,
)

READ_4 = read_request(3, 0, 4)
# modbus_tk's server thread still calls Event.isSet().
pytestmark = pytest.mark.filterwarnings("ignore:isSet:DeprecationWarning")


@pytest.fixture
async def cable(tmp_path: Path) -> AsyncIterator[tuple[Path, Path]]:
    """A null-modem cable: (gateway end, field end)."""
    gateway, field = tmp_path / "gateway", tmp_path / "field"
    line = Socat(*pty_pair_addresses(gateway, field))
    await line.start()
    yield gateway, field
    await line.stop()


@pytest.fixture
async def client(cable: tuple[Path, Path]) -> AsyncIterator[ModbusRtuClient]:
    link = SerialLink(str(cable[0]), name="peer-bus")
    made = ModbusRtuClient(link, name="peer-bus", timeout_s=1.0)
    yield made
    await made.close()


# ---- the gateway's client against other people's slaves ----


@pytest.fixture
def tk_slave(cable: tuple[Path, Path]) -> Iterator[modbus_rtu.RtuServer]:
    port = serial.Serial(str(cable[1]), baudrate=9600)
    server = modbus_rtu.RtuServer(port)
    server.start()
    slave = server.add_slave(1)
    slave.add_block("holding", cst.HOLDING_REGISTERS, 0, 4)
    slave.set_values("holding", 0, REFERENCE_REGISTERS)
    slave.add_block("coils", cst.COILS, 0, 8)
    yield server
    server.stop()


async def test_client_reads_and_writes_a_modbus_tk_slave(
    client: ModbusRtuClient, tk_slave: modbus_rtu.RtuServer
) -> None:
    assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS
    for request in (
        write_single_register(2, 1234),
        write_multiple_registers(0, [11, 22]),
        write_single_coil(3, True),
        write_multiple_coils(5, [True, False, True]),
    ):
        parse_write(request, await client.request(1, request))
    block = tk_slave.get_slave(1)
    assert list(block.get_values("holding", 0, 4)) == [11, 22, 1234, 0x0038]
    coils = read_request(1, 0, 8)
    assert parse_bits(coils, await client.request(1, coils)) == [
        False, False, False, True, False, True, False, True,
    ]  # fmt: skip
    # modbus_tk refuses a read past its block with exception 02.
    assert await client.request(1, read_request(3, 2, 4)) == bytes([0x83, 0x02])


async def test_client_reads_and_writes_a_pymodbus_slave(
    cable: tuple[Path, Path], client: ModbusRtuClient
) -> None:
    device = SimDevice(
        1, simdata=[SimData(0, values=REFERENCE_REGISTERS, datatype=DataType.REGISTERS)]
    )
    server = ModbusSerialServer(device, port=str(cable[1]), baudrate=9600)
    await server.serve_forever(background=True)
    try:
        assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS
        write = write_single_register(2, 4321)
        parse_write(write, await client.request(1, write))
        assert parse_registers(READ_4, await client.request(1, READ_4))[2] == 4321
        assert await client.request(1, read_request(3, 0, 5)) == bytes([0x83, 0x02])
    finally:
        await server.shutdown()  # type: ignore[no-untyped-call]


# ---- other people's masters against the simulated bus ----


@pytest.fixture
async def field_bus(cable: tuple[Path, Path]) -> AsyncIterator[RtuBus]:
    """Units 1 and 2 (DFRobot probes, unit 2 with EC 1234) on the field end."""
    slaves = [
        SimSlave(1, dfrobot_bank(), latency_s=0.002),
        SimSlave(2, dfrobot_bank({**REFERENCE, "ec": 1234}), latency_s=0.002),
    ]
    async with simulated_bus(slaves, device=str(cable[1])) as bus:
        yield bus


async def run_mbpoll(*args: str) -> tuple[int, str]:
    mbpoll = shutil.which("mbpoll")
    if mbpoll is None:
        pytest.fail("mbpoll is missing: install Debian's mbpoll (scripts/test.sh does it)")
    proc = await asyncio.create_subprocess_exec(
        mbpoll,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(20):
        out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_mbpoll_reads_the_simulated_bus(cable: tuple[Path, Path], field_bus: RtuBus) -> None:
    # -0: PDU addresses from 0; -t 4:hex holding registers; -P none: 8N1.
    common = ["-m", "rtu", "-b", "9600", "-P", "none", "-0", "-1", "-o", "1"]
    code, out = await run_mbpoll(
        *common, "-a", "1,2", "-r", "0", "-c", "4", "-t", "4", str(cable[0])
    )
    assert code == 0, out
    values = [int(v) for v in re.findall(r"^\[\d+\]:\s+(-?\d+)", out, re.MULTILINE)]
    assert values == [658, 65435, 1000, 56, 658, 65435, 1234, 56]
    assert field_bus.bad_frames == 0


async def test_mbpoll_sees_the_simulators_exception_and_silence(
    cable: tuple[Path, Path], field_bus: RtuBus
) -> None:
    common = ["-m", "rtu", "-b", "9600", "-P", "none", "-0", "-1", "-o", "0.3"]
    _, out = await run_mbpoll(*common, "-a", "1", "-r", "2", "-c", "4", "-t", "4", str(cable[0]))
    assert "Illegal data address" in out
    field_bus.slaves[2].faults.silent = True
    _, out = await run_mbpoll(*common, "-a", "2", "-r", "0", "-c", "1", "-t", "4", str(cable[0]))
    assert "timed out" in out.lower()


async def test_modbus_tk_master_reads_and_writes_the_simulated_bus(
    cable: tuple[Path, Path], field_bus: RtuBus
) -> None:
    def exchange() -> tuple[tuple[int, ...], tuple[int, ...], int]:
        port = serial.Serial(str(cable[0]), baudrate=9600)
        master = modbus_rtu.RtuMaster(port)
        master.set_timeout(1.0)
        try:
            first = master.execute(1, cst.READ_HOLDING_REGISTERS, 0, 4)
            second = master.execute(2, cst.READ_HOLDING_REGISTERS, 2, 1)
            try:
                master.execute(1, cst.READ_INPUT_REGISTERS, 0, 1)
            except TkModbusError as exc:
                code = exc.get_exception_code()
            else:
                code = 0
            return first, second, code
        finally:
            master.close()

    first, second, code = await asyncio.to_thread(exchange)
    assert first == tuple(REFERENCE_REGISTERS)
    assert second == (1234,)
    assert code == 2  # the probe has no input registers
