"""Plan requests built from the village's configuration and its open orders."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from edge.config import Config
from edge.logistics import orders as ops
from edge.logistics.problem import build_problem, plan_day
from edge.storage import Storage
from planner.problem_json import problem_from_dict
from planner.validate import validate
from tests.edge.logistics.conftest import TOKYO, site_time

# A lane from the village hall down to the JA collection point, past the houses.
ROADS: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "valley lane"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[133.5195, 33.5710], [133.5215, 33.5690], [133.5238, 33.5655]],
            },
        }
    ],
}


def with_roads(village: Config, tmp_path: Path) -> Config:
    path = tmp_path / "lanes.geojson"
    path.write_text(json.dumps(ROADS))
    site = village.site.model_copy(update={"roads": path})
    return village.model_copy(update={"site": site})


MISSION_ID = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")
"""Ids in a mission, as the simulator's reader (sim/mission.py) and a vehicle accept them."""


def order(storage: Storage, village: Config, **values: Any) -> ops.Order:
    base: dict[str, Any] = {"name": "Mrs Tanaka", "location": (33.5690, 133.5215), "kg": 4}
    draft = ops.validated_draft(base | values)
    return ops.create_order(storage, village, draft, actor="hana", today=dt.date(2026, 11, 26))


def test_the_village_becomes_a_problem_the_planner_accepts(
    storage: Storage, village: Config, tmp_path: Path
) -> None:
    config = with_roads(village, tmp_path)
    house = order(storage, config, windows=["09:00-11:00"])
    maize = order(storage, config, kind="pickup", place="terrace-maize", location=None, kg=2)
    built = build_problem(config, [house, maize], site_time(8, 0))
    problem = built.problem
    assert built.orders == [house.id, maize.id]
    assert built.skipped == []
    assert built.day == "2026-11-26"
    assert built.epoch_s == dt.datetime(2026, 11, 26, tzinfo=TOKYO).timestamp()
    assert {s["id"]: s["kind"] for s in problem["sites"]} == {
        "village-hall": "depot",
        "ja-coop": "collection_point",
    }
    cart, drone = problem["vehicles"]
    assert cart == {
        "id": "cart-1",
        "kind": "cart",
        "name": "Cart 1",
        "start": "village-hall",
        "end": "village-hall",
        "capacity": {"kg": 30.0},
        "speed_kmh": 6.0,
        "shift": [8 * 3600 + 60, 19 * 3600],
    }
    assert drone["drone"]["max_payload_kg"] == 5.0
    assert drone["drone"]["battery_wh"] == 600.0
    assert drone["drone"]["energy"]["battery_kg"] == 4.0, "600 Wh at 150 Wh/kg"
    [zone] = problem["no_fly_zones"]
    assert zone["id"] == "school"
    assert zone["polygon"][0] == [33.5672, 133.5222], "[lon, lat] in the file, [lat, lon] here"
    assert problem["roads"] == ROADS, "inline: the request stands alone"
    # The maize goes to the collection point, where no vehicle ends: a pair.
    assert problem["pairs"] == [{"pickup": maize.id, "delivery": f"{maize.id}/ja-coop"}]
    partner = problem["stops"][-1]
    assert partner["location"] == [33.5655, 133.5238]
    assert "site" not in problem["stops"][1]
    validate(problem_from_dict(problem))
    # Stop ids travel on in the vehicles' missions: each must be one the mission
    # contract (docs/simulator.md) accepts, or the vehicle refuses its mission.
    for stop in problem["stops"]:
        assert MISSION_ID.fullmatch(stop["id"]), stop["id"]


def test_an_order_no_vehicle_can_carry_is_left_out_with_the_planners_reason(
    storage: Storage, village: Config
) -> None:
    fine = order(storage, village)
    heavy = {"id": "mqtt-1", "kind": "delivery", "location": [33.569, 133.5215], "kg": 50}
    ops.store_order(storage, heavy)
    orders = [fine, ops.get_order(storage, "mqtt-1")]
    built = build_problem(village, orders, site_time(8, 0))
    assert built.orders == [fine.id]
    [skipped] = built.skipped
    assert skipped["id"] == "mqtt-1"
    assert "50 kg" in skipped["reason"]


def test_the_shift_starts_now_and_late_in_the_day_the_plan_is_for_tomorrow(
    village: Config,
) -> None:
    assert plan_day(village, site_time(5, 0))[2] == 6 * 3600
    day, epoch, start = plan_day(village, site_time(13, 20))
    assert (day, start) == (dt.date(2026, 11, 26), 13 * 3600 + 21 * 60)
    day, epoch, start = plan_day(village, site_time(18, 30))
    assert (day, start) == (dt.date(2026, 11, 27), 6 * 3600)
    assert epoch == dt.datetime(2026, 11, 27, tzinfo=TOKYO).timestamp()


def test_an_unreadable_road_file_is_noted_and_carts_go_straight(
    storage: Storage, village: Config, tmp_path: Path
) -> None:
    site = village.site.model_copy(update={"roads": tmp_path / "missing.geojson"})
    config = village.model_copy(update={"site": site})
    built = build_problem(config, [order(storage, config)], site_time(8, 0))
    assert "roads" not in built.problem
    assert "missing.geojson" in built.notes[0]
