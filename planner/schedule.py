"""Turn a vehicle's stop sequence into a timed route: the plan's figures in double precision.

The solver works on scaled integers; every figure a plan reports (times, loads,
battery, distance, cost) is recomputed here from the sequence alone, and any
constraint the sequence breaks is listed rather than hidden.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from planner.layout import Layout
from planner.plan import Route, Visit, VisitKind
from planner.problem import Amount, Problem, Stop, StopKind, Vehicle

EPS = 1e-6


@dataclass(frozen=True)
class Scheduled:
    route: Route
    violations: tuple[str, ...]


def paired_stop_ids(problem: Problem) -> frozenset[str]:
    return frozenset(s for p in problem.pairs for s in (p.pickup, p.delivery))


def start_load(problem: Problem, vehicle: Vehicle, stops: Sequence[Stop]) -> Amount:
    """What the vehicle carries when it leaves: goods on board plus every unpaired
    delivery of its route, loaded at its start site."""
    paired = paired_stop_ids(problem)
    load = vehicle.initial_load
    for stop in stops:
        if stop.kind is StopKind.DELIVERY and stop.id not in paired:
            load = load + stop.demand
    return load


def schedule_route(
    problem: Problem, layout: Layout, vehicle: Vehicle, stop_ids: Sequence[str]
) -> Scheduled:
    matrix = layout.matrix(vehicle.kind)
    stops = [problem.stop(s) for s in stop_ids]
    violations: list[str] = []
    limit = vehicle.payload_limit()
    load = start_load(problem, vehicle, stops)
    if not load.fits(limit):
        violations.append(
            f"vehicle {vehicle.id!r} leaves with {load.kg:g} kg / {load.m3:g} m³, "
            f"over its {limit.kg:g} kg / {limit.m3:g} m³"
        )
    drone = vehicle.drone
    battery = vehicle.start_battery_wh() if drone is not None else None
    start_site = problem.site(vehicle.start)
    prev = layout.site_index[vehicle.start]
    t = vehicle.shift.start_s
    visits: list[Visit] = []
    distance = energy = 0.0
    targets: list[tuple[int, Stop | None]] = [(layout.stop_index[s.id], s) for s in stops]
    targets.append((layout.site_index[vehicle.end], None))
    for place, stop in targets:
        leg_m = matrix.distance_m[prev][place]
        name = stop.id if stop is not None else vehicle.end
        if math.isinf(leg_m):
            violations.append(f"vehicle {vehicle.id!r} cannot travel to {name!r}")
            leg_m = 0.0
        arrival = t + leg_m / vehicle.speed_mps
        distance += leg_m
        if drone is not None and battery is not None:
            leg_wh = drone.energy.leg_wh(leg_m, load.kg, vehicle.speed_mps)
            energy += leg_wh
            battery -= leg_wh
            floor = drone.battery_wh * drone.reserve_fraction
            if battery < floor - EPS:
                violations.append(
                    f"drone {vehicle.id!r} reaches {name!r} with {battery:.1f} Wh, "
                    f"below its {floor:.1f} Wh reserve"
                )
        if stop is None:
            start = departure = arrival
            if arrival > vehicle.shift.end_s + EPS:
                violations.append(
                    f"vehicle {vehicle.id!r} returns to {name!r} at {arrival:.0f} s, "
                    f"after its shift ends at {vehicle.shift.end_s:.0f} s"
                )
            kind = VisitKind.END
            location = problem.site(vehicle.end).location
        else:
            start = _service_start(stop, arrival, vehicle, violations)
            departure = start + stop.service_s
            if stop.kind is StopKind.DELIVERY:
                load = load - stop.demand
                kind = VisitKind.DELIVERY
            else:
                load = load + stop.demand
                kind = VisitKind.PICKUP
            if not load.fits(limit):
                violations.append(
                    f"vehicle {vehicle.id!r} carries {load.kg:g} kg / {load.m3:g} m³ after "
                    f"{stop.id!r}, over its {limit.kg:g} kg / {limit.m3:g} m³"
                )
            location = stop.location
        visits.append(
            Visit(
                place_id=name,
                kind=kind,
                location=location,
                arrival_s=arrival,
                start_s=start,
                departure_s=departure,
                load_after=load,
                battery_after_wh=battery,
                distance_from_previous_m=leg_m,
                path_from_previous=matrix.path(prev, place),
            )
        )
        prev = place
        t = departure
    # Leave as late as the first stop allows: waiting at the depot beats waiting at a door.
    depart = vehicle.shift.start_s
    if stops:
        first = visits[0]
        travel = first.distance_from_previous_m / vehicle.speed_mps
        depart = max(depart, first.start_s - travel)
        visits[0] = replace(first, arrival_s=depart + travel)
    start_visit = Visit(
        place_id=vehicle.start,
        kind=VisitKind.START,
        location=start_site.location,
        arrival_s=depart,
        start_s=depart,
        departure_s=depart,
        load_after=start_load(problem, vehicle, stops),
        battery_after_wh=vehicle.start_battery_wh() if drone is not None else None,
        distance_from_previous_m=0.0,
        path_from_previous=(start_site.location,),
    )
    cost = (vehicle.fixed_cost if stops else 0.0) + vehicle.cost_per_km * distance / 1000.0
    route = Route(vehicle.id, (start_visit, *visits), distance, energy, cost)
    return Scheduled(route, tuple(violations))


def _service_start(stop: Stop, arrival: float, vehicle: Vehicle, violations: list[str]) -> float:
    windows = stop.windows or ((vehicle.shift),)
    for window in sorted(windows, key=lambda w: w.start_s):
        if arrival <= window.end_s + EPS:
            return max(arrival, window.start_s)
    violations.append(
        f"vehicle {vehicle.id!r} reaches {stop.id!r} at {arrival:.0f} s, "
        f"after its last time window closes at {max(w.end_s for w in windows):.0f} s"
    )
    return arrival
