"""Plan a problem under a time budget: validate, race searches, rebuild, check, repair.

Every candidate from every engine is rebuilt in double precision by the
scheduler and passed through the independent checker; the cheapest one that
passes wins. A drone route whose exact, payload-dependent energy overran the
solver's estimate gets its energy budget tightened and is searched again; what
still does not fit is dropped with its reason, so the plan returned always
holds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from planner import pyvrp_engine
from planner.checker import check_plan
from planner.layout import Layout
from planner.ortools_model import solve_with_ortools
from planner.plan import Dropped, Plan, Route
from planner.portfolio import Search, race
from planner.problem import Problem
from planner.schedule import schedule_route
from planner.search import RawSolution, SearchRequest
from planner.validate import Eligibility, validate

ORTOOLS_PRIMARY = "parallel-insertion+gls"
ORTOOLS_SECOND = "local-insertion+gls"
REPAIR_SHARE = 0.25  # of the budget kept back for re-searching after an energy overrun


@dataclass(frozen=True)
class Candidate:
    plan: Plan
    routes: dict[str, tuple[str, ...]]
    violations: dict[str, tuple[str, ...]]  # per vehicle, from the exact schedule


def solve(
    problem: Problem,
    budget_s: float = 5.0,
    *,
    seed: int = 0,
    workers: int = 2,
    max_iterations: int | None = None,
    engines: tuple[str, ...] = ("ortools", "pyvrp"),
) -> Plan:
    """The best plan found within `budget_s` seconds of search.

    Raises InvalidProblemError (every error listed) before any search. With
    `max_iterations` set, searches stop on iterations rather than time and the plan
    depends only on the problem and `seed`.
    """
    return solve_request(
        problem,
        SearchRequest(budget_s=budget_s, seed=seed, max_iterations=max_iterations),
        workers=workers,
        engines=engines,
    )


def solve_request(
    problem: Problem,
    request: SearchRequest,
    *,
    workers: int = 2,
    engines: tuple[str, ...] = ("ortools", "pyvrp"),
    extra_dropped: Mapping[str, str] | None = None,
    strict: bool = True,
) -> Plan:
    started = time.monotonic()
    layout, eligibility = validate(problem, strict)
    predropped = dict(eligibility.unservable)
    predropped.update(extra_dropped or {})
    request = replace(request, skip=request.skip | frozenset(predropped))
    has_drones = any(v.drone is not None for v in problem.vehicles)
    search_budget = request.budget_s * ((1 - REPAIR_SHARE) if has_drones else 1.0)
    searches = _searches(
        problem, layout, eligibility, replace(request, budget_s=search_budget), engines
    )
    raws = race(searches, search_budget, workers)
    candidates = [_candidate(problem, layout, raw.routes, raw.engine, predropped) for raw in raws]
    best = _best(candidates)
    remaining = request.budget_s - (time.monotonic() - started)
    if best is not None and best.violations and remaining > 0.2:
        best = _tighten(problem, layout, eligibility, request, best, remaining, predropped) or best
    if best is None:
        # No engine found anything (all stops optional and an odd model): plan nothing.
        best = _candidate(problem, layout, {}, "none", predropped)
    if best.violations:
        best = _repair(problem, layout, best, predropped)
    return best.plan


def _searches(
    problem: Problem,
    layout: Layout,
    eligibility: Eligibility,
    request: SearchRequest,
    engines: tuple[str, ...],
) -> list[Search]:
    def ortools(strategy: str) -> Search:
        def run(budget: float) -> RawSolution | None:
            sub = replace(request, budget_s=budget)
            return solve_with_ortools(problem, layout, eligibility, sub, strategy)

        return Search(f"ortools:{strategy}", run)

    def pyvrp(budget: float) -> RawSolution | None:
        sub = replace(request, budget_s=budget)
        return pyvrp_engine.solve_with_pyvrp(problem, layout, eligibility, sub)

    searches: list[Search] = []
    if "ortools" in engines:
        searches.append(ortools(ORTOOLS_PRIMARY))
    use_pyvrp = (
        "pyvrp" in engines
        and pyvrp_engine.available()
        and pyvrp_engine.out_of_scope(problem, eligibility, request) is None
    )
    if use_pyvrp:
        searches.append(Search("pyvrp", pyvrp))
    elif "ortools" in engines:
        searches.append(ortools(ORTOOLS_SECOND))
    return searches


def _candidate(
    problem: Problem,
    layout: Layout,
    routes: Mapping[str, tuple[str, ...]],
    engine: str,
    predropped: Mapping[str, str],
) -> Candidate:
    built: list[Route] = []
    violations: dict[str, tuple[str, ...]] = {}
    kept: dict[str, tuple[str, ...]] = {}
    for vehicle in problem.vehicles:
        stops = routes.get(vehicle.id, ())
        if not stops:
            continue
        scheduled = schedule_route(problem, layout, vehicle, stops)
        built.append(scheduled.route)
        kept[vehicle.id] = tuple(stops)
        if scheduled.violations:
            violations[vehicle.id] = scheduled.violations
    served = {s for stops in kept.values() for s in stops}
    dropped = tuple(
        Dropped(stop.id, predropped.get(stop.id) or _why_dropped(stop.required, stop.penalty))
        for stop in problem.stops
        if stop.id not in served
    )
    penalties = sum(
        problem.stop(d.stop_id).penalty for d in dropped if not problem.stop(d.stop_id).required
    )
    cost = sum(r.cost for r in built) + penalties
    plan = Plan(tuple(built), dropped, cost, engine, feasible=False)
    issues = check_plan(problem, plan)
    plan = replace(plan, feasible=not issues, notes=tuple(issues))
    return Candidate(plan, kept, violations)


def _why_dropped(required: bool, penalty: float) -> str:
    if required:
        return (
            "required, but it does not fit alongside the other stops within the fleet's "
            "capacities, time windows, shifts and batteries"
        )
    return f"optional: serving it would cost more than its penalty ({penalty:g})"


def _best(candidates: list[Candidate]) -> Candidate | None:
    def rank(c: Candidate) -> tuple[int, int, float, str]:
        required_dropped = sum(1 for d in c.plan.dropped if d.reason.startswith("required"))
        return (0 if c.plan.feasible else 1, required_dropped, c.plan.cost, c.plan.solver)

    return min(candidates, key=rank, default=None)


def _tighten(
    problem: Problem,
    layout: Layout,
    eligibility: Eligibility,
    request: SearchRequest,
    best: Candidate,
    budget_s: float,
    predropped: Mapping[str, str],
) -> Candidate | None:
    """Search again with the overrunning drones' modelled energy scaled up by how much
    their exact energy exceeded the usable battery."""
    scale = dict(request.energy_scale)
    for vehicle_id in best.violations:
        vehicle = problem.vehicle(vehicle_id)
        route = best.plan.route_of(vehicle_id)
        if vehicle.drone is None or route is None:
            continue
        usable = (
            vehicle.start_battery_wh() - vehicle.drone.battery_wh * vehicle.drone.reserve_fraction
        )
        ratio = route.energy_wh / max(usable, 1e-9)
        scale[vehicle_id] = scale.get(vehicle_id, 1.0) * max(1.05, ratio)
    sub = replace(request, budget_s=budget_s, energy_scale=scale, hint=None)
    raw = solve_with_ortools(problem, layout, eligibility, sub, ORTOOLS_PRIMARY)
    if raw is None:
        return None
    again = _candidate(problem, layout, raw.routes, raw.engine + "+energy", predropped)
    return again if not again.violations else None


def _repair(
    problem: Problem, layout: Layout, best: Candidate, predropped: Mapping[str, str]
) -> Candidate:
    """Drop the last stops (with their pair partners) of each broken route until it holds."""
    partner = {p.pickup: p.delivery for p in problem.pairs}
    partner.update({p.delivery: p.pickup for p in problem.pairs})
    routes = dict(best.routes)
    reasons = dict(predropped)
    for vehicle_id, violations in best.violations.items():
        stops = list(routes[vehicle_id])
        vehicle = problem.vehicle(vehicle_id)
        while stops and schedule_route(problem, layout, vehicle, stops).violations:
            removed = stops.pop()
            gone = {removed, partner.get(removed, removed)}
            stops = [s for s in stops if s not in gone]
            for stop_id in gone:
                reasons[stop_id] = f"{vehicle_id} could not fit it: {violations[0]}"
        routes[vehicle_id] = tuple(stops)
    return _candidate(problem, layout, routes, best.plan.solver + "+repair", reasons)
