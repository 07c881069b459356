"""Learning a device's holes: splitting refused reads, and the poller doing it on a real bus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.device_state import ErrorKind, Health
from drivers.modbus.holes import LearnedPlan
from drivers.modbus.plan import Boundary, ReadBlock
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.profile import load_profile
from drivers.reading import Reading
from sim.modbus_server import SimModbusServer, SimRequest
from sim.register_bank import RegisterBank
from tests.drivers.modbus.conftest import REFERENCE
from tests.drivers.modbus.test_plan import IN, H, pt, spans
from tests.drivers.modbus.test_poller import eventually

# ---- the learning rules, without a bus ----


def only_block(plan: LearnedPlan) -> ReadBlock:
    (block,) = plan.blocks
    return block


def test_a_refused_block_is_cut_at_its_gaps_and_the_plan_remembers() -> None:
    plan = LearnedPlan([pt("a", H, 0), pt("b", H, 1), pt("c", H, 5), pt("d", H, 9)], max_gap=8)
    block = only_block(plan)
    parts = plan.split_at_gaps(block)
    assert spans(parts) == [
        ("holding", 0, 2, ["a", "b"]),
        ("holding", 5, 1, ["c"]),
        ("holding", 9, 1, ["d"]),
    ]
    assert plan.boundaries == {Boundary(H, 5), Boundary(H, 9)}
    assert list(plan.blocks) == parts


def test_learning_cuts_only_the_refused_block() -> None:
    points = [pt("a", H, 0), pt("b", H, 3), pt("c", IN, 0), pt("d", IN, 3)]
    plan = LearnedPlan(points, max_gap=8)
    holding, inputs = plan.blocks
    plan.split_at_gaps(holding)
    assert spans(list(plan.blocks)) == [
        ("holding", 0, 1, ["a"]),
        ("holding", 3, 1, ["b"]),
        ("input", 0, 4, ["c", "d"]),
    ]
    assert inputs in plan.blocks


def test_a_gapless_block_cannot_be_cut_at_gaps() -> None:
    plan = LearnedPlan([pt("a", H, 0), pt("b", H, 1, "u32")], max_gap=8)
    assert plan.split_at_gaps(only_block(plan)) == []
    assert plan.boundaries == frozenset()


def test_singles_are_one_request_per_register_but_learn_nothing() -> None:
    points = [pt("x", H, 4, "bit", bit=0), pt("y", H, 4, "bit", bit=3), pt("a", H, 5, "u32")]
    plan = LearnedPlan(points, max_gap=8)
    block = only_block(plan)
    assert spans(plan.singles(block)) == [
        ("holding", 4, 1, ["x", "y"]),
        ("holding", 5, 2, ["a"]),
    ]
    assert plan.blocks == (block,)


@pytest.mark.parametrize(
    ("refused_at", "expected"),
    [
        pytest.param(
            [4],
            [("holding", 0, 4, ["a", "b", "c", "d"]), ("holding", 4, 1, ["e"])],
            id="last-point-refused",
        ),
        pytest.param(
            [0],
            [("holding", 0, 1, ["a"]), ("holding", 1, 4, ["b", "c", "d", "e"])],
            id="first-point-refused",
        ),
        pytest.param(
            [2],
            [
                ("holding", 0, 2, ["a", "b"]),
                ("holding", 2, 1, ["c"]),
                ("holding", 3, 2, ["d", "e"]),
            ],
            id="middle-point-cut-out",
        ),
        pytest.param(
            [],
            [("holding", a, 1, [n]) for a, n in enumerate("abcde")],
            id="none-refused-alone-means-no-spanning-reads",
        ),
    ],
)
def test_isolating_points_refused_alone(
    refused_at: list[int], expected: list[tuple[str, int, int, list[str]]]
) -> None:
    plan = LearnedPlan([pt(n, H, a) for a, n in enumerate("abcde")], max_gap=8)
    block = only_block(plan)
    refused = [s for s in plan.singles(block) if s.address in refused_at]
    assert spans(plan.isolate(block, refused)) == expected
    assert spans(list(plan.blocks)) == expected


def test_learned_boundaries_accumulate() -> None:
    plan = LearnedPlan([pt("a", H, 0), pt("b", H, 1), pt("c", H, 2), pt("d", H, 6)], max_gap=8)
    (first, _) = plan.split_at_gaps(only_block(plan))
    plan.isolate(first, [s for s in plan.singles(first) if s.address == 1])
    assert plan.boundaries == {Boundary(H, 1), Boundary(H, 2), Boundary(H, 6)}
    assert [(b.address, b.count) for b in plan.blocks] == [(0, 1), (1, 1), (2, 1), (6, 1)]


# ---- the poller learning on a real bus ----

BUS_TIMEOUT_S = 0.2


def reads(requests: list[SimRequest], unit: int) -> list[tuple[int, int, int]]:
    return [(r.function, r.address, r.count) for r in requests if r.unit == unit]


async def serve(banks: dict[int, RegisterBank]) -> tuple[SimModbusServer, int]:
    server = SimModbusServer(banks)
    _, port = await server.start()
    return server, port


@dataclass
class Polling:
    poller: ModbusPoller
    readings: list[Reading]


Start = Callable[[int, list[PolledDevice]], Polling]


@pytest.fixture
async def run_poller() -> AsyncIterator[Start]:
    running: list[tuple[ModbusPoller, asyncio.Task[None]]] = []

    def start(port: int, devices: list[PolledDevice]) -> Polling:
        client = ModbusTcpClient("127.0.0.1", port, timeout_s=BUS_TIMEOUT_S, name="bus-h")
        readings: list[Reading] = []
        poller = ModbusPoller("bus-h", client, devices, readings.append, clock=lambda: 1.0)
        running.append((poller, asyncio.create_task(poller.run())))
        return Polling(poller, readings)

    yield start
    for poller, task in running:
        await poller.close()
        await asyncio.wait_for(task, 2.0)


VICTRON = {"voltage": 52.5, "current": -3.2, "temperature": 21.5, "soc": 87.5}


async def test_refused_merged_read_is_split_in_the_same_poll_and_remembered(
    run_poller: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    profile = load_profile("victron_gx_battery")  # holding 259, 261, 262, 266: two gaps
    bank = RegisterBank(profile)  # refuses reads touching 260 or 263..265
    for name, value in VICTRON.items():
        bank.set(name, value)
    server, port = await serve({100: bank})
    caplog.set_level(logging.INFO, logger="drivers.modbus.poller")
    try:
        run = run_poller(port, [PolledDevice("battery", profile, 100, 0.01)])
        await eventually(lambda: len(reads(server.requests, 100)) >= 4 + 3 * 3)
    finally:
        await server.stop()

    learned = [(3, 259, 1), (3, 261, 2), (3, 266, 1)]
    seen = reads(server.requests, 100)
    assert seen[:4] == [(3, 259, 8), *learned]  # refused, then its parts at once
    assert seen[4:13] == learned * 3  # later polls go straight to the learned plan
    assert spans(list(run.poller.plan("battery"))) == [
        ("holding", 259, 1, ["voltage"]),
        ("holding", 261, 2, ["current", "temperature"]),
        ("holding", 266, 1, ["soc"]),
    ]
    first_poll = run.readings[:4]
    assert {r.point: r.value for r in first_poll} == VICTRON
    state = run.poller.states()["battery"]
    assert state.state is Health.UP
    assert state.errors[ErrorKind.EXCEPTION] == 0  # learning is not a device fault
    learned_logs = [r.getMessage() for r in caplog.records if "from now on" in r.getMessage()]
    assert learned_logs == [
        "bus bus-h: device battery refuses reading holding 259..266 at once "
        "(illegal data address); reading it as 259..259, 261..262, 266..266 from now on"
    ]


async def test_a_device_that_reads_across_gaps_keeps_its_merged_read(
    run_poller: Start,
) -> None:
    profile = load_profile("victron_gx_battery")
    bank = RegisterBank(profile, refuse_unmapped=False)
    for name, value in VICTRON.items():
        bank.set(name, value)
    server, port = await serve({100: bank})
    try:
        run = run_poller(port, [PolledDevice("battery", profile, 100, 0.01)])
        await eventually(lambda: len(reads(server.requests, 100)) >= 3)
    finally:
        await server.stop()
    assert reads(server.requests, 100)[:3] == [(3, 259, 8)] * 3
    assert {r.point: r.value for r in run.readings[:4]} == VICTRON


PROBE_WITH_TDS = """\
[device]
manufacturer = "DFRobot"
model = "SEN0601 (as a wrong profile describes it)"
protocol = "modbus"

[points.moisture]
function = "holding"
address = 0
type = "u16"
scale = 0.1
[points.temperature]
function = "holding"
address = 1
type = "s16"
scale = 0.1
[points.ec]
function = "holding"
address = 2
type = "u16"
[points.ph]
function = "holding"
address = 3
type = "u16"
scale = 0.1
[points.tds]
function = "holding"
address = 4
type = "u16"
"""


async def test_a_point_the_device_lacks_is_an_error_of_that_point_only(
    tmp_path: Path,
    run_poller: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The profile claims a register 4 the SEN0604 does not have: 0..4 has no gap.
    path = tmp_path / "probe_with_tds.toml"
    path.write_text(PROBE_WITH_TDS, encoding="utf-8")
    bank = RegisterBank(load_profile("dfrobot_sen0604"))
    for name, value in REFERENCE.items():
        bank.set(name, value)
    server, port = await serve({1: bank})
    try:
        run = run_poller(port, [PolledDevice("probe", load_profile(path), 1, 0.01)])
        await eventually(lambda: len(reads(server.requests, 1)) >= 6 + 2 * 2)
    finally:
        await server.stop()

    seen = reads(server.requests, 1)
    singles = [(3, a, 1) for a in range(5)]
    assert seen[:6] == [(3, 0, 5), *singles]  # refused, then each point alone
    assert seen[6:10] == [(3, 0, 4), (3, 4, 1)] * 2  # the good points merged again
    assert {r.point: r.value for r in run.readings[:4]} == REFERENCE
    state = run.poller.states()["probe"]
    assert state.state is Health.UP
    assert state.last_error == (
        "probe: point tds (holding 4..4): function 3: exception 0x02 (illegal data address); "
        "the device does not serve this address, check profile probe_with_tds"
    )
    refusals = [r for r in caplog.records if "point tds" in r.getMessage()]
    assert len(refusals) == 1  # reported every poll in the counters, logged once
    assert refusals[0].levelno == logging.WARNING
