from __future__ import annotations

import itertools
from pathlib import Path

from planner.checker import check_plan
from planner.plan import Plan
from planner.problem import NoFlyZone, Pair, Problem, StopKind, TimeWindow
from planner.solomon import read_solomon
from planner.solve import solve
from tests.planner.builders import DEPOT, at, cart, drone, stop

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def test_village_plan_passes_the_independent_checker(village: Problem, village_plan: Plan) -> None:
    assert check_plan(village, village_plan) == []
    assert village_plan.feasible
    drone_route = village_plan.route_of("drone-1")
    assert drone_route is not None
    assert "isle-hamlet" in drone_route.stop_ids
    cart_route = village_plan.route_of("cart-1")
    assert cart_route is not None
    stops = cart_route.stop_ids
    assert stops.index("field-7") < stops.index("collect-field-7")


def test_battery_falls_leg_by_leg_and_more_with_payload(village_plan: Plan) -> None:
    route = village_plan.route_of("drone-1")
    assert route is not None
    levels = [v.battery_after_wh for v in route.visits]
    assert all(a is not None and b is not None and b < a for a, b in itertools.pairwise(levels))


def test_capacity_forces_a_drop_with_a_reason_and_keeps_the_rest() -> None:
    stops = (stop("a", 500, 0, kg=60.0), stop("b", -500, 0, kg=60.0), stop("c", 0, 500, kg=30.0))
    plan = solve(Problem((DEPOT,), stops, (cart(kg=100.0),)), 1.0, workers=1)
    assert plan.feasible
    assert len(plan.dropped) == 1
    assert "does not fit" in plan.dropped[0].reason
    assert sum(1 for r in plan.routes for _ in r.stop_ids) == 2


def test_optional_stop_is_dropped_when_its_penalty_is_cheaper() -> None:
    near = stop("near", 100, 0)
    far = stop("far", 0, 20_000, required=False, penalty=0.01)
    plan = solve(Problem((DEPOT,), (near, far), (cart(),)), 1.0, workers=1)
    assert [d.stop_id for d in plan.dropped] == ["far"]
    assert "optional" in plan.dropped[0].reason


def test_pickup_and_delivery_share_a_vehicle_in_order_with_windows() -> None:
    early = TimeWindow(8 * 3600, 9 * 3600)
    stops = (
        stop("shop", 800, 0, kg=20.0, kind=StopKind.PICKUP, windows=(early,)),
        stop("home", -800, 0, kg=20.0),
        stop("x", 0, 800, kg=20.0),
    )
    problem = Problem(
        (DEPOT,), stops, (cart("c1", kg=30.0), cart("c2", kg=30.0)), (Pair("shop", "home"),)
    )
    plan = solve(problem, 1.0, workers=1)
    assert check_plan(problem, plan) == []
    assert not plan.dropped
    (owner,) = [r for r in plan.routes if "shop" in r.stop_ids]
    assert owner.stop_ids.index("shop") < owner.stop_ids.index("home")


def test_drone_detours_a_no_fly_zone_and_carts_cannot_serve_drone_only_stops() -> None:
    zone = NoFlyZone("airfield", (at(-300, 400), at(-300, 700), at(300, 700), at(300, 400)))
    island = stop("island", 0, 1500, kg=1.0, vehicles=frozenset({"drone"}))
    problem = Problem(
        (DEPOT,), (island, stop("village", 200, -300)), (cart(), drone()), no_fly_zones=(zone,)
    )
    plan = solve(problem, 1.0, workers=1)
    assert check_plan(problem, plan) == []
    route = plan.route_of("drone")
    assert route is not None
    assert "island" in route.stop_ids
    to_island = route.visits[1 + route.stop_ids.index("island")]
    assert len(to_island.path_from_previous) > 2  # turned round the airfield


def test_same_seed_and_iteration_limit_give_the_same_plan() -> None:
    problem = read_solomon(DATA / "C101.txt", max_customers=25)
    first = solve(problem, 10.0, seed=3, workers=1, max_iterations=200, engines=("ortools",))
    second = solve(problem, 10.0, seed=3, workers=1, max_iterations=200, engines=("ortools",))
    assert [r.stop_ids for r in first.routes] == [r.stop_ids for r in second.routes]


def test_tight_solomon_instance_gets_a_complete_feasible_plan_from_two_searches() -> None:
    problem = read_solomon(DATA / "RC101.txt", max_customers=30)
    plan = solve(problem, 1.5, workers=2, engines=("ortools",))
    assert plan.feasible
    assert not plan.dropped
    assert check_plan(problem, plan) == []
