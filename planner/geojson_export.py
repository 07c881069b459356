"""A Plan as a GeoJSON FeatureCollection (RFC 7946): one LineString per route
following its legs (roads, detours), one Point per visit, one Polygon per
no-fly zone. Positions are [longitude, latitude]; polygon rings are closed and
counter-clockwise, as section 3.1.6 asks."""

from __future__ import annotations

from typing import Any

from planner.geo import Location, signed_area
from planner.plan import Plan
from planner.problem import Problem


def _position(p: Location) -> list[float]:
    return [round(p.lon, 7), round(p.lat, 7)]


def plan_to_geojson(problem: Problem, plan: Plan) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for route in plan.routes:
        line: list[list[float]] = [_position(route.visits[0].location)]
        for visit in route.visits[1:]:
            for point in visit.path_from_previous[1:]:
                line.append(_position(point))
        if len(line) < 2:
            line.append(line[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "kind": "route",
                    "vehicle": route.vehicle_id,
                    "vehicle_kind": problem.vehicle(route.vehicle_id).kind.value,
                    "distance_m": round(route.distance_m, 1),
                    "energy_wh": round(route.energy_wh, 1),
                    "cost": round(route.cost, 2),
                },
            }
        )
        for order, visit in enumerate(route.visits):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _position(visit.location)},
                    "properties": {
                        "kind": visit.kind.value,
                        "id": visit.place_id,
                        "vehicle": route.vehicle_id,
                        "order": order,
                        "arrival_s": round(visit.arrival_s, 1),
                        "departure_s": round(visit.departure_s, 1),
                        "load_after_kg": round(visit.load_after.kg, 3),
                    },
                }
            )
    for dropped in plan.dropped:
        stop = problem.stop(dropped.stop_id)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _position(stop.location)},
                "properties": {"kind": "dropped", "id": stop.id, "reason": dropped.reason},
            }
        )
    for zone in problem.no_fly_zones:
        ring = [_position(p) for p in zone.polygon]
        if signed_area([(p[0], p[1]) for p in ring]) < 0:
            ring.reverse()
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"kind": "no_fly_zone", "id": zone.id, "name": zone.name},
            }
        )
    return {"type": "FeatureCollection", "features": features}
