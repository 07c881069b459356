"""Drone routes as QGroundControl `.plan` missions (QGC's documented plan file format).

Each mission: take off at the start site to cruise altitude, fly the leg's
turning points (detours around no-fly zones), at each stop descend to the drop
height and hold for the service time, and land at the end site. No-fly zones go
into the geofence as exclusion polygons so the autopilot enforces them too.
MAVLink commands: 22 NAV_TAKEOFF, 16 NAV_WAYPOINT (param 1 = hold seconds),
21 NAV_LAND; frame 3 is GLOBAL_RELATIVE_ALT (metres above home).
"""

from __future__ import annotations

from typing import Any

from planner.geo import Location
from planner.plan import Route, VisitKind
from planner.problem import Problem

NAV_WAYPOINT, NAV_LAND, NAV_TAKEOFF = 16, 21, 22
FRAME_RELATIVE_ALT = 3
FIRMWARE_PX4, VEHICLE_MULTIROTOR = 12, 2
DROP_ALTITUDE_M = 10.0  # hover height for a winch or release at a stop


def _item(
    jump: int, command: int, loc: Location, altitude: float, hold: float = 0
) -> dict[str, Any]:
    params: list[float | None] = [hold, 0, 0, None, loc.lat, loc.lon, altitude]
    if command == NAV_TAKEOFF:
        params[0] = 0  # pitch
    return {
        "type": "SimpleItem",
        "autoContinue": True,
        "command": command,
        "doJumpId": jump,
        "frame": FRAME_RELATIVE_ALT,
        "params": params,
        "Altitude": altitude,
        "AltitudeMode": 1,
        "AMSLAltAboveTerrain": None,
    }


def route_to_qgc_plan(problem: Problem, route: Route) -> dict[str, Any]:
    vehicle = problem.vehicle(route.vehicle_id)
    if vehicle.drone is None:
        raise ValueError(f"vehicle {vehicle.id!r} is not a drone; QGC missions are for drones")
    cruise = vehicle.drone.cruise_altitude_m
    home = route.visits[0].location
    items: list[dict[str, Any]] = [_item(1, NAV_TAKEOFF, home, cruise)]
    for visit in route.visits[1:]:
        for turn in visit.path_from_previous[1:-1]:
            items.append(_item(len(items) + 1, NAV_WAYPOINT, turn, cruise))
        if visit.kind is VisitKind.END:
            items.append(_item(len(items) + 1, NAV_WAYPOINT, visit.location, cruise))
            items.append(_item(len(items) + 1, NAV_LAND, visit.location, 0.0))
        else:
            hold = round(visit.departure_s - visit.start_s, 1)
            items.append(_item(len(items) + 1, NAV_WAYPOINT, visit.location, cruise))
            items.append(_item(len(items) + 1, NAV_WAYPOINT, visit.location, DROP_ALTITUDE_M, hold))
            items.append(_item(len(items) + 1, NAV_WAYPOINT, visit.location, cruise))
    fence = [
        {"inclusion": False, "polygon": [[p.lat, p.lon] for p in z.polygon], "version": 1}
        for z in problem.no_fly_zones
    ]
    speed = round(vehicle.speed_mps, 2)
    return {
        "fileType": "Plan",
        "version": 1,
        "groundStation": "QGroundControl",
        "mission": {
            "version": 2,
            "firmwareType": FIRMWARE_PX4,
            "vehicleType": VEHICLE_MULTIROTOR,
            "cruiseSpeed": speed,
            "hoverSpeed": speed,
            "plannedHomePosition": [home.lat, home.lon, 0],
            "items": items,
        },
        "geoFence": {"version": 2, "circles": [], "polygons": fence},
        "rallyPoints": {"version": 2, "points": []},
    }
