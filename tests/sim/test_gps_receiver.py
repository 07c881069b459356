"""The receiver's error around the truth, and its faults."""

from __future__ import annotations

import pytest

from sim.geo import Point, distance_m
from sim.gps_receiver import GpsReceiver
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle import Vehicle

HALL = Point(33.5710, 133.5195)


def receiver() -> GpsReceiver:
    spec = VehicleScenario("cart", VehicleType.CART, "Cart", "hall", 6.0, 30.0, 1200.0)
    return GpsReceiver("gps", Vehicle(spec, HALL, seed=1), seed=1, ground_m=120.0)


def test_the_reported_position_wanders_a_few_metres_smoothly() -> None:
    r = receiver()
    errors = [
        distance_m(Point(f.lat, f.lon), HALL) for f in (r.fix(1e9 + t) for t in range(0, 600, 5))
    ]
    assert max(errors) < 10.0
    assert sum(errors) / len(errors) > 0.3  # not the truth itself
    a, b = r.fix(1e9), r.fix(1e9 + 1)
    assert distance_m(Point(a.lat, a.lon), Point(b.lat, b.lon)) < 0.5


def test_a_receiver_is_the_same_for_the_same_seed_and_time() -> None:
    assert receiver().fix(1e9 + 17) == receiver().fix(1e9 + 17)


def test_lost_fix_and_clock_skew() -> None:
    r = receiver()
    r.vehicle.faults.add("gps_lost")
    lost = r.fix(1e9)
    assert not lost.valid
    assert lost.satellites == 0
    r.skew_s = 2.5
    assert r.fix(1e9).ts == pytest.approx(1e9 + 2.5)
    assert r.fix(1e9).altitude_m == pytest.approx(120.0, abs=3.0)
