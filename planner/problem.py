"""The planning problem as plain typed data: sites, stops, pairs, fleet, airspace.

Units: metres, seconds (from the plan's epoch, usually local midnight), kg, m³,
watt-hours, and cost in the site's currency. Nothing here knows OR-Tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from planner.energy import MultirotorEnergy
from planner.geo import Location


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Service may start at any time in [start_s, end_s]."""

    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Amount:
    kg: float = 0.0
    m3: float = 0.0

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.kg + other.kg, self.m3 + other.m3)

    def __sub__(self, other: Amount) -> Amount:
        return Amount(self.kg - other.kg, self.m3 - other.m3)

    def fits(self, capacity: Amount, tolerance: float = 1e-9) -> bool:
        return self.kg <= capacity.kg + tolerance and self.m3 <= capacity.m3 + tolerance


class SiteKind(Enum):
    DEPOT = "depot"
    COLLECTION_POINT = "collection_point"


@dataclass(frozen=True, slots=True)
class Site:
    """Where vehicles start and end: a depot, or a collection point for harvest."""

    id: str
    location: Location
    kind: SiteKind = SiteKind.DEPOT
    name: str = ""


class StopKind(Enum):
    DELIVERY = "delivery"  # goods leave the vehicle here
    PICKUP = "pickup"  # goods board the vehicle here


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit.

    An unpaired delivery's goods are loaded at the vehicle's start site (or at
    `site`, when given, which then must be the vehicle's start). An unpaired pickup
    must name the site its goods go to in `site`; only vehicles ending there
    can take it. Paired stops move goods from the pickup to the delivery.
    """

    id: str
    location: Location
    kind: StopKind = StopKind.DELIVERY
    demand: Amount = Amount()
    service_s: float = 0.0
    windows: tuple[TimeWindow, ...] = ()  # empty: any time in the vehicle's shift
    required: bool = True
    penalty: float = 0.0  # cost of dropping an optional stop
    vehicles: frozenset[str] | None = None  # None: any vehicle that can reach it
    site: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    """Goods picked up at `pickup` and delivered at `delivery` by the same vehicle."""

    pickup: str
    delivery: str


class VehicleKind(Enum):
    CART = "cart"
    DRONE = "drone"


@dataclass(frozen=True, slots=True)
class DroneSpec:
    max_payload_kg: float
    battery_wh: float
    energy: MultirotorEnergy
    reserve_fraction: float = 0.2  # never plan below this share of a full battery
    cruise_altitude_m: float = 60.0

    @property
    def usable_wh(self) -> float:
        return self.battery_wh * (1.0 - self.reserve_fraction)


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    kind: VehicleKind
    start: str  # site id
    end: str  # site id
    capacity: Amount
    speed_mps: float
    shift: TimeWindow
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    drone: DroneSpec | None = None
    name: str = ""
    # Live state for re-planning: what is on board and what is left in the battery.
    initial_load: Amount = Amount()
    initial_battery_wh: float | None = None

    def payload_limit(self) -> Amount:
        if self.drone is None:
            return self.capacity
        return Amount(min(self.capacity.kg, self.drone.max_payload_kg), self.capacity.m3)

    def start_battery_wh(self) -> float:
        if self.drone is None:
            return 0.0
        if self.initial_battery_wh is None:
            return self.drone.battery_wh
        return self.initial_battery_wh


@dataclass(frozen=True, slots=True)
class NoFlyZone:
    id: str
    polygon: tuple[Location, ...]  # ring, first vertex not repeated
    name: str = ""


@dataclass(frozen=True, slots=True)
class RoadEdge:
    """One road segment as a polyline; travelled both ways unless `oneway`."""

    points: tuple[Location, ...]
    oneway: bool = False


@dataclass(frozen=True, slots=True)
class RoadNetwork:
    edges: tuple[RoadEdge, ...]
    max_snap_m: float = 300.0  # farther than this from any road: no cart gets there


@dataclass(frozen=True, slots=True)
class Problem:
    sites: tuple[Site, ...]
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    pairs: tuple[Pair, ...] = ()
    no_fly_zones: tuple[NoFlyZone, ...] = ()
    roads: RoadNetwork | None = None
    cart_detour_factor: float = 1.3  # great-circle to road distance without a road graph
    # Benchmark instances (Solomon) give planar coordinates in abstract units:
    # then lat is y, lon is x, and distances are Euclidean.
    planar: bool = False
    name: str = ""

    def stop(self, stop_id: str) -> Stop:
        for stop in self.stops:
            if stop.id == stop_id:
                return stop
        raise KeyError(f"no stop {stop_id!r}")

    def site(self, site_id: str) -> Site:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(f"no site {site_id!r}")

    def vehicle(self, vehicle_id: str) -> Vehicle:
        for vehicle in self.vehicles:
            if vehicle.id == vehicle_id:
                return vehicle
        raise KeyError(f"no vehicle {vehicle_id!r}")
