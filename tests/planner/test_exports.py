from __future__ import annotations

import json
from typing import Any

from planner.geo import signed_area
from planner.geojson_export import plan_to_geojson
from planner.plan import Plan
from planner.plan_json import plan_to_dict
from planner.problem import Problem
from planner.qgc_export import NAV_LAND, NAV_TAKEOFF, route_to_qgc_plan
from planner.runsheet import run_sheet


def _rfc7946_position(p: Any) -> bool:
    return (
        isinstance(p, list)
        and len(p) in (2, 3)
        and all(isinstance(x, float | int) for x in p)
        and -180 <= p[0] <= 180
        and -90 <= p[1] <= 90
    )


def test_geojson_follows_rfc_7946(village: Problem, village_plan: Plan) -> None:
    doc = json.loads(json.dumps(plan_to_geojson(village, village_plan)))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    kinds = {f["geometry"]["type"] for f in doc["features"]}
    assert kinds == {"LineString", "Point", "Polygon"}
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            assert _rfc7946_position(geometry["coordinates"])
        elif geometry["type"] == "LineString":
            assert len(geometry["coordinates"]) >= 2
            assert all(_rfc7946_position(p) for p in geometry["coordinates"])
        else:
            ring = geometry["coordinates"][0]
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            assert signed_area([(p[0], p[1]) for p in ring[:-1]]) > 0  # exterior ring CCW
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    assert {f["properties"]["vehicle"] for f in lines} == {
        r.vehicle_id for r in village_plan.routes
    }
    # Positions are [lon, lat]: the village lies at 35.36 N, 139.25 E.
    assert lines[0]["geometry"]["coordinates"][0] == [139.25, 35.36]


def test_qgc_plan_has_the_documented_fields(village: Problem, village_plan: Plan) -> None:
    route = village_plan.route_of("drone-1")
    assert route is not None
    doc = json.loads(json.dumps(route_to_qgc_plan(village, route)))
    assert doc["fileType"] == "Plan"
    assert doc["groundStation"] == "QGroundControl"
    mission = doc["mission"]
    assert {
        "version",
        "firmwareType",
        "vehicleType",
        "cruiseSpeed",
        "hoverSpeed",
        "plannedHomePosition",
        "items",
    } <= mission.keys()
    items = mission["items"]
    assert items[0]["command"] == NAV_TAKEOFF
    assert items[-1]["command"] == NAV_LAND
    assert [i["doJumpId"] for i in items] == list(range(1, len(items) + 1))
    for item in items:
        assert item["type"] == "SimpleItem"
        assert len(item["params"]) == 7
    holds = [i["params"][0] for i in items if i["command"] == 16 and i["params"][0]]
    assert len(holds) == len(route.stop_ids)
    assert all(not p["inclusion"] for p in doc["geoFence"]["polygons"])


def test_plan_json_and_run_sheet_carry_every_route_and_drop(
    village: Problem, village_plan: Plan
) -> None:
    doc = json.loads(json.dumps(plan_to_dict(village_plan)))
    assert [r["vehicle"] for r in doc["routes"]] == [r.vehicle_id for r in village_plan.routes]
    assert [d["id"] for d in doc["dropped"]] == [d.stop_id for d in village_plan.dropped]
    sheet = run_sheet(village, village_plan)
    for route in village_plan.routes:
        assert f"== {route.vehicle_id}" in sheet
        assert all(s in sheet for s in route.stop_ids)
