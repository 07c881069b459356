"""A planned route as the mission a vehicle takes (docs/simulator.md, "Missions").

The planner speaks in visits (arrival, load after, path from the previous
place); a vehicle needs stops with an action and an amount. A pickup is a
``load``, a delivery an ``unload`` of what the load changed by; goods loaded
at the start depot become a first ``load`` stop there. A vehicle with no route
in a plan gets a mission with no stops, which recalls it to its depot, so an
older retained mission never sends it out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Load changes below this are rounding, not cargo.
MIN_KG = 1e-6


def mission_of(plan_id: str, vehicle: str, route: Mapping[str, Any] | None) -> dict[str, Any]:
    stops: list[dict[str, Any]] = []
    previous_kg = 0.0
    for visit in route.get("visits", ()) if route is not None else ():
        kind = visit.get("kind")
        kg = float((visit.get("load_after") or {}).get("kg", 0.0))
        if kind == "start":
            if kg > MIN_KG:
                stops.append(_stop(visit, "load", kg, []))
        elif kind in ("pickup", "delivery"):
            change = abs(kg - previous_kg)
            action = ("load" if kind == "pickup" else "unload") if change > MIN_KG else "none"
            path = [list(p) for p in visit.get("path_from_previous") or ()]
            stops.append(_stop(visit, action, change, path[1:-1]))
        previous_kg = kg
    return {
        "mission_id": f"{plan_id}/{vehicle}",
        "vehicle": vehicle,
        "stops": stops,
        "return_to_depot": True,
    }


def fleet_missions(
    plan_id: str, plan: Mapping[str, Any], vehicles: Iterable[str]
) -> list[dict[str, Any]]:
    """One mission per vehicle of the fleet (and any other the plan routes): a
    vehicle the plan leaves idle gets no stops, which recalls it."""
    routes: dict[str, Any] = {}
    for route in plan.get("routes", ()):
        if isinstance(route, Mapping) and isinstance(route.get("vehicle"), str):
            routes[route["vehicle"]] = route
    every = list(dict.fromkeys([*vehicles, *routes]))
    return [mission_of(plan_id, vehicle, routes.get(vehicle)) for vehicle in every]


def _stop(
    visit: Mapping[str, Any], action: str, kg: float, waypoints: list[list[float]]
) -> dict[str, Any]:
    service = float(visit.get("departure_s", 0.0)) - float(visit.get("start_s", 0.0))
    return {
        "id": visit["id"],
        "location": list(visit["location"]),
        "action": action,
        "kg": round(kg, 3) if action != "none" else 0.0,
        "service_s": max(service, 0.0),
        "waypoints": waypoints,
    }
