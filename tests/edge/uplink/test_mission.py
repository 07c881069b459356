"""The gateway's mission for a planned route is one the vehicles accept.

The plan comes from the real planner; the mission is parsed by the simulator's
own strict parser (sim/mission.py), the other side of the contract."""

from __future__ import annotations

import json

from edge.uplink.mission import mission_of
from planner.plan_json import plan_to_dict
from planner.problem_json import problem_from_dict
from planner.solve import solve
from sim.mission import Action, parse_mission

PROBLEM = {
    "name": "a delivery and a harvest pickup",
    "sites": [
        {"id": "hall", "kind": "depot", "location": [35.36, 139.25]},
        {"id": "coop", "kind": "collection_point", "location": [35.356, 139.247]},
    ],
    "stops": [
        {"id": "r-tanaka", "location": [35.3635, 139.2545], "kg": 6, "service_s": 120},
        {
            "id": "field-7",
            "kind": "pickup",
            "location": [35.362, 139.251],
            "kg": 40,
            "service_s": 300,
        },
        {"id": "field-7-in", "location": [35.356, 139.247], "kg": 40, "service_s": 60},
    ],
    "pairs": [{"pickup": "field-7", "delivery": "field-7-in"}],
    "vehicles": [
        {
            "id": "cart-1",
            "kind": "cart",
            "start": "hall",
            "capacity": {"kg": 150},
            "speed_kmh": 12,
            "shift": ["08:00", "17:00"],
        }
    ],
}


def test_a_planned_route_becomes_a_mission_the_vehicle_parser_accepts() -> None:
    plan = plan_to_dict(solve(problem_from_dict(PROBLEM), 1.0, workers=1, max_iterations=200))
    [route] = plan["routes"]
    mission = mission_of("plan-3", "cart-1", route)
    # With the outbox's envelope and context keys, as it goes on the wire.
    wire = {**mission, "id": 41, "historical": False, "plan": "plan-3", "feasible": True}
    parsed = parse_mission(json.dumps(wire))
    assert parsed.mission_id == "plan-3/cart-1"
    by_id = {stop.id: stop for stop in parsed.stops}
    assert by_id["hall"].action is Action.LOAD  # the grocery loaded at the depot
    assert by_id["hall"].kg == 6
    assert by_id["r-tanaka"].action is Action.UNLOAD
    assert by_id["r-tanaka"].kg == 6
    assert by_id["field-7"].action is Action.LOAD
    assert by_id["field-7"].kg == 40
    assert by_id["field-7-in"].action is Action.UNLOAD
    assert by_id["r-tanaka"].service_s == 120
    order = [stop.id for stop in parsed.stops]
    assert order.index("field-7") < order.index("field-7-in")


def test_a_vehicle_without_a_route_is_recalled() -> None:
    parsed = parse_mission(json.dumps(mission_of("plan-3", "drone-1", None)))
    assert parsed.stops == ()
    assert parsed.return_to_depot
