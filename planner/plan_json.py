"""A Plan as JSON: what the web page, MQTT dispatch and files carry."""

from __future__ import annotations

from typing import Any

from planner.plan import Plan, Route, Visit


def _visit(v: Visit) -> dict[str, Any]:
    return {
        "id": v.place_id,
        "kind": v.kind.value,
        "location": [v.location.lat, v.location.lon],
        "arrival_s": round(v.arrival_s, 3),
        "start_s": round(v.start_s, 3),
        "departure_s": round(v.departure_s, 3),
        "load_after": {"kg": round(v.load_after.kg, 6), "m3": round(v.load_after.m3, 6)},
        "battery_after_wh": None if v.battery_after_wh is None else round(v.battery_after_wh, 3),
        "distance_from_previous_m": round(v.distance_from_previous_m, 3),
        "path_from_previous": [[p.lat, p.lon] for p in v.path_from_previous],
    }


def _route(r: Route) -> dict[str, Any]:
    return {
        "vehicle": r.vehicle_id,
        "stops": list(r.stop_ids),
        "distance_m": round(r.distance_m, 3),
        "energy_wh": round(r.energy_wh, 3),
        "cost": round(r.cost, 4),
        "visits": [_visit(v) for v in r.visits],
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "feasible": plan.feasible,
        "solver": plan.solver,
        "cost": round(plan.cost, 4),
        "distance_m": round(plan.distance_m, 3),
        "routes": [_route(r) for r in plan.routes],
        "dropped": [{"id": d.stop_id, "reason": d.reason} for d in plan.dropped],
        "notes": list(plan.notes),
    }
