"""Plans made by hand in the planner's JSON form, for tests that need a solved plan
without spending seconds in the solver: straight legs, times from each vehicle's
speed, loads as the mission contract counts them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.geo import Location, haversine_m


def solution(problem: Mapping[str, Any], routes: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """A plan visiting ``routes[vehicle]`` (stop ids, in order) for each vehicle."""
    stops = {s["id"]: s for s in problem["stops"]}
    sites = {s["id"]: s for s in problem["sites"]}
    vehicles = {v["id"]: v for v in problem["vehicles"]}
    out = []
    for vid, stop_ids in routes.items():
        vehicle = vehicles[vid]
        speed = float(vehicle["speed_kmh"]) / 3.6
        t = float(vehicle["shift"][0])
        depot = sites[vehicle["start"]]
        load = sum(float(stops[s].get("kg", 0)) for s in stop_ids if stops[s]["kind"] == "delivery")
        here = depot["location"]
        visits = [_visit(depot["id"], "start", here, t, t, load, 0.0, [here])]
        total = 0.0
        for sid in [*stop_ids, None]:
            place = stops[sid] if sid is not None else depot
            there = place["location"]
            metres = haversine_m(Location(*here), Location(*there))
            total += metres
            t += metres / speed
            service = float(place.get("service_s", 0.0)) if sid is not None else 0.0
            kg = float(place.get("kg", 0.0))
            if sid is not None:
                load += kg if place["kind"] == "pickup" else -kg
            kind = place["kind"] if sid is not None else "end"
            visits.append(
                _visit(
                    place["id"], kind, there, t, t + service, max(load, 0.0), metres, [here, there]
                )
            )
            t += service
            here = there
        out.append(
            {
                "vehicle": vid,
                "stops": list(stop_ids),
                "distance_m": round(total, 3),
                "energy_wh": 0.0,
                "cost": round(total / 1000, 4),
                "visits": visits,
            }
        )
    return {
        "feasible": True,
        "solver": "synthetic",
        "cost": sum(r["cost"] for r in out),
        "distance_m": sum(r["distance_m"] for r in out),
        "routes": out,
        "dropped": [],
        "notes": [],
    }


def _visit(
    place_id: str,
    kind: str,
    location: Sequence[float],
    arrival: float,
    departure: float,
    kg: float,
    metres: float,
    path: list[Sequence[float]],
) -> dict[str, Any]:
    return {
        "id": place_id,
        "kind": kind,
        "location": list(location),
        "arrival_s": round(arrival, 3),
        "start_s": round(arrival, 3),
        "departure_s": round(departure, 3),
        "load_after": {"kg": round(kg, 6), "m3": 0.0},
        "battery_after_wh": None,
        "distance_from_previous_m": round(metres, 3),
        "path_from_previous": [list(p) for p in path],
    }
