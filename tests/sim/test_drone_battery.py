"""The drone smart battery's map, served only while the drone is on its dock."""

from __future__ import annotations

import pytest

from drivers.profile import load_profile
from drivers.reading import Quality
from sim.drone_battery import DroneBattery
from sim.geo import Point
from sim.mission import Mission, Stop
from sim.register_bank import RegisterBank
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle import Vehicle

HALL, COOP = Point(33.5710, 133.5195), Point(33.5655, 133.5238)
T0 = 1.8e9


def battery(soc: float = 0.7) -> tuple[DroneBattery, RegisterBank, Vehicle]:
    spec = VehicleScenario("drone", VehicleType.DRONE, "Drone", "hall", 36.0, 5.0, 600.0, soc=soc)
    vehicle = Vehicle(spec, HALL, seed=1)
    bank = RegisterBank(load_profile("kakashi_drone_battery"))
    return DroneBattery("db", bank, vehicle, lambda: None, seed=1), bank, vehicle


def decoded(bank: RegisterBank, name: str) -> tuple[object, Quality]:
    point = bank.profile.point(name)
    return point.decode(bank.get(point))


def test_a_six_cell_pack_reports_six_cells_and_no_others() -> None:
    _, bank, _ = battery()
    cells = [decoded(bank, f"cell_{i:02d}") for i in range(1, 13)]
    assert all(q is Quality.GOOD for _, q in cells[:6])
    # 0xFFFF, the map's "no such cell": the profile calls it absent, so the
    # poller emits no reading for cells 7-12.
    points = [bank.profile.point(f"cell_{i:02d}") for i in range(1, 13)]
    absent = [p.is_absent(bank.get(p)) for p in points]
    assert absent == [False] * 6 + [True] * 6
    total = sum(v for v, _ in cells[:6] if isinstance(v, float))
    pack_v, _ = decoded(bank, "pack_voltage")
    assert total == pytest.approx(pack_v, abs=0.02)
    assert decoded(bank, "soc")[0] == pytest.approx(70.0)
    serial, _ = decoded(bank, "serial_number")
    assert isinstance(serial, str)
    assert serial.startswith("KKS-DB-")


def test_it_reports_charging_on_the_dock_and_answers_only_there() -> None:
    model, bank, vehicle = battery()
    vehicle.advance(T0, 60.0)
    bank.before_read and bank.before_read()
    assert decoded(bank, "charging")[0] == 1.0
    current, _ = decoded(bank, "current")
    assert isinstance(current, float)
    assert current > 0  # positive while charging
    assert model.answering
    vehicle.assign(Mission("m", (Stop("coop", COOP),), None, False), T0 + 60)
    vehicle.advance(T0 + 60, 5.0)
    assert not model.answering
