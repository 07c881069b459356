"""The mission JSON: accepted as documented, refused with the key named."""

from __future__ import annotations

import json

import pytest

from sim.geo import Point
from sim.mission import Action, MissionError, parse_mission

GOOD = {
    "mission_id": "2026-07-01/cart-1/3",
    "vehicle": "cart-1",
    "stops": [
        {
            "id": "farm-7",
            "location": [33.5703, 133.5205],
            "action": "load",
            "kg": 20,
            "service_s": 300,
        },
        {
            "id": "ja-coop",
            "location": [33.5655, 133.5238],
            "action": "unload",
            "kg": 20,
            "service_s": 120,
            "waypoints": [[33.5690, 133.5222]],
        },
    ],
    "return_to_depot": True,
}


def test_a_documented_mission_parses() -> None:
    m = parse_mission(json.dumps(GOOD))
    assert m.mission_id == "2026-07-01/cart-1/3"
    assert [s.action for s in m.stops] == [Action.LOAD, Action.UNLOAD]
    assert m.stops[1].waypoints == (Point(33.5690, 133.5222),)
    assert parse_mission(json.dumps(m.to_json())) == m


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mission_id": ""}, "mission_id: expected 1 to 64 characters"),
        ({"stops": {}}, "stops: expected an array of stops"),
        ({"speed": 3}, "speed: unknown key"),
        ({"return_to_depot": "yes"}, "return_to_depot: expected true or false"),
        (
            {"stops": [{"id": "a", "location": [95, 133]}]},
            r"stops\[0\]\.location: \[lat, lon\] out of range",
        ),
        ({"stops": [{"id": "a", "location": [33, 133], "action": "drop"}]}, r"stops\[0\]\.action"),
        (
            {"stops": [{"id": "a", "location": [33, 133], "action": "load"}]},
            r"stops\[0\]\.kg: a load needs kg > 0",
        ),
        (
            {"stops": [{"id": "a", "location": [33, 133], "service_s": -1}]},
            r"stops\[0\]\.service_s",
        ),
        (
            {"stops": [{"id": "a", "location": "here"}]},
            r"stops\[0\]\.location: expected \[lat, lon\]",
        ),
    ],
)
def test_bad_missions_are_refused_naming_the_key(change: dict[str, object], message: str) -> None:
    with pytest.raises(MissionError, match=message):
        parse_mission(json.dumps({**GOOD, **change}))


def test_an_empty_mission_recalls_and_a_gateways_context_keys_are_read_past() -> None:
    recall = parse_mission(
        json.dumps({**GOOD, "stops": [], "id": 17, "historical": False, "plan": "p-1"})
    )
    assert recall.stops == ()
    assert recall.mission_id == GOOD["mission_id"]


def test_non_json_and_oversized_missions_are_refused() -> None:
    with pytest.raises(MissionError, match="not JSON"):
        parse_mission(b"{nope")
    with pytest.raises(MissionError, match="expected a JSON object"):
        parse_mission(b"[1, 2]")
    with pytest.raises(MissionError, match="at most 65536"):
        parse_mission(b" " * 70000)
    with pytest.raises(MissionError, match="not JSON"):
        parse_mission(b"\xff\xfe")
