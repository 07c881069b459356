"""The same seed gives the same run; another seed another one."""

from __future__ import annotations

import json
from pathlib import Path

from drivers.profile import Function
from sim.clock import ManualClock
from sim.runtime import Simulation
from tests.sim.scenarios import small

MISSION = json.dumps(
    {
        "mission_id": "d",
        "stops": [
            {"id": "coop", "location": [33.5655, 133.5238], "action": "none", "service_s": 90}
        ],
    }
).encode()


def snapshot(sim: Simulation) -> dict[str, object]:
    """Everything a gateway could read: every device's registers and the GPS sentences."""
    out: dict[str, object] = {}
    for device_id, device in sim.modbus.items():
        bank = device.bank
        out[device_id] = {
            f.value: bank.client_read(f, a[0], a[-1] - a[0] + 1)
            for f in Function
            if (a := bank.addresses(f))
        }
    for device_id, port in sim.gps.items():
        out[device_id] = port.epoch_text(sim.clock.now())
    out["state"] = sim.world.state()
    return out


async def run(tmp_path: Path, seed: int, steps: list[float]) -> list[dict[str, object]]:
    scenario = small(tmp_path)
    clock = ManualClock(scenario.clock.start.timestamp())
    sim = Simulation(scenario, clock=clock, seed=seed, runtime_dir=tmp_path / "run", use_mqtt=False)
    assert sim.handle_mission("cart", MISSION) == ("d", None)
    assert sim.handle_mission("drone", MISSION) == ("d", None)
    shots = []
    for step in steps:
        clock.advance(step)
        sim.sync()
        if clock.now() - scenario.clock.start.timestamp() in (600.0, 3600.0, 2 * 86400.0):
            shots.append(snapshot(sim))
    return shots


async def test_one_seed_gives_one_run_however_time_is_stepped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    coarse = await run(tmp_path / "a", 5, [600.0, 3000.0, 2 * 86400.0 - 3600.0])
    fine = await run(tmp_path / "b", 5, [60.0] * 60 + [2 * 86400.0 - 3600.0])
    assert len(coarse) == len(fine) == 3
    assert json.dumps(coarse, sort_keys=True) == json.dumps(fine, sort_keys=True)


async def test_another_seed_gives_another_run(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = await run(tmp_path / "a", 5, [600.0])
    b = await run(tmp_path / "b", 6, [600.0])
    assert a[0]["soil-1"] != b[0]["soil-1"]
    assert a[0]["weather"] != b[0]["weather"]
