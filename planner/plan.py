"""The plan a solve returns: routes with times, loads, battery and costs; what was dropped."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from planner.geo import Location
from planner.problem import Amount


class VisitKind(Enum):
    START = "start"
    DELIVERY = "delivery"
    PICKUP = "pickup"
    END = "end"


@dataclass(frozen=True, slots=True)
class Visit:
    """One place on a route; `place_id` is a stop id, or a site id for START and END."""

    place_id: str
    kind: VisitKind
    location: Location
    arrival_s: float
    start_s: float  # service starts (after any wait for the window)
    departure_s: float
    load_after: Amount
    battery_after_wh: float | None  # drones only
    distance_from_previous_m: float
    path_from_previous: tuple[Location, ...]  # polyline of the leg that led here


@dataclass(frozen=True, slots=True)
class Route:
    vehicle_id: str
    visits: tuple[Visit, ...]  # START first, END last
    distance_m: float
    energy_wh: float
    cost: float

    @property
    def stop_ids(self) -> tuple[str, ...]:
        return tuple(v.place_id for v in self.visits[1:-1])


@dataclass(frozen=True, slots=True)
class Dropped:
    stop_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    routes: tuple[Route, ...]  # vehicles that move; idle vehicles have no route
    dropped: tuple[Dropped, ...]
    cost: float  # routes' cost plus penalties of dropped optional stops
    solver: str  # which search produced it, e.g. "ortools:parallel-insertion+gls"
    feasible: bool  # passed the independent checker
    notes: tuple[str, ...] = ()

    @property
    def distance_m(self) -> float:
        return sum(r.distance_m for r in self.routes)

    def route_of(self, vehicle_id: str) -> Route | None:
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        return None
