"""A pymodbus server (through the simulator's wrapper) serving known registers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from drivers.profile import load_profile
from sim.modbus_server import SimModbusServer
from sim.register_bank import RegisterBank

# The DFRobot reference values: registers 0292 FF9B 03E8 0038.
REFERENCE = {"moisture": 65.8, "temperature": -10.1, "ec": 1000.0, "ph": 5.6}
REFERENCE_REGISTERS = [0x0292, 0xFF9B, 0x03E8, 0x0038]


@dataclass
class PeerServer:
    server: SimModbusServer
    host: str
    port: int
    banks: dict[int, RegisterBank]


@pytest.fixture
async def peer() -> AsyncIterator[PeerServer]:
    """Units 1 and 2 are DFRobot probes holding the reference values; 2 starts silent."""
    profile = load_profile("dfrobot_sen0604")
    banks = {1: RegisterBank(profile), 2: RegisterBank(profile)}
    for bank in banks.values():
        for name, value in REFERENCE.items():
            bank.set(name, value)
    server = SimModbusServer(banks)
    server.silent.add(2)
    host, port = await server.start()
    yield PeerServer(server, host, port, banks)
    await server.stop()
