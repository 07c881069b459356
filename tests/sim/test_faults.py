"""The fault board's timing, and how overlapping faults combine."""

from __future__ import annotations

from sim.fault_state import DEFAULT_TRUNCATE_BYTES, combine
from sim.faults import FaultBoard
from sim.scenario import FaultScenario

START = 1_000_000.0


def fault(
    kind: str, target: str, at_s: float, duration_s: float | None = None, **params: float | str
) -> FaultScenario:
    return FaultScenario(kind, target, at_s, duration_s, dict(params))


def test_faults_begin_and_end_on_time_and_changes_are_reported_once() -> None:
    board = FaultBoard(START, (fault("no_reply", "a", 10, 5), fault("stuck", "b", 12)))
    assert board.update(START) is None
    started, ended = board.update(START + 10) or ([], [])
    assert [f.spec.kind for f in started] == ["no_reply"]
    assert ended == []
    assert board.update(START + 11) is None
    started, ended = board.update(START + 15) or ([], [])
    assert [f.spec.kind for f in started] == ["stuck"]
    assert [f.spec.kind for f in ended] == ["no_reply"]
    assert [f.spec.target for f in board.active(START + 100)] == ["b"]


def test_ending_a_fault_early_and_forgetting_one_not_begun() -> None:
    board = FaultBoard(START)
    running = board.add(fault("stuck", "a", 0), "api")
    later = board.add(fault("stuck", "b", 100), "api")
    board.update(START + 1)
    ended = board.end(running.id, START + 2)
    assert ended.end_ts == START + 2
    assert not ended.active(START + 2)
    board.end(later.id, START + 2)
    assert later.id not in board.faults


def test_overlapping_faults_combine_and_each_ends_alone() -> None:
    board = FaultBoard(START)
    board.add(fault("slow_reply", "p", 0, 60, delay_s=0.2), "scenario")
    board.add(fault("slow_reply", "p", 0, 30, delay_s=0.5), "scenario")
    board.add(fault("spike", "p", 0, 60, point="moisture", value=99.0), "scenario")
    board.add(fault("truncated", "q", 0), "scenario")
    board.add(fault("gps_lost", "cart", 0), "scenario")
    board.add(fault("bus_down", "rs485", 0, 10), "scenario")
    both = combine(board.active(START + 5))
    assert both.devices["p"].late_s == 0.5
    assert both.devices["p"].spikes == {"moisture": 99.0}
    assert both.devices["q"].truncate_to == DEFAULT_TRUNCATE_BYTES
    assert both.vehicle_faults == {"cart": {"gps_lost"}}
    assert both.buses_down == {"rs485"}
    later = combine(board.active(START + 40))
    assert later.devices["p"].late_s == 0.2
    assert later.buses_down == set()
