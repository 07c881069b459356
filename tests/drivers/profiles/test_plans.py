"""How many requests each shipped profile costs a bus, and which registers they read.

On a 9600-baud line a request costs ~23 ms before the device's own latency,
so a change of profile or planner that adds requests is a change of how many
devices a bus can carry; this table makes such a change visible.
"""

from __future__ import annotations

import pytest

from drivers.modbus import pdu
from drivers.modbus.plan import DEFAULT_MAX_GAP, plan_reads
from drivers.profile import Point, Profile, available_profiles, load_profile

Span = tuple[str, int, int]  # table, first address, register count

EXPECTED: dict[str, list[Span]] = {
    "adtek_wsa": [("holding", 0x0000, 4)],
    "dfrobot_sen0601": [("holding", 0x0000, 5)],
    "dfrobot_sen0604": [("holding", 0x0000, 4)],
    # measures; N/P/K with the coefficients two registers on; calibration offsets
    "dfrobot_sen0605": [("holding", 0x0000, 4), ("holding", 0x001E, 7), ("holding", 0x0050, 4)],
    # pH is 11 registers before moisture (too far); 0x0015 -> 0x001E is a gap of 8 (merged)
    "jxct_soil_7in1": [("holding", 0x0006, 1), ("holding", 0x0012, 15)],
    "kakashi_cart_controller": [("coil", 0x0000, 1), ("holding", 0x0100, 2), ("input", 0x0000, 13)],
    "kakashi_drone_battery": [("input", 0x0000, 28)],
    "kakashi_soil_node": [("coil", 0x0000, 1), ("holding", 0x0100, 2), ("input", 0x0000, 6)],
    # points 200 registers apart are separate requests whatever the gap allowed
    "lambrecht_meteo_pro": [
        ("input", 0, 1),
        ("input", 200, 1),
        ("input", 400, 1),
        ("input", 600, 1),
        ("input", 800, 1),
        ("input", 1100, 2),
        ("input", 1400, 1),
    ],
    "renke_rs_fx_n01": [("holding", 0x0000, 2)],
    "seeed_sensecap_mtec02": [("holding", 0x0000, 6), ("holding", 0x0020, 1)],
    "seeed_sensecap_one": [("input", 0x0000, 20)],
    "seeed_sensecap_orch_s4": [("holding", 0x0000, 7)],
    "victron_gx_battery": [("holding", 259, 8)],
    "victron_gx_system": [("holding", 840, 5)],
    "xunchip_xm8589": [("holding", 0x0000, 1)],
}


def spans(points: tuple[Point, ...] | list[Point], max_gap: int = DEFAULT_MAX_GAP) -> list[Span]:
    return [(b.function.value, b.address, b.count) for b in plan_reads(points, max_gap=max_gap)]


def modbus_profile_names() -> list[str]:
    return sorted(n for n in available_profiles() if load_profile(n).points)


def test_every_modbus_profile_has_an_expectation() -> None:
    assert sorted(EXPECTED) == modbus_profile_names()


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_default_plan(name: str, expected: list[Span]) -> None:
    assert spans(load_profile(name).points) == expected


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_planned_request_is_a_valid_pdu_covering_each_point_once(name: str) -> None:
    profile: Profile = load_profile(name)
    blocks = plan_reads(profile.points)
    carried = [p.name for b in blocks for p in b.points]
    assert sorted(carried) == sorted(p.name for p in profile.points)
    for block in blocks:
        pdu.read_request(block.function.read_code, block.address, block.count)  # raises if not
        assert all(block.address <= p.address and p.end <= block.end for p in block.points)


def test_sen0605_measurements_and_npk_take_two_requests() -> None:
    measured = [p for p in load_profile("dfrobot_sen0605").points if not p.writable]
    assert spans(measured) == [("holding", 0x0000, 4), ("holding", 0x001E, 3)]


def test_jxct_with_no_gap_reads_only_mapped_registers() -> None:
    # For clones that refuse reads touching unmapped registers.
    assert spans(load_profile("jxct_soil_7in1").points, max_gap=0) == [
        ("holding", 0x0006, 1),
        ("holding", 0x0012, 2),
        ("holding", 0x0015, 1),
        ("holding", 0x001E, 3),
    ]


def test_lambrecht_stays_seven_requests_even_with_a_huge_gap() -> None:
    # 125 registers is the most one read may ask for.
    assert len(spans(load_profile("lambrecht_meteo_pro").points, max_gap=1000)) == 7


def test_cart_bit_fields_share_their_registers_in_one_read() -> None:
    (block,) = [
        b
        for b in plan_reads(load_profile("kakashi_cart_controller").points)
        if b.function.value == "input"
    ]
    at_0x0a = [p.name for p in block.points if p.address == 0x000A]
    assert len(at_0x0a) == 5
