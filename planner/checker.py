"""An independent check of a plan against its problem.

It shares no code with the solver or the scheduler: it re-derives loads,
times, battery and geometry from the problem's raw data and the plan's own
legs, so a bug in how plans are built cannot hide itself. Every constraint
the issue names is checked: capacities, time windows and shifts, pickup before
delivery on one vehicle, drone energy with payload, no-fly zones, allowed
vehicles, and that every stop is either served once or listed as dropped.
"""

from __future__ import annotations

import itertools

from planner.geo import (
    LocalProjection,
    Location,
    path_length_m,
    projection_for,
    segment_enters_polygon,
)
from planner.plan import Plan, Route, VisitKind
from planner.problem import Problem, StopKind, VehicleKind

TIME_TOL_S = 1e-3
DIST_TOL = 1e-6


def check_plan(problem: Problem, plan: Plan) -> list[str]:
    """Every way the plan breaks the problem's constraints; empty when it is sound."""
    issues: list[str] = []
    served: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        issues += _check_route(problem, route)
        for position, stop_id in enumerate(route.stop_ids):
            if stop_id in served:
                issues.append(f"stop {stop_id!r} is served twice")
            served[stop_id] = (route.vehicle_id, position)
    dropped = {d.stop_id for d in plan.dropped}
    for stop in problem.stops:
        if stop.id not in served and stop.id not in dropped:
            issues.append(f"stop {stop.id!r} is neither served nor listed as dropped")
        if stop.id in served and stop.id in dropped:
            issues.append(f"stop {stop.id!r} is both served and listed as dropped")
    for pair in problem.pairs:
        p, d = served.get(pair.pickup), served.get(pair.delivery)
        if (p is None) != (d is None):
            issues.append(f"pair {pair.pickup!r} -> {pair.delivery!r}: only one of them is served")
        elif p is not None and d is not None:
            if p[0] != d[0]:
                issues.append(
                    f"pair {pair.pickup!r} -> {pair.delivery!r}: served by {p[0]!r} and {d[0]!r}"
                )
            elif p[1] > d[1]:
                issues.append(f"pair {pair.pickup!r} -> {pair.delivery!r}: delivered before pickup")
    return issues


def _check_route(problem: Problem, route: Route) -> list[str]:
    issues: list[str] = []
    try:
        vehicle = problem.vehicle(route.vehicle_id)
    except KeyError:
        return [f"route for unknown vehicle {route.vehicle_id!r}"]
    who = f"vehicle {vehicle.id!r}"
    visits = route.visits
    if (
        len(visits) < 2
        or visits[0].kind is not VisitKind.START
        or visits[-1].kind is not VisitKind.END
    ):
        return [f"{who}: a route must begin with START and end with END"]
    if visits[0].place_id != vehicle.start or visits[-1].place_id != vehicle.end:
        issues.append(f"{who}: route must run from {vehicle.start!r} to {vehicle.end!r}")
    stops = {s.id: s for s in problem.stops}
    paired = {x for p in problem.pairs for x in (p.pickup, p.delivery)}
    route_stops = [stops.get(v.place_id) for v in visits[1:-1]]
    if any(s is None for s in route_stops):
        return [*issues, f"{who}: visits a stop the problem does not have"]
    # Load leaving the start: goods already aboard plus the route's unpaired deliveries.
    kg = vehicle.initial_load.kg + sum(
        s.demand.kg for s in route_stops if s and s.kind is StopKind.DELIVERY and s.id not in paired
    )
    m3 = vehicle.initial_load.m3 + sum(
        s.demand.m3 for s in route_stops if s and s.kind is StopKind.DELIVERY and s.id not in paired
    )
    cap_kg = vehicle.capacity.kg
    if vehicle.drone is not None:
        cap_kg = min(cap_kg, vehicle.drone.max_payload_kg)
    battery = None
    if vehicle.drone is not None:
        battery = (
            vehicle.drone.battery_wh
            if vehicle.initial_battery_wh is None
            else vehicle.initial_battery_wh
        )
    t = visits[0].departure_s
    if t < vehicle.shift.start_s - TIME_TOL_S:
        issues.append(f"{who}: leaves before its shift starts")
    total = 0.0
    zones = _zones(problem) if vehicle.kind is VehicleKind.DRONE else []
    previous = visits[0].location
    for visit, stop in zip(visits[1:], [*route_stops, None], strict=True):
        path = visit.path_from_previous
        name = visit.place_id
        if not path or path[0] != previous or path[-1] != visit.location:
            issues.append(f"{who}: the leg to {name!r} does not join the previous place to it")
        length = path_length_m(path, problem.planar)
        if vehicle.kind is VehicleKind.CART and problem.roads is None:
            # Off the road graph a cart's leg is the great-circle times the detour factor.
            length = length * problem.cart_detour_factor
        if abs(length - visit.distance_from_previous_m) > max(DIST_TOL, 1e-6 * length):
            issues.append(f"{who}: the leg to {name!r} is {length:.1f} m, reported otherwise")
        total += length
        for zone_id, crossed in _crossings(zones, path):
            if crossed:
                issues.append(f"{who}: the leg to {name!r} crosses no-fly zone {zone_id!r}")
        arrival = t + length / vehicle.speed_mps
        if visit.arrival_s < arrival - TIME_TOL_S:
            issues.append(f"{who}: arrives at {name!r} sooner than its speed allows")
        if battery is not None and vehicle.drone is not None:
            battery -= vehicle.drone.energy.leg_wh(length, kg, vehicle.speed_mps)
            floor = vehicle.drone.battery_wh * vehicle.drone.reserve_fraction
            if battery < floor - 1e-6:
                issues.append(
                    f"{who}: battery {battery:.1f} Wh at {name!r}, below reserve {floor:.1f} Wh"
                )
        if stop is None:
            if visit.arrival_s > vehicle.shift.end_s + TIME_TOL_S:
                issues.append(f"{who}: returns after its shift ends")
            break
        if stop.vehicles is not None and vehicle.id not in stop.vehicles:
            issues.append(f"{who}: stop {name!r} does not allow this vehicle")
        start = visit.start_s
        if start < visit.arrival_s - TIME_TOL_S:
            issues.append(f"{who}: starts service at {name!r} before arriving")
        windows = stop.windows or (vehicle.shift,)
        if not any(w.start_s - TIME_TOL_S <= start <= w.end_s + TIME_TOL_S for w in windows):
            issues.append(f"{who}: serves {name!r} at {start:.0f} s, outside its time windows")
        if visit.departure_s < start + stop.service_s - TIME_TOL_S:
            issues.append(f"{who}: leaves {name!r} before its service time is over")
        sign = 1 if stop.kind is StopKind.PICKUP else -1
        kg += sign * stop.demand.kg
        m3 += sign * stop.demand.m3
        if kg > cap_kg + 1e-9 or m3 > vehicle.capacity.m3 + 1e-9:
            issues.append(f"{who}: carries {kg:g} kg / {m3:g} m³ after {name!r}, over capacity")
        if kg < -1e-9 or m3 < -1e-9:
            issues.append(f"{who}: delivers at {name!r} goods it does not carry")
        t = visit.departure_s
        previous = visit.location
    if abs(total - route.distance_m) > max(DIST_TOL, 1e-6 * total):
        issues.append(
            f"{who}: route distance {route.distance_m:.1f} m, legs add up to {total:.1f} m"
        )
    return issues


_Zone = tuple[str, list[tuple[float, float]], LocalProjection]


def _zones(problem: Problem) -> list[_Zone]:
    if not problem.no_fly_zones:
        return []
    proj = projection_for([p for z in problem.no_fly_zones for p in z.polygon])
    return [(z.id, [proj.to_xy(p) for p in z.polygon], proj) for z in problem.no_fly_zones]


def _crossings(zones: list[_Zone], path: tuple[Location, ...]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for zone_id, ring, proj in zones:
        points = [proj.to_xy(p) for p in path]
        crossed = any(segment_enters_polygon(a, b, ring) for a, b in itertools.pairwise(points))
        out.append((zone_id, crossed))
    return out
