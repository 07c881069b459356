"""Vehicles on missions: timing, loads, energy, charging, faults."""

from __future__ import annotations

import dataclasses

import pytest

from sim.geo import Point, distance_m, manhattan_path, path_length_m
from sim.mission import Action, Mission, MissionError, Stop
from sim.roads import RoadGraph
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle import State, Vehicle
from sim.vehicle_routes import DRONE_CLIMB_MS, DRONE_DESCENT_MS
from tests.sim.scenarios import SCENARIOS

HALL = Point(33.5710, 133.5195)
COOP = Point(33.5655, 133.5238)
T0 = 1_782_864_000.0


CART = VehicleScenario("cart", VehicleType.CART, "Cart", "hall", 6.0, 30.0, 1200.0)
DRONE = VehicleScenario(
    "drone",
    VehicleType.DRONE,
    "Drone",
    "hall",
    36.0,
    5.0,
    600.0,
    frame_kg=5.0,
    battery_kg=3.5,
    rotors=6,
    rotor_diameter_m=0.55,
    cruise_altitude_m=50.0,
)


def cart(soc: float = 1.0) -> Vehicle:
    return Vehicle(dataclasses.replace(CART, soc=soc), HALL, seed=1)


def drone() -> Vehicle:
    return Vehicle(DRONE, HALL, seed=1)


def mission(*stops: Stop, back: bool = True, mid: str = "m1") -> Mission:
    return Mission(mid, stops, None, back)


def run(v: Vehicle, seconds: float, step: float = 1.0) -> None:
    t = v.now or T0
    end = t + seconds
    while t < end:
        dt = min(step, end - t)
        v.advance(t, dt)
        t += dt


def state(v: Vehicle) -> State:
    """Read through a call, so the type checker does not pin it between two advances."""
    return v.state


def events(v: Vehicle) -> list[str]:
    return [e.event for e in v.events]


def test_a_cart_drives_its_mission_at_its_speed_and_comes_home() -> None:
    v = cart()
    v.assign(mission(Stop("coop", COOP, Action.NONE, 0.0, 60.0)), T0)
    leg_s = path_length_m(manhattan_path(HALL, COOP)) / (6.0 / 3.6)
    run(v, leg_s - 2)
    assert state(v) is State.MOVING
    run(v, 4)
    assert state(v) is State.SERVICING
    assert distance_m(v.position, COOP) < 1.0
    run(v, 60 + leg_s + 5)
    assert state(v) in (State.IDLE, State.CHARGING)
    assert distance_m(v.position, HALL) < 1.0
    assert events(v) == ["accepted", "departed", "arrived", "serviced", "departed", "completed"]
    # Out along one L, back along the other: the parallels differ by a few centimetres.
    assert v.odometer_m == pytest.approx(2 * path_length_m(manhattan_path(HALL, COOP)), rel=1e-4)


def test_loads_and_unloads_change_the_payload() -> None:
    v = cart()
    v.assign(
        mission(
            Stop("hall", HALL, Action.LOAD, 25.0, 30.0),
            Stop("coop", COOP, Action.UNLOAD, 10.0, 30.0),
            back=False,
        ),
        T0,
    )
    run(v, 31)
    assert v.payload_kg == pytest.approx(25.0)
    run(v, 2000)
    assert v.payload_kg == pytest.approx(15.0)
    assert state(v) is State.IDLE
    assert distance_m(v.position, COOP) < 1.0


def test_a_load_makes_a_cart_spend_more_per_metre() -> None:
    light, heavy = cart(), cart()
    light.assign(mission(Stop("coop", COOP), back=False), T0)
    heavy.assign(mission(Stop("hall", HALL, Action.LOAD, 30.0), Stop("coop", COOP), back=False), T0)
    run(light, 1000)
    run(heavy, 1000)
    assert light.odometer_m == pytest.approx(heavy.odometer_m)
    assert heavy.energy_used_wh > light.energy_used_wh * 1.15
    assert heavy.pack.soc < light.pack.soc


def test_a_drone_climbs_cruises_and_lands_and_payload_drains_it_faster() -> None:
    light, heavy = drone(), drone()
    light.assign(mission(Stop("coop", COOP, service_s=30.0), back=False), T0)
    heavy.assign(
        mission(
            Stop("hall", HALL, Action.LOAD, 5.0), Stop("coop", COOP, service_s=30.0), back=False
        ),
        T0,
    )
    run(light, 10, step=0.5)
    assert light.altitude_m == pytest.approx(min(50.0, 10 * DRONE_CLIMB_MS))
    flight_s = 50.0 / DRONE_CLIMB_MS + distance_m(HALL, COOP) / 10.0 + 50.0 / DRONE_DESCENT_MS
    run(light, flight_s - 10 + 1)
    run(heavy, flight_s + 1)
    assert state(light) is State.SERVICING
    assert light.altitude_m == 0.0
    ratio = heavy.energy_used_wh / light.energy_used_wh
    assert ratio == pytest.approx(((8.5 + 5.0) / 8.5) ** 1.5, rel=0.01)


def test_a_vehicle_home_and_idle_charges() -> None:
    v = cart(soc=0.5)
    run(v, 3600)
    assert state(v) is State.CHARGING
    assert v.pack.soc == pytest.approx(0.5 + 400.0 / (1200.0 * v.pack.health), abs=0.01)


def test_a_drive_fault_stops_a_cart_and_it_resumes_after() -> None:
    v = cart()
    v.assign(mission(Stop("coop", COOP)), T0)
    run(v, 100)
    v.faults.add("vehicle_stop")
    run(v, 1)
    where = v.position
    run(v, 300)
    assert v.position == where
    assert v.speed_ms == 0.0
    v.faults.clear()
    run(v, 10)
    assert distance_m(v.position, where) > 10
    assert "stopped" in events(v)
    assert "resumed" in events(v)


def test_a_drone_with_a_fault_lands_where_it_is_then_flies_on() -> None:
    v = drone()
    v.assign(mission(Stop("coop", COOP), back=False), T0)
    run(v, 40)
    assert v.altitude_m == pytest.approx(50.0)
    v.faults.add("vehicle_stop")
    run(v, 40)
    assert v.altitude_m == 0.0
    where = v.position
    assert distance_m(where, COOP) > 50
    v.faults.clear()
    run(v, 200)
    assert state(v) is State.IDLE
    assert distance_m(v.position, COOP) < 1.0
    assert events(v).count("departed") == 2


def test_a_cart_that_loses_its_position_stops_but_a_drone_flies_on() -> None:
    c, d = cart(), drone()
    for v in (c, d):
        v.assign(mission(Stop("coop", COOP)), T0)
        run(v, 30)
        v.faults.add("gps_lost")
    c_at, d_at = c.position, d.position
    run(c, 30)
    run(d, 30)
    assert c.position == c_at
    assert d.position != d_at


def test_an_empty_battery_ends_the_mission() -> None:
    v = cart()
    v.assign(mission(Stop("coop", COOP)), T0)
    run(v, 60)
    v.set_soc(0.03, v.now)
    run(v, 60)
    assert state(v) is State.EMPTY
    assert v.events[-1].event == "failed"
    assert "battery" in v.events[-1].detail
    with pytest.raises(MissionError, match="battery is empty"):
        v.assign(mission(Stop("coop", COOP)), v.now)


def test_a_new_mission_replaces_the_one_in_progress() -> None:
    v = cart()
    v.assign(mission(Stop("coop", COOP)), T0)
    run(v, 60)
    v.assign(mission(Stop("hall", HALL), mid="m2"), v.now)
    aborted = [e for e in v.events if e.event == "aborted"]
    assert len(aborted) == 1
    assert aborted[0].mission_id == "m1"
    assert v.mission is not None
    assert v.mission.mission_id == "m2"


def test_impossible_missions_are_refused_and_change_nothing() -> None:
    v = cart()
    with pytest.raises(MissionError, match=r"stops\[1\]: load would reach 40 kg; payload_kg is 30"):
        v.assign(
            mission(Stop("a", HALL, Action.LOAD, 20.0), Stop("b", COOP, Action.LOAD, 20.0)), T0
        )
    with pytest.raises(MissionError, match=r"stops\[0\]: unloads 5 kg; 0 kg aboard"):
        v.assign(mission(Stop("a", COOP, Action.UNLOAD, 5.0)), T0)
    with pytest.raises(MissionError, match="mission is for drone-9"):
        v.assign(Mission("m", (Stop("a", COOP),), "drone-9"), T0)
    on_roads = Vehicle(
        v.spec,
        HALL,
        seed=1,
        roads=RoadGraph.from_geojson(SCENARIOS / "mountain_village_roads.geojson"),
    )
    with pytest.raises(MissionError, match=r"stops\[0\]: .* from the nearest road"):
        on_roads.assign(mission(Stop("far", Point(33.60, 133.52))), T0)
    assert v.mission is None
    assert v.events == []


def test_a_cart_on_roads_follows_them() -> None:
    roads = RoadGraph.from_geojson(SCENARIOS / "mountain_village_roads.geojson")
    v = Vehicle(cart().spec, HALL, seed=1, roads=roads)
    v.assign(mission(Stop("coop", COOP), back=False), T0)
    run(v, 3000)
    assert v.odometer_m == pytest.approx(path_length_m(roads.path(HALL, COOP)), rel=1e-6)
