"""Battery packs: voltage from state of charge, sag under load, exact charging, wear."""

from __future__ import annotations

import pytest

from sim.battery import LFP, NMC, Pack


def pack(soc: float = 0.8) -> Pack:
    return Pack.build(NMC, 6, 600.0, soc, seed=1, name="drone")


def test_open_circuit_voltage_follows_the_cell_curve() -> None:
    assert pack(1.0).ocv() == pytest.approx(6 * 4.18)
    assert pack(0.5).ocv() == pytest.approx(6 * 3.80)
    lfp = Pack.build(LFP, 16, 1200.0, 0.6, seed=1, name="cart")
    assert 40.0 < lfp.ocv() < 58.4  # docs/devices.md: 40.0-58.4 V in use


def test_a_load_draws_current_sags_the_voltage_and_empties_the_pack() -> None:
    p = pack(0.8)
    rest = p.voltage()
    health = p.health
    p.draw(600.0, 360.0, 25.0)  # 600 W for six minutes: 60 Wh
    assert p.current_a < 0  # discharging is negative, as in the profiles
    assert p.voltage() < p.ocv() < rest
    assert p.current_a == pytest.approx(-600.0 / p.voltage(), rel=1e-6)
    assert p.soc == pytest.approx(0.8 - 60.0 / (600.0 * health), rel=1e-6)
    assert p.health < health  # 60 Wh more of wear


def test_charging_is_the_same_whatever_the_steps() -> None:
    once, in_steps = pack(0.5), pack(0.5)
    once.charge(300.0, 7200.0, 25.0)
    for _ in range(720):
        in_steps.charge(300.0, 10.0, 25.0)
    assert once.soc == pytest.approx(in_steps.soc, abs=1e-9)
    assert 0.9 < once.soc < 1.0  # tapers: two hours at 300 W do not quite fill it


def test_heat_rises_under_load_and_cells_sit_a_few_millivolts_apart() -> None:
    p = pack(0.9)
    p.draw(2000.0, 600.0, 25.0)
    assert p.temperature_c > 25.0
    cells = p.cell_voltages()
    assert len(cells) == 6
    assert max(cells) - min(cells) < 0.05
    assert sum(cells) == pytest.approx(p.voltage(), abs=0.02)
