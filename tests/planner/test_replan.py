from __future__ import annotations

from planner.checker import check_plan
from planner.plan import Plan
from planner.problem import NoFlyZone, Problem
from planner.replan import LiveState, VehicleState, replan
from tests.planner.builders import at, stop


def _cart_midway(plan: Plan) -> tuple[VehicleState, float]:
    route = plan.route_of("cart-1")
    assert route is not None
    here = route.visits[2]
    state = VehicleState(
        "cart-1",
        here.location,
        here.load_after,
        None,
        done=route.stop_ids[:2],
        committed=route.stop_ids[2:4],
    )
    return state, here.departure_s


def test_committed_stops_stay_first_and_in_order(village: Problem, village_plan: Plan) -> None:
    cart, now = _cart_midway(village_plan)
    result = replan(village, village_plan, LiveState(now, (cart,)), 1.0, workers=1)
    route = result.plan.route_of("cart-1")
    assert route is not None
    assert route.stop_ids[:2] == cart.committed
    assert check_plan(result.problem, result.plan) == []
    assert any(c.what == "kept on cart-1 (committed)" for c in result.changes)


def test_failed_drone_hands_its_stops_over_and_reports_what_cannot_be_saved(
    village: Problem, village_plan: Plan
) -> None:
    cart, now = _cart_midway(village_plan)
    # Failed on the pad: its parcels are still at the depot and can go by cart.
    dead = VehicleState("drone-1", village.site("depot").location, failed=True)
    result = replan(village, village_plan, LiveState(now, (cart, dead)), 1.0, workers=1)
    assert result.plan.route_of("drone-1") is None
    assert check_plan(result.problem, result.plan) == []
    changes = {c.stop_id: c.what for c in result.changes}
    on_drone = set(_route_stops(village_plan, "drone-1")) - {"isle-hamlet"}
    assert on_drone, "the example should give the drone more than the island"
    for stop_id in on_drone:
        assert changes[stop_id] == "moved from drone-1 to cart-1 because drone-1 failed"
    assert changes["isle-hamlet"].startswith("dropped: only drone-1")
    # Failed in the air: what it carries is lost to this plan, and said so.
    airborne = VehicleState("drone-1", at(0, 0), failed=True)
    lost = replan(village, village_plan, LiveState(now, (cart, airborne)), 1.0, workers=1)
    lost_changes = {c.stop_id: c.what for c in lost.changes}
    for stop_id in on_drone:
        assert lost_changes[stop_id] == "dropped: its goods are aboard 'drone-1', which has failed"


def _route_stops(plan: Plan, vehicle_id: str) -> tuple[str, ...]:
    route = plan.route_of(vehicle_id)
    return () if route is None else route.stop_ids


def test_new_order_and_closed_airspace_are_planned_around(
    village: Problem, village_plan: Plan
) -> None:
    island = village.stop("isle-hamlet").location
    depot = village.site("depot").location
    mid = type(island)((island.lat + depot.lat) / 2, (island.lon + depot.lon) / 2)
    box = NoFlyZone(
        "storm",
        tuple(
            type(mid)(mid.lat + a, mid.lon + b)
            for a, b in ((-2e-3, -2e-3), (-2e-3, 2e-3), (2e-3, 2e-3), (2e-3, -2e-3))
        ),
    )
    urgent = stop("urgent", 0, 0, kg=1.0)
    urgent = type(urgent)("urgent", type(mid)(35.3590, 139.2510), urgent.kind, urgent.demand)
    state = LiveState(8 * 3600.0, (), new_stops=(urgent,), closed_airspace=(box,))
    result = replan(village, village_plan, state, 1.0, workers=1)
    assert check_plan(result.problem, result.plan) == []
    changes = {c.stop_id: c.what for c in result.changes}
    assert changes["urgent"].startswith("new, planned on")
