"""Validation before solving: every input error, each naming what is wrong and where.

Two passes. The first checks the data on its own (ids, references, numbers,
windows, pairs). Only when it passes are matrices built and each stop tried on
its own with every vehicle: a required stop that no vehicle can serve within its
payload, battery, shift and windows is an error; an optional one is dropped up
front with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from planner.errors import InvalidProblemError
from planner.geo import LocalProjection, Location, point_in_polygon, projection_for
from planner.layout import Layout, layout_for
from planner.problem import Problem, Stop, StopKind, Vehicle, VehicleKind
from planner.schedule import schedule_route


@dataclass(frozen=True)
class Eligibility:
    """Which vehicles may serve each stop; why the others may not."""

    vehicles: dict[str, tuple[str, ...]]
    unservable: dict[str, str]  # optional stops no vehicle can serve, with the reason


def validate(problem: Problem, strict: bool = True) -> tuple[Layout, Eligibility]:
    """Check the problem; raise InvalidProblemError listing every error found.

    With `strict` off (re-planning, where time has moved on), a required stop no
    vehicle can serve any more is dropped with its reason instead of failing.
    """
    errors = list(_data_errors(problem))
    if errors:
        raise InvalidProblemError(errors)
    layout = layout_for(problem)
    eligibility, errors = _eligibility(problem, layout, strict)
    if errors:
        raise InvalidProblemError(errors)
    return layout, eligibility


def _duplicates(kind: str, ids: Iterable[str]) -> Iterable[str]:
    for name, count in Counter(ids).items():
        if count > 1:
            yield f"{kind} id {name!r} is used {count} times; ids must be unique"


def _data_errors(problem: Problem) -> Iterable[str]:
    yield from _duplicates("stop", (s.id for s in problem.stops))
    yield from _duplicates("site", (s.id for s in problem.sites))
    yield from _duplicates("vehicle", (v.id for v in problem.vehicles))
    yield from _duplicates("no-fly zone", (z.id for z in problem.no_fly_zones))
    if not problem.vehicles:
        yield "the fleet is empty: add at least one vehicle"
    site_ids = {s.id for s in problem.sites}
    vehicle_ids = {v.id for v in problem.vehicles}
    for vehicle in problem.vehicles:
        yield from _vehicle_errors(vehicle, site_ids)
    for stop in problem.stops:
        yield from _stop_errors(stop, site_ids, vehicle_ids)
    yield from _pair_errors(problem)
    for zone in problem.no_fly_zones:
        if len(zone.polygon) < 3:
            yield f"no-fly zone {zone.id!r} has {len(zone.polygon)} vertices; a polygon needs 3"
    if problem.planar and problem.no_fly_zones:
        yield "no-fly zones need geographic coordinates; this problem is planar"
    if problem.cart_detour_factor < 1.0:
        yield f"cart_detour_factor is {problem.cart_detour_factor:g}; it must be at least 1"
    yield from _airspace_errors(problem, site_ids)
    yield from _weight_errors(problem)


def _vehicle_errors(v: Vehicle, site_ids: set[str]) -> Iterable[str]:
    who = f"vehicle {v.id!r}"
    for end, site in (("start", v.start), ("end", v.end)):
        if site not in site_ids:
            yield f"{who}: {end} site {site!r} does not exist"
    if v.speed_mps <= 0:
        yield f"{who}: speed must be positive, got {v.speed_mps:g} m/s"
    if v.shift.end_s < v.shift.start_s:
        yield (
            f"{who}: empty shift (ends at {v.shift.end_s:g} s, "
            f"before it starts at {v.shift.start_s:g} s)"
        )
    if v.capacity.kg < 0 or v.capacity.m3 < 0:
        yield f"{who}: capacity cannot be negative"
    if v.fixed_cost < 0 or v.cost_per_km < 0:
        yield f"{who}: costs cannot be negative"
    if v.kind is VehicleKind.DRONE and v.drone is None:
        yield f"{who}: a drone needs its battery, payload and energy model"
    if v.kind is VehicleKind.CART and v.drone is not None:
        yield f"{who}: a cart cannot have a drone battery model"
    d = v.drone
    if d is not None:
        if d.battery_wh <= 0:
            yield f"{who}: battery capacity must be positive, got {d.battery_wh:g} Wh"
        if not 0 <= d.reserve_fraction < 1:
            yield f"{who}: reserve must be in [0, 1), got {d.reserve_fraction:g}"
        if d.max_payload_kg < 0:
            yield f"{who}: max payload cannot be negative"
        e = d.energy
        if min(e.frame_kg, e.rotor_diameter_m, e.air_density) <= 0 or e.rotors < 1:
            yield f"{who}: energy model needs positive frame mass, rotors, rotor size, air density"
        if not 0 < e.efficiency <= 1:
            yield f"{who}: energy model efficiency must be in (0, 1], got {e.efficiency:g}"
        if v.initial_battery_wh is not None and not 0 <= v.initial_battery_wh <= d.battery_wh:
            yield f"{who}: battery now ({v.initial_battery_wh:g} Wh) outside 0..{d.battery_wh:g} Wh"


def _stop_errors(stop: Stop, site_ids: set[str], vehicle_ids: set[str]) -> Iterable[str]:
    who = f"stop {stop.id!r}"
    if stop.demand.kg < 0 or stop.demand.m3 < 0:
        yield f"{who}: demand cannot be negative"
    if stop.service_s < 0:
        yield f"{who}: service time cannot be negative"
    for i, w in enumerate(stop.windows):
        if w.end_s < w.start_s:
            yield (
                f"{who}: time window {i + 1} is empty "
                f"(ends at {w.end_s:g} s, starts at {w.start_s:g} s)"
            )
    if not stop.required and stop.penalty < 0:
        yield f"{who}: the penalty for dropping it cannot be negative"
    if stop.vehicles is not None:
        for vid in sorted(stop.vehicles - vehicle_ids):
            yield f"{who}: allowed vehicle {vid!r} does not exist"
        if not stop.vehicles:
            yield f"{who}: its list of allowed vehicles is empty"
    if stop.site is not None and stop.site not in site_ids:
        yield f"{who}: site {stop.site!r} does not exist"


def _pair_errors(problem: Problem) -> Iterable[str]:
    stops = {s.id: s for s in problem.stops}
    seen: Counter[str] = Counter()
    for pair in problem.pairs:
        pickup, delivery = stops.get(pair.pickup), stops.get(pair.delivery)
        who = f"pair {pair.pickup!r} -> {pair.delivery!r}"
        if pickup is None:
            yield f"{who}: pickup stop {pair.pickup!r} does not exist"
        elif pickup.kind is not StopKind.PICKUP:
            yield f"{who}: stop {pair.pickup!r} is a {pickup.kind.value}, not a pickup"
        if delivery is None:
            yield f"{who}: delivery stop {pair.delivery!r} does not exist"
        elif delivery.kind is not StopKind.DELIVERY:
            yield f"{who}: stop {pair.delivery!r} is a {delivery.kind.value}, not a delivery"
        if pickup is not None and delivery is not None:
            if pickup.demand != delivery.demand:
                yield (
                    f"{who}: the pickup loads {pickup.demand.kg:g} kg / "
                    f"{pickup.demand.m3:g} m³ but the delivery unloads "
                    f"{delivery.demand.kg:g} kg / {delivery.demand.m3:g} m³"
                )
            if pickup.required != delivery.required:
                yield f"{who}: both stops must be required, or both optional"
        seen.update((pair.pickup, pair.delivery))
    for stop_id, count in seen.items():
        if count > 1:
            yield f"stop {stop_id!r} is in {count} pairs; a stop can be in one pair only"
    for stop in problem.stops:
        if stop.kind is StopKind.PICKUP and stop.id not in seen and stop.site is None:
            yield (
                f"stop {stop.id!r}: pickup without its delivery: pair it with a delivery stop "
                "or name the site its goods go to"
            )
        if stop.id in seen and stop.site is not None:
            yield f"stop {stop.id!r}: a paired stop cannot also name a site"


def _airspace_errors(problem: Problem, site_ids: set[str]) -> Iterable[str]:
    if not problem.no_fly_zones or problem.planar:
        return
    proj: LocalProjection = projection_for([p for z in problem.no_fly_zones for p in z.polygon])

    def zone_of(loc: Location) -> str | None:
        for zone in problem.no_fly_zones:
            if len(zone.polygon) >= 3 and point_in_polygon(
                proj.to_xy(loc), [proj.to_xy(p) for p in zone.polygon]
            ):
                return zone.id
        return None

    for v in problem.vehicles:
        if v.kind is not VehicleKind.DRONE:
            continue
        for end, site_id in (("start", v.start), ("end", v.end)):
            if site_id in site_ids:
                zone = zone_of(problem.site(site_id).location)
                if zone is not None:
                    yield f"vehicle {v.id!r}: {end} site {site_id!r} is in no-fly zone {zone!r}"


def _weight_errors(problem: Problem) -> Iterable[str]:
    if not problem.vehicles:
        return
    for stop in problem.stops:
        fits = [v for v in problem.vehicles if stop.demand.fits(v.payload_limit())]
        if not fits:
            biggest = max(problem.vehicles, key=lambda v: v.payload_limit().kg)
            yield (
                f"stop {stop.id!r}: {stop.demand.kg:g} kg / {stop.demand.m3:g} m³ is more than any "
                f"vehicle can carry (largest payload: {biggest.id!r}, "
                f"{biggest.payload_limit().kg:g} kg / {biggest.payload_limit().m3:g} m³)"
            )


def _eligibility(problem: Problem, layout: Layout, strict: bool) -> tuple[Eligibility, list[str]]:
    partner: dict[str, tuple[str, str]] = {}
    for pair in problem.pairs:
        partner[pair.pickup] = (pair.pickup, pair.delivery)
        partner[pair.delivery] = (pair.pickup, pair.delivery)
    allowed: dict[str, tuple[str, ...]] = {}
    unservable: dict[str, str] = {}
    errors: list[str] = []
    for stop in problem.stops:
        trip = partner.get(stop.id, (stop.id,))
        reasons: list[str] = []
        ok: list[str] = []
        for vehicle in problem.vehicles:
            why = _why_not(problem, layout, vehicle, trip)
            if why is None:
                ok.append(vehicle.id)
            else:
                reasons.append(why)
        allowed[stop.id] = tuple(ok)
        if ok:
            continue
        message = f"stop {stop.id!r}: no vehicle can serve it: " + "; ".join(reasons)
        if stop.required and strict:
            errors.append(message)
        else:
            unservable[stop.id] = "; ".join(reasons)
    return Eligibility(allowed, unservable), errors


def _why_not(
    problem: Problem, layout: Layout, vehicle: Vehicle, trip: tuple[str, ...]
) -> str | None:
    """Why `vehicle` cannot make the trip start -> stops -> end on its own, or None."""
    for stop_id in trip:
        stop = problem.stop(stop_id)
        if stop.vehicles is not None and vehicle.id not in stop.vehicles:
            return f"{vehicle.id} is not among its allowed vehicles"
        if stop.site is not None:
            if stop.kind is StopKind.DELIVERY and vehicle.start != stop.site:
                return f"{vehicle.id} does not start at {stop.site!r} where its goods are"
            if stop.kind is StopKind.PICKUP and vehicle.end != stop.site:
                return f"{vehicle.id} does not end at {stop.site!r} where its goods go"
        if not stop.demand.fits(vehicle.payload_limit()):
            return f"{vehicle.id} carries at most {vehicle.payload_limit().kg:g} kg"
        reason = layout.matrix(vehicle.kind).unreachable.get(layout.stop_index[stop_id])
        if reason is not None:
            return f"{vehicle.id} cannot get there ({reason})"
    violations = schedule_route(problem, layout, vehicle, trip).violations
    if violations:
        return f"{vehicle.id}: " + violations[0]
    return None
