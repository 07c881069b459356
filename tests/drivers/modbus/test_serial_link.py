"""An RTU client whose serial adapter vanishes and comes back: recovery, and no busy loop.

socat stands in for a USB RS-485 adapter: stopping it removes the device
symlink the client opened (like unplugging), starting it again recreates it
on the same path (like plugging back in), perhaps as another /dev/pts node.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.modbus.errors import ModbusError, TransportError
from drivers.modbus.pdu import parse_registers, read_request
from drivers.modbus.rtu_client import ModbusRtuClient
from drivers.serial_link import SerialLink
from sim.rtu_slave import SimSlave
from tests.rtu_support import (
    REFERENCE_REGISTERS,
    Socat,
    dfrobot_bank,
    eventually,
    pty_pair_addresses,
    simulated_bus,
)

READ_4 = read_request(3, 0, 4)
CPU_BUDGET_S = 0.2
GONE_FOR_S = 2.0


@pytest.fixture
async def adapter(tmp_path: Path) -> AsyncIterator[tuple[Socat, Path, Path]]:
    """A null-modem pair: the gateway opens ``gateway``, the slaves sit on ``field``."""
    gateway, field = tmp_path / "ttyUSB0", tmp_path / "field"
    line = Socat(*pty_pair_addresses(gateway, field))
    await line.start()
    yield line, gateway, field
    await line.stop()


def slave() -> SimSlave:
    return SimSlave(1, dfrobot_bank(), latency_s=0.001)


async def test_unplugged_adapter_is_recovered_on_the_same_client(
    adapter: tuple[Socat, Path, Path],
) -> None:
    line, gateway, field = adapter
    link = SerialLink(str(gateway), name="field", backoff_initial_s=0.05, backoff_max_s=0.2)
    client = ModbusRtuClient(link, name="field", timeout_s=0.3)
    try:
        async with simulated_bus([slave()], device=str(field)):
            assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS

        await line.stop()  # unplugged
        assert not gateway.is_symlink()
        await eventually(lambda: not link.is_open)  # noticed without a request in flight
        with pytest.raises(TransportError):
            await client.request(1, READ_4)

        await line.start()  # plugged in again
        async with simulated_bus([slave()], device=str(field)):
            async with asyncio.timeout(10):
                while True:  # each failed attempt waits out the backoff
                    try:
                        response = await client.request(1, READ_4)
                        break
                    except TransportError:
                        continue
            assert parse_registers(READ_4, response) == REFERENCE_REGISTERS
        stats = client.stats()
        assert (stats.connects, stats.link_breaks) == (2, 1)
    finally:
        await client.close()


async def test_polling_a_vanished_port_costs_almost_no_cpu(
    adapter: tuple[Socat, Path, Path],
) -> None:
    line, gateway, field = adapter
    link = SerialLink(str(gateway), name="field", backoff_initial_s=0.05, backoff_max_s=0.5)
    client = ModbusRtuClient(link, name="field", timeout_s=0.2)
    try:
        async with simulated_bus([slave()], device=str(field)):
            await client.request(1, READ_4)
        await line.stop()

        # The worst caller there is: ask again the moment a request fails.
        loop = asyncio.get_running_loop()
        cpu_before = time.process_time()
        end = loop.time() + GONE_FOR_S
        failures = 0
        while loop.time() < end:
            try:
                await client.request(1, READ_4)
            except ModbusError:
                failures += 1
        cpu_used = time.process_time() - cpu_before
    finally:
        await client.close()
    # The bound the task sets: a gone port must not become a busy loop.
    assert cpu_used < CPU_BUDGET_S, f"{cpu_used:.3f} s CPU in {GONE_FOR_S} s"
    # Each attempt to reopen waited out a growing backoff instead of retrying at once.
    assert 2 <= link.connect_failures <= 20
    assert failures >= 1
