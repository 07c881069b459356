"""A stored plan in the planner's export formats: GeoJSON, QGroundControl missions.

The planner's exporters take its typed ``Problem`` and ``Plan``; a stored plan is
JSON (``planner.plan_json``), read back here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edge.logistics.errors import Conflict, NotFound
from edge.logistics.plans import PlanRecord
from planner.geo import Location
from planner.plan import Dropped, Plan, Route, Visit, VisitKind
from planner.problem import Amount, Problem


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """The inverse of ``planner.plan_json.plan_to_dict``."""
    routes = []
    for r in data.get("routes", ()):
        visits = tuple(
            Visit(
                place_id=str(v["id"]),
                kind=VisitKind(v["kind"]),
                location=Location(*v["location"]),
                arrival_s=float(v["arrival_s"]),
                start_s=float(v["start_s"]),
                departure_s=float(v["departure_s"]),
                load_after=Amount(float(v["load_after"]["kg"]), float(v["load_after"]["m3"])),
                battery_after_wh=v.get("battery_after_wh"),
                distance_from_previous_m=float(v.get("distance_from_previous_m", 0.0)),
                path_from_previous=tuple(Location(*p) for p in v.get("path_from_previous", ())),
            )
            for v in r.get("visits", ())
        )
        routes.append(
            Route(
                str(r["vehicle"]),
                visits,
                float(r["distance_m"]),
                float(r["energy_wh"]),
                float(r["cost"]),
            )
        )
    return Plan(
        routes=tuple(routes),
        dropped=tuple(Dropped(str(d["id"]), str(d["reason"])) for d in data.get("dropped", ())),
        cost=float(data.get("cost", 0.0)),
        solver=str(data.get("solver", "")),
        feasible=bool(data.get("feasible", False)),
        notes=tuple(str(n) for n in data.get("notes", ())),
    )


def solved(record: PlanRecord) -> tuple[Problem, Plan]:
    """The problem and plan of a solved record; Conflict when it has no plan yet."""
    from planner.problem_json import problem_from_dict

    if record.plan is None:
        raise Conflict(f"plan {record.id} is {record.status}: it has no routes yet")
    return problem_from_dict(record.problem), plan_from_dict(record.plan)


def geojson(record: PlanRecord) -> dict[str, Any]:
    from planner.geojson_export import plan_to_geojson

    return plan_to_geojson(*solved(record))


def qgc_mission(record: PlanRecord, vehicle: str) -> dict[str, Any]:
    """A drone's route as a QGroundControl ``.plan``; NotFound when the vehicle has
    no route in the plan, ValueError when it is not a drone."""
    from planner.qgc_export import route_to_qgc_plan

    problem, plan = solved(record)
    if vehicle not in {v.id for v in problem.vehicles}:
        raise NotFound(f"plan {record.id} has no vehicle {vehicle!r}")
    route = plan.route_of(vehicle)
    if problem.vehicle(vehicle).drone is None:
        raise ValueError(f"vehicle {vehicle!r} is a cart; QGroundControl missions are for drones")
    if route is None:
        raise NotFound(f"vehicle {vehicle!r} has no route in plan {record.id}")
    return route_to_qgc_plan(problem, route)
