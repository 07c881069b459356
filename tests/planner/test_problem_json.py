from __future__ import annotations

import pytest

from planner.errors import InvalidProblemError
from planner.problem import StopKind
from planner.problem_json import problem_from_dict


def test_clock_times_and_speeds_are_read() -> None:
    problem = problem_from_dict(
        {
            "sites": [{"id": "d", "location": [35.0, 139.0]}],
            "stops": [{"id": "s", "location": [35.01, 139.0], "windows": [["08:30", "09:15:30"]]}],
            "vehicles": [
                {
                    "id": "c",
                    "kind": "cart",
                    "start": "d",
                    "capacity": {"kg": 10},
                    "speed_kmh": 18,
                    "shift": [28800, "17:00"],
                }
            ],
        }
    )
    window = problem.stops[0].windows[0]
    assert (window.start_s, window.end_s) == (8.5 * 3600, 9 * 3600 + 15 * 60 + 30)
    assert problem.vehicles[0].speed_mps == pytest.approx(5.0)
    assert problem.vehicles[0].end == "d"
    assert problem.stops[0].kind is StopKind.DELIVERY


def test_format_errors_name_their_place_in_the_file() -> None:
    with pytest.raises(InvalidProblemError) as caught:
        problem_from_dict(
            {
                "sites": [{"id": "d", "location": [95.0, 139.0]}],
                "stops": [
                    {"id": "s", "location": [35.0, 139.0], "kg": "heavy", "windows": [["9h", 3]]}
                ],
                "vehicles": [{"id": "c", "kind": "boat", "start": "d", "speed_kmh": 5}],
            }
        )
    errors = caught.value.errors
    assert any(e.startswith('sites[0] "d".location') and "out of range" in e for e in errors)
    assert any(e.startswith('stops[0] "s".kg') and "expected a number" in e for e in errors)
    assert any('stops[0] "s".windows[0][0]' in e for e in errors)
    assert any(e.startswith('vehicles[0] "c".kind') for e in errors)
    assert any('vehicles[0] "c"' in e and "missing 'capacity'" in e for e in errors)
