"""PyVRP (Wouda, Lan and Kool, 2024) on the part of a problem it can model.

PyVRP's hybrid genetic search reaches the best-known distances of the Solomon
instances within seconds, where OR-Tools' local search stays a few per cent
above. It models capacities, one time window per stop, a heterogeneous fleet
and optional stops with prizes; it does not model Kakashi's pickup-and-delivery
pairs, drone energy, several windows per stop or commitments, so a problem with
any of those is left to OR-Tools alone. Whatever PyVRP returns is only a stop
sequence: the plan is rebuilt and checked like any other.
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from typing import Any

from planner.layout import Layout
from planner.problem import Problem, StopKind, Vehicle, VehicleKind
from planner.search import RawSolution, SearchRequest
from planner.validate import Eligibility

KG_SCALE = 1000  # grams
M3_SCALE = 1_000_000  # cubic centimetres


def available() -> bool:
    return importlib.util.find_spec("pyvrp") is not None


def out_of_scope(problem: Problem, eligibility: Eligibility, request: SearchRequest) -> str | None:
    """Why PyVRP cannot take this problem, or None when it can."""
    if problem.pairs:
        return "pickup-and-delivery pairs"
    if any(v.kind is VehicleKind.DRONE for v in problem.vehicles):
        return "drone energy"
    if any(len(s.windows) > 1 for s in problem.stops):
        return "several time windows on one stop"
    if request.commitments:
        return "committed stops"
    if any(v.initial_load.kg or v.initial_load.m3 for v in problem.vehicles):
        return "goods already on board"
    everyone = len(problem.vehicles)
    if any(len(eligibility.vehicles.get(s.id, ())) != everyone for s in problem.stops):
        return "stops restricted to some vehicles"
    return None


def solve_with_pyvrp(
    problem: Problem, layout: Layout, eligibility: Eligibility, request: SearchRequest
) -> RawSolution | None:
    from pyvrp import Model
    from pyvrp.stop import MaxIterations, MaxRuntime

    stops = [s for s in problem.stops if s.id not in request.skip]
    model = Model()
    places = [layout.site_index[s.id] for s in problem.sites] + [
        layout.stop_index[s.id] for s in stops
    ]
    locations = [model.add_location(0.0, 0.0) for _ in places]
    depots = {
        site.id: model.add_depot(locations[i], name=site.id) for i, site in enumerate(problem.sites)
    }
    offset = len(problem.sites)
    for i, stop in enumerate(stops):
        amount = [math.ceil(stop.demand.kg * KG_SCALE), math.ceil(stop.demand.m3 * M3_SCALE)]
        window = stop.windows[0] if stop.windows else None
        model.add_client(
            locations[offset + i],
            delivery=amount if stop.kind is StopKind.DELIVERY else [0, 0],
            pickup=amount if stop.kind is StopKind.PICKUP else [0, 0],
            service_duration=math.ceil(stop.service_s * 1000),
            tw_early=math.ceil(window.start_s * 1000) if window else 0,
            tw_late=math.floor(window.end_s * 1000) if window else 2**62,
            prize=round(stop.penalty * 1000),
            required=stop.required,
            name=stop.id,
        )
    profiles: dict[tuple[float, float], Any] = {}
    # Identical vehicles form one PyVRP vehicle type; its routes go to them in fleet order.
    groups: dict[tuple[Any, ...], list[Vehicle]] = {}
    for vehicle in problem.vehicles:
        key = (vehicle.speed_mps, vehicle.cost_per_km)
        if key not in profiles:
            profiles[key] = model.add_profile(name=f"{key[0]:g} m/s, {key[1]:g}/km")
        groups.setdefault(_type_key(vehicle), []).append(vehicle)
    for (start, end, kg, m3, fixed, early, late, key), members in groups.items():
        model.add_vehicle_type(
            len(members),
            capacity=[kg, m3],
            start_depot=depots[start],
            end_depot=depots[end],
            fixed_cost=fixed,
            tw_early=early,
            tw_late=late,
            unit_distance_cost=1,
            profile=profiles[key],
        )
    matrix = layout.matrix(VehicleKind.CART).distance_m
    for (speed, per_km), profile in profiles.items():
        for a, pa in enumerate(places):
            for b, pb in enumerate(places):
                if a == b:
                    continue
                metres = matrix[pa][pb]
                if math.isinf(metres):
                    metres = 1e9
                model.add_edge(
                    locations[a],
                    locations[b],
                    # Cost in milli-units per unit of PyVRP distance: metres * cost/km.
                    distance=round(metres * per_km),
                    duration=math.ceil(metres / speed * 1000 - 1e-9),
                    profile=profile,
                )
    stop_rule = (
        MaxIterations(request.max_iterations)
        if request.max_iterations is not None
        else MaxRuntime(request.budget_s)
    )
    with warnings.catch_warnings():
        # PyVRP warns when it struggles to find a feasible plan; a missing plan is
        # already handled by the portfolio, and the warning would only add noise.
        warnings.simplefilter("ignore")
        result = model.solve(stop_rule, seed=request.seed, display=False)
    if not result.is_feasible():
        return None
    fleet_of_type = list(groups.values())
    routes: dict[str, tuple[str, ...]] = {}
    used: dict[int, int] = {}
    for route in result.best.routes():
        kind = route.vehicle_type()
        vehicle = fleet_of_type[kind][used.get(kind, 0)]
        used[kind] = used.get(kind, 0) + 1
        routes[vehicle.id] = tuple(stops[a.idx].id for a in route if a.is_client())
    return RawSolution(routes, "pyvrp")


def _type_key(vehicle: Vehicle) -> tuple[Any, ...]:
    limit = vehicle.payload_limit()
    return (
        vehicle.start,
        vehicle.end,
        _capacity(limit.kg, KG_SCALE),
        _capacity(limit.m3, M3_SCALE),
        round(vehicle.fixed_cost * 1000),
        math.ceil(vehicle.shift.start_s * 1000),
        math.floor(vehicle.shift.end_s * 1000),
        (vehicle.speed_mps, vehicle.cost_per_km),
    )


def _capacity(amount: float, scale: int) -> int:
    return 2**53 if math.isinf(amount) else math.floor(amount * scale)
