"""The simulator as a child process: started, read through its endpoints, stopped."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from drivers.modbus.clients import open_modbus_client
from drivers.modbus.pdu import parse_registers, read_request
from edge.config import ModbusTcpBus, load_config
from sim.process import start_simulator
from tests.sim.scenarios import REPO, SMALL, write


async def test_a_started_simulator_serves_its_endpoints_and_writes_a_working_config(
    tmp_path: Path,
) -> None:
    scenario = write(tmp_path)
    config_path = tmp_path / "gateway.toml"
    running = await start_simulator(
        scenario,
        write_config=config_path,
        settings={"web": {"port": 0}, "storage": {"path": str(tmp_path / "k.db")}},
        speed=60.0,
        runtime_dir=tmp_path / "run",
        cwd=REPO,
    )
    try:
        assert running.endpoints["speed"] == 60.0
        assert running.endpoints["config"] == str(config_path)
        config = load_config(config_path)
        assert config.web.port == 0
        bus = config.buses["tcp"]
        assert isinstance(bus, ModbusTcpBus)
        client = open_modbus_client("modbus_tcp", name="tcp", host=bus.host, port=bus.port)
        pdu = read_request(3, 0, 4)
        try:
            assert len(parse_registers(pdu, await client.request(1, pdu))) == 4
        finally:
            await client.close()
        assert running.control_url.startswith("http://127.0.0.1:")
    finally:
        code = await running.stop()
    assert code == 0  # SIGTERM is a clean stop
    assert not (tmp_path / "run" / "rs485").exists()  # its pty links are gone


async def test_sigint_also_stops_it_cleanly(tmp_path: Path) -> None:
    running = await start_simulator(write(tmp_path), runtime_dir=tmp_path / "run", cwd=REPO)
    running.proc.send_signal(signal.SIGINT)
    assert await running.proc.wait() == 0


async def test_a_simulator_that_cannot_start_says_why(tmp_path: Path) -> None:
    broken = write(
        tmp_path, SMALL.replace('profile = "dfrobot_sen0604"', 'profile = "no_such_probe"')
    )
    with pytest.raises(RuntimeError, match="no_such_probe"):
        await start_simulator(broken, cwd=REPO)
