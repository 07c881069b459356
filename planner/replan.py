"""Re-planning from the fleet's live state: positions, loads, batteries, what is done.

The residual problem starts each moving vehicle where it is now, with what it
carries and the battery it has left. Goods already aboard (deliveries loaded at
the depot, pickups made) stay with their vehicle; those aboard a failed vehicle
cannot be delivered and are reported so. Committed stops stay first on their
vehicle, in order; if that has become impossible (closed airspace, a closed
window), the plan is searched again without the commitment and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from planner.geo import Location, haversine_m
from planner.plan import Plan
from planner.problem import (
    Amount,
    NoFlyZone,
    Pair,
    Problem,
    Site,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)
from planner.search import SearchRequest
from planner.solve import solve_request

AT_SITE_M = 50.0  # closer than this to its start site, a vehicle has not left yet


@dataclass(frozen=True)
class VehicleState:
    vehicle_id: str
    position: Location
    load: Amount = field(default_factory=Amount)  # everything aboard now
    battery_wh: float | None = None
    done: tuple[str, ...] = ()  # stops served so far
    committed: tuple[str, ...] = ()  # the next stops it must keep, in this order
    failed: bool = False


@dataclass(frozen=True)
class LiveState:
    time_s: float
    vehicles: tuple[VehicleState, ...] = ()
    new_stops: tuple[Stop, ...] = ()
    new_pairs: tuple[Pair, ...] = ()
    closed_airspace: tuple[NoFlyZone, ...] = ()
    cancelled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    stop_id: str
    what: str


@dataclass(frozen=True)
class Replan:
    plan: Plan
    problem: Problem  # the residual problem the plan answers
    changes: tuple[Change, ...]


def replan(
    problem: Problem,
    previous: Plan,
    state: LiveState,
    budget_s: float = 2.0,
    *,
    seed: int = 0,
    workers: int = 2,
    max_iterations: int | None = None,
) -> Replan:
    residual, aboard_failed, commitments = residual_problem(problem, previous, state)
    request = SearchRequest(
        budget_s=budget_s,
        seed=seed,
        max_iterations=max_iterations,
        commitments=commitments,
        hint=_hint(previous, residual, commitments),
    )
    plan = solve_request(
        residual, request, workers=workers, extra_dropped=aboard_failed, strict=False
    )
    notes: list[str] = []
    committed = {s for stops in commitments.values() for s in stops}
    served = {s for r in plan.routes for s in r.stop_ids}
    if committed - served:
        # Keeping the commitments made the plan impossible; plan freely instead.
        plan = solve_request(
            residual,
            replace(request, commitments={}, hint=None),
            workers=workers,
            extra_dropped=aboard_failed,
            strict=False,
        )
        notes = [f"committed stop {s!r} could not be kept where it was" for s in sorted(committed)]
    changes = _changes(problem, previous, plan, state, aboard_failed, commitments)
    if notes:
        plan = replace(plan, notes=plan.notes + tuple(notes))
    return Replan(plan, residual, changes)


def residual_problem(
    problem: Problem, previous: Plan, state: LiveState
) -> tuple[Problem, dict[str, str], dict[str, tuple[str, ...]]]:
    """The problem left to plan; stops aboard failed vehicles; commitments per vehicle."""
    states = {s.vehicle_id: s for s in state.vehicles}
    done = {s for v in state.vehicles for s in v.done}
    gone = done | set(state.cancelled)
    planned_by = {s: r.vehicle_id for r in previous.routes for s in r.stop_ids}
    pickups_done = {p.delivery: p.pickup for p in problem.pairs if p.pickup in done}
    paired = {x for p in problem.pairs for x in (p.pickup, p.delivery)}
    sites = list(problem.sites)
    vehicles: list[Vehicle] = []
    aboard: dict[str, str] = {}  # delivery stop -> vehicle carrying its goods
    aboard_failed: dict[str, str] = {}
    for vehicle in problem.vehicles:
        live = states.get(vehicle.id)
        moved = live is not None and (
            bool(live.done)
            or haversine_m(live.position, problem.site(vehicle.start).location) > AT_SITE_M
        )
        carried: list[str] = []
        for stop in problem.stops:
            if stop.id in gone or stop.kind is not StopKind.DELIVERY:
                continue
            by_pickup = (
                stop.id in pickups_done and planned_by.get(pickups_done[stop.id]) == vehicle.id
            )
            from_depot = moved and stop.id not in paired and planned_by.get(stop.id) == vehicle.id
            if by_pickup or from_depot:
                carried.append(stop.id)
        if live is not None and live.failed:
            for stop_id in carried:
                aboard_failed[stop_id] = f"its goods are aboard {vehicle.id!r}, which has failed"
            continue
        for stop_id in carried:
            aboard[stop_id] = vehicle.id
        shift = TimeWindow(max(vehicle.shift.start_s, state.time_s), vehicle.shift.end_s)
        if live is None or not moved:
            vehicles.append(replace(vehicle, shift=shift))
            continue
        here = f"{vehicle.id}@now"
        sites.append(Site(here, live.position, name=f"{vehicle.id} now"))
        goods = sum((problem.stop(s).demand for s in carried), Amount())
        rest = live.load - goods
        vehicles.append(
            replace(
                vehicle,
                start=here,
                shift=shift,
                initial_load=Amount(max(0.0, rest.kg), max(0.0, rest.m3)),
                initial_battery_wh=live.battery_wh,
            )
        )
    failed = {v.vehicle_id for v in state.vehicles if v.failed}
    stops: list[Stop] = []
    for stop in (*problem.stops, *state.new_stops):
        if stop.id in gone:
            continue
        if stop.vehicles is not None and stop.vehicles & failed:
            remaining = stop.vehicles - failed
            if not remaining:
                names = ", ".join(sorted(stop.vehicles))
                aboard_failed[stop.id] = f"only {names} may serve it, and it has failed"
            stop = replace(stop, vehicles=remaining or None)
        if stop.id in aboard:
            stops.append(replace(stop, vehicles=frozenset({aboard[stop.id]}), site=None))
        else:
            stops.append(stop)
    pairs = tuple(
        p
        for p in (*problem.pairs, *state.new_pairs)
        if p.pickup not in gone and p.delivery not in gone
    )
    kept = {s.id for s in stops}
    commitments = {
        v.vehicle_id: tuple(s for s in v.committed if s in kept and s not in aboard_failed)
        for v in state.vehicles
        if not v.failed and v.committed
    }
    for vehicle_id, committed in commitments.items():
        for i, stop in enumerate(stops):
            if stop.id in committed:
                stops[i] = replace(stop, vehicles=frozenset({vehicle_id}))
    residual = replace(
        problem,
        sites=tuple(sites),
        stops=tuple(stops),
        vehicles=tuple(vehicles),
        pairs=pairs,
        no_fly_zones=problem.no_fly_zones + state.closed_airspace,
    )
    return residual, aboard_failed, {k: v for k, v in commitments.items() if v}


def _hint(
    previous: Plan, residual: Problem, commitments: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    live = {s.id for s in residual.stops}
    vehicles = {v.id for v in residual.vehicles}
    hint: dict[str, tuple[str, ...]] = {}
    for route in previous.routes:
        if route.vehicle_id not in vehicles:
            continue
        first = commitments.get(route.vehicle_id, ())
        rest = tuple(s for s in route.stop_ids if s in live and s not in first)
        hint[route.vehicle_id] = first + rest
    return hint


def _changes(
    problem: Problem,
    previous: Plan,
    plan: Plan,
    state: LiveState,
    aboard_failed: Mapping[str, str],
    commitments: Mapping[str, tuple[str, ...]],
) -> tuple[Change, ...]:
    before = {s: r.vehicle_id for r in previous.routes for s in r.stop_ids}
    after = {s: r.vehicle_id for r in plan.routes for s in r.stop_ids}
    reasons = {d.stop_id: d.reason for d in plan.dropped}
    failed = {v.vehicle_id for v in state.vehicles if v.failed}
    done = {s for v in state.vehicles for s in v.done}
    committed = {s for stops in commitments.values() for s in stops}
    new = {s.id for s in state.new_stops}
    changes: list[Change] = [Change(s, "cancelled") for s in state.cancelled]
    for stop_id in [*(s.id for s in problem.stops), *(s.id for s in state.new_stops)]:
        if stop_id in done or stop_id in state.cancelled:
            continue
        old, now = before.get(stop_id), after.get(stop_id)
        if stop_id in new:
            what = f"new, planned on {now}" if now else f"new, dropped: {reasons.get(stop_id)}"
        elif now is None:
            what = f"dropped: {reasons.get(stop_id, aboard_failed.get(stop_id))}"
            if old is None:
                continue  # dropped before as well
        elif old is None:
            what = f"now planned on {now}"
        elif old == now:
            what = f"kept on {now}" + (" (committed)" if stop_id in committed else "")
        else:
            why = f" because {old} failed" if old in failed else ""
            what = f"moved from {old} to {now}{why}"
        changes.append(Change(stop_id, what))
    return tuple(changes)
