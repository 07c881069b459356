from __future__ import annotations

import pytest

from planner.errors import InvalidProblemError
from planner.problem import Pair, Problem, StopKind, TimeWindow
from planner.validate import validate
from tests.planner.builders import DEPOT, cart, drone, stop


def _errors(problem: Problem) -> list[str]:
    with pytest.raises(InvalidProblemError) as caught:
        validate(problem)
    return list(caught.value.errors)


def test_every_data_error_is_reported_at_once_naming_its_stop() -> None:
    problem = Problem(
        sites=(DEPOT,),
        stops=(
            stop("heavy", 100, 100, kg=500.0),
            stop("late", 100, 0, windows=(TimeWindow(10_000, 9_000),)),
            stop("orphan", 0, 100, kind=StopKind.PICKUP),
            stop("who", 50, 50, vehicles=frozenset({"ghost"})),
        ),
        vehicles=(cart(kg=100.0),),
    )
    errors = _errors(problem)
    assert any("'heavy'" in e and "more than any vehicle can carry" in e for e in errors)
    assert any("'late'" in e and "time window 1 is empty" in e for e in errors)
    assert any("'orphan'" in e and "pickup without its delivery" in e for e in errors)
    assert any("'who'" in e and "'ghost' does not exist" in e for e in errors)


def test_pair_with_a_missing_delivery_is_named() -> None:
    problem = Problem(
        sites=(DEPOT,),
        stops=(stop("p", 100, 0, kind=StopKind.PICKUP),),
        vehicles=(cart(),),
        pairs=(Pair("p", "nowhere"),),
    )
    assert any("delivery stop 'nowhere' does not exist" in e for e in _errors(problem))


def test_stop_beyond_every_battery_and_shift_is_named_with_each_vehicles_reason() -> None:
    far = stop("far", 0, 60_000, kg=1.0, vehicles=frozenset({"drone"}))
    problem = Problem(sites=(DEPOT,), stops=(far,), vehicles=(drone(battery_wh=100.0),))
    (error,) = _errors(problem)
    assert "'far'" in error
    assert "no vehicle can serve it" in error
    assert "reserve" in error
    closing = stop("closing", 0, 80_000, windows=(TimeWindow(8 * 3600, 8 * 3600 + 600),))
    errors = _errors(Problem(sites=(DEPOT,), stops=(closing,), vehicles=(cart(),)))
    assert "'closing'" in errors[0]
    assert "time window closes" in errors[0]


def test_optional_unreachable_stop_is_not_an_error_but_unservable() -> None:
    far = stop("far", 0, 60_000, required=False, penalty=5.0, vehicles=frozenset({"drone"}))
    _, eligibility = validate(Problem(sites=(DEPOT,), stops=(far,), vehicles=(drone(),)))
    assert "far" in eligibility.unservable


def test_vehicle_errors_name_the_vehicle() -> None:
    bad = drone()
    from dataclasses import replace

    bad = replace(bad, speed_mps=0.0, shift=TimeWindow(10, 5), end="nowhere")
    errors = _errors(Problem(sites=(DEPOT,), stops=(), vehicles=(bad,)))
    assert any("vehicle 'drone'" in e and "speed" in e for e in errors)
    assert any("vehicle 'drone'" in e and "empty shift" in e for e in errors)
    assert any("vehicle 'drone'" in e and "'nowhere' does not exist" in e for e in errors)
