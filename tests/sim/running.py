"""A whole simulation in the test's event loop, on a hand-advanced clock, and clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from drivers.modbus.client import ModbusClient
from drivers.modbus.clients import open_modbus_client
from sim.clock import ManualClock
from sim.runtime import Simulation
from sim.scenario import FaultScenario
from tests.sim.scenarios import small


@asynccontextmanager
async def running(
    tmp_path: Path, extra: str = "", *, replace: dict[str, str] | None = None
) -> AsyncIterator[Simulation]:
    scenario = small(tmp_path, extra, replace=replace)
    clock = ManualClock(scenario.clock.start.timestamp())
    sim = Simulation(scenario, clock=clock, runtime_dir=tmp_path / "run", use_mqtt=False)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.close()


def manual(sim: Simulation) -> ManualClock:
    assert isinstance(sim.clock, ManualClock)
    return sim.clock


async def inject(sim: Simulation, kind: str, target: str, **params: float | int | str) -> None:
    """Start a fault now and apply it."""
    now = sim.clock.now() - sim.world.start_ts
    sim.board.add(FaultScenario(kind, target, now, None, dict(params)), "api")
    await sim.tick()


async def clear_faults(sim: Simulation) -> None:
    for fault in list(sim.board.faults.values()):
        sim.board.end(fault.id, sim.clock.now())
    await sim.tick()


def tcp_client(sim: Simulation, bus: str = "tcp", timeout_s: float = 0.3) -> ModbusClient:
    where = sim.endpoints()["buses"][bus]
    return open_modbus_client(
        "modbus_tcp", name=bus, host=where["host"], port=where["port"], timeout_s=timeout_s
    )


def rtu_client(sim: Simulation, bus: str = "rs485", timeout_s: float = 0.3) -> ModbusClient:
    where = sim.endpoints()["buses"][bus]
    return open_modbus_client(
        "modbus_rtu",
        name=bus,
        port=where["port"],
        baudrate=where["baudrate"],
        parity=where["parity"],
        stopbits=where["stopbits"],
        timeout_s=timeout_s,
    )
