"""The checker must catch each broken constraint in an otherwise good plan."""

from __future__ import annotations

from dataclasses import replace

from planner.checker import check_plan
from planner.plan import Plan, Route
from planner.problem import Amount, NoFlyZone, Problem


def _with_route(plan: Plan, vehicle_id: str, route: Route) -> Plan:
    return replace(
        plan, routes=tuple(route if r.vehicle_id == vehicle_id else r for r in plan.routes)
    )


def _route(plan: Plan, vehicle_id: str) -> Route:
    route = plan.route_of(vehicle_id)
    assert route is not None
    return route


def test_a_visit_outside_its_windows_is_caught(village: Problem, village_plan: Plan) -> None:
    route = _route(village_plan, "cart-1")
    visits = list(route.visits)
    late = visits[1]
    visits[1] = replace(late, start_s=late.start_s + 86_400, departure_s=late.departure_s + 86_400)
    plan = _with_route(village_plan, "cart-1", replace(route, visits=tuple(visits)))
    assert any("outside its time windows" in i for i in check_plan(village, plan))


def test_overload_is_caught(village: Problem, village_plan: Plan) -> None:
    small = replace(
        village,
        vehicles=tuple(
            replace(v, capacity=Amount(kg=5.0, m3=1.0)) if v.id == "cart-1" else v
            for v in village.vehicles
        ),
    )
    assert any("over capacity" in i for i in check_plan(small, village_plan))


def test_delivery_before_its_pickup_is_caught(village: Problem, village_plan: Plan) -> None:
    route = _route(village_plan, "cart-1")
    visits = list(route.visits)
    ids = [v.place_id for v in visits]
    i, j = ids.index("field-7"), ids.index("collect-field-7")
    visits[i], visits[j] = visits[j], visits[i]
    plan = _with_route(village_plan, "cart-1", replace(route, visits=tuple(visits)))
    assert any("delivered before pickup" in i for i in check_plan(village, plan))


def test_a_drained_battery_is_caught(village: Problem, village_plan: Plan) -> None:
    weak = replace(
        village,
        vehicles=tuple(
            replace(v, initial_battery_wh=140.0) if v.id == "drone-1" else v
            for v in village.vehicles
        ),
    )
    assert any("below reserve" in i for i in check_plan(weak, village_plan))


def test_a_leg_across_a_no_fly_zone_is_caught(village: Problem, village_plan: Plan) -> None:
    route = _route(village_plan, "drone-1")
    leg = route.visits[1].path_from_previous
    a, b = leg[0], leg[-1]
    mid = type(a)((a.lat + b.lat) / 2, (a.lon + b.lon) / 2)
    box = NoFlyZone(
        "new",
        tuple(
            type(a)(mid.lat + dy, mid.lon + dx)
            for dy, dx in ((-1e-3, -1e-3), (-1e-3, 1e-3), (1e-3, 1e-3), (1e-3, -1e-3))
        ),
    )
    straight = replace(route.visits[1], path_from_previous=(a, b))
    closed = replace(village, no_fly_zones=(box,))
    visits = (route.visits[0], straight, *route.visits[2:])
    plan = _with_route(village_plan, "drone-1", replace(route, visits=visits))
    assert any("crosses no-fly zone 'new'" in i for i in check_plan(closed, plan))


def test_a_forgotten_stop_is_caught(village: Problem, village_plan: Plan) -> None:
    plan = replace(village_plan, dropped=())
    missing = [d.stop_id for d in village_plan.dropped]
    issues = check_plan(village, plan)
    assert all(any(f"'{m}' is neither served" in i for i in issues) for m in missing)
