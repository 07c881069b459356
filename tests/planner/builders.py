"""Small problems built in code, so each test states exactly what it constrains."""

from __future__ import annotations

from planner.energy import MultirotorEnergy
from planner.geo import Location
from planner.problem import (
    Amount,
    DroneSpec,
    Site,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleKind,
)

DEPOT = Site("depot", Location(35.0, 139.0))
DAY = TimeWindow(8 * 3600, 18 * 3600)
ENERGY = MultirotorEnergy(frame_kg=3.0, battery_kg=2.0, rotors=4, rotor_diameter_m=0.4)


def at(north_m: float, east_m: float) -> Location:
    """A point offset from the depot by metres north and east."""
    return Location(35.0 + north_m / 111_195.0, 139.0 + east_m / (111_195.0 * 0.819152))


def stop(
    ident: str,
    north_m: float,
    east_m: float,
    kg: float = 1.0,
    kind: StopKind = StopKind.DELIVERY,
    windows: tuple[TimeWindow, ...] = (),
    required: bool = True,
    penalty: float = 0.0,
    vehicles: frozenset[str] | None = None,
    site: str | None = None,
) -> Stop:
    return Stop(
        ident,
        at(north_m, east_m),
        kind,
        Amount(kg=kg),
        service_s=60.0,
        windows=windows,
        required=required,
        penalty=penalty,
        vehicles=vehicles,
        site=site,
    )


def cart(ident: str = "cart", kg: float = 100.0) -> Vehicle:
    return Vehicle(ident, VehicleKind.CART, "depot", "depot", Amount(kg=kg, m3=10.0), 5.0, DAY)


def drone(ident: str = "drone", battery_wh: float = 300.0) -> Vehicle:
    spec = DroneSpec(max_payload_kg=3.0, battery_wh=battery_wh, energy=ENERGY, reserve_fraction=0.2)
    return Vehicle(
        ident,
        VehicleKind.DRONE,
        "depot",
        "depot",
        Amount(kg=5.0, m3=1.0),
        15.0,
        DAY,
        drone=spec,
    )
