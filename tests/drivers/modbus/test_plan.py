"""Read planning: which requests cover which points."""

from __future__ import annotations

import pytest

from drivers.modbus.plan import Boundary, ReadBlock, plan_reads
from drivers.modbus.registers import RegisterType
from drivers.profile import Function, Point, load_profile

H, IN, C, D = Function.HOLDING, Function.INPUT, Function.COIL, Function.DISCRETE_INPUT


def pt(name: str, function: Function, address: int, data_type: str = "u16", **extra: int) -> Point:
    rtype = RegisterType(data_type)
    return Point(name=name, function=function, address=address, data_type=rtype, **extra)  # type: ignore[arg-type]


def spans(blocks: list[ReadBlock]) -> list[tuple[str, int, int, list[str]]]:
    return [(b.function.value, b.address, b.count, [p.name for p in b.points]) for b in blocks]


@pytest.mark.parametrize(
    ("points", "max_gap", "expected"),
    [
        pytest.param([], 8, [], id="nothing"),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 2), pt("d", H, 3)],
            8,
            [("holding", 0, 4, ["a", "b", "c", "d"])],
            id="adjacent",
        ),
        pytest.param(
            [pt("b", H, 9), pt("a", H, 0)],
            8,
            [("holding", 0, 10, ["a", "b"])],
            id="unsorted-input",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 9)],
            8,
            [("holding", 0, 10, ["a", "b"])],
            id="gap-of-8-merged",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 10)],
            8,
            [("holding", 0, 1, ["a"]), ("holding", 10, 1, ["b"])],
            id="gap-of-9-split",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 2)],
            0,
            [("holding", 0, 1, ["a"]), ("holding", 2, 1, ["b"])],
            id="max-gap-0-reads-only-mapped-registers",
        ),
        pytest.param(
            [pt("a", H, 0, "u32"), pt("b", H, 2, "f64"), pt("c", H, 6)],
            0,
            [("holding", 0, 7, ["a", "b", "c"])],
            id="wide-types-adjacent",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", IN, 1), pt("c", H, 2), pt("d", IN, 0)],
            8,
            [("holding", 0, 3, ["a", "c"]), ("input", 0, 2, ["d", "b"])],
            id="tables-never-mix",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 122, "u32"), pt("c", H, 124, "u32")],
            200,
            [("holding", 0, 124, ["a", "b"]), ("holding", 124, 2, ["c"])],
            id="never-above-125-registers",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 124)],
            200,
            [("holding", 0, 125, ["a", "b"])],
            id="exactly-125",
        ),
        pytest.param(
            [pt("x", H, 4, "bit", bit=0), pt("y", H, 4, "bit", bit=7), pt("z", H, 5)],
            0,
            [("holding", 4, 2, ["x", "y", "z"])],
            id="bit-fields-share-their-register",
        ),
        pytest.param(
            [pt("a", C, 0, "bit"), pt("b", C, 1999, "bit"), pt("c", C, 2000, "bit")],
            5000,
            [("coil", 0, 2000, ["a", "b"]), ("coil", 2000, 1, ["c"])],
            id="coils-up-to-2000-bits",
        ),
        pytest.param(
            [pt("a", D, 3, "bit"), pt("b", D, 5, "bit")],
            8,
            [("discrete_input", 3, 3, ["a", "b"])],
            id="discrete-inputs",
        ),
    ],
)
def test_plan_table(
    points: list[Point], max_gap: int, expected: list[tuple[str, int, int, list[str]]]
) -> None:
    assert spans(plan_reads(points, max_gap=max_gap)) == expected


def test_every_point_is_covered_once_by_a_block_of_its_table() -> None:
    for name in ("dfrobot_sen0604", "lambrecht_meteo_pro", "victron_gx_battery"):
        profile = load_profile(name)
        blocks = plan_reads(profile.points)
        covered = [p.name for b in blocks for p in b.points]
        assert sorted(covered) == sorted(p.name for p in profile.points)
        for block in blocks:
            for point in block.points:
                assert point.function is block.function
                assert block.address <= point.address
                assert point.end <= block.end


def test_shipped_profiles_plan_as_expected() -> None:
    assert spans(plan_reads(load_profile("dfrobot_sen0604").points)) == [
        ("holding", 0, 4, ["moisture", "temperature", "ec", "ph"])
    ]
    # Lambrecht registers are 200 apart: one request each, precipitation's two words together.
    lambrecht = plan_reads(load_profile("lambrecht_meteo_pro").points)
    assert [(b.address, b.count) for b in lambrecht] == [
        (0, 1),
        (200, 1),
        (400, 1),
        (600, 1),
        (800, 1),
        (1100, 2),
        (1400, 1),
    ]
    assert spans(plan_reads(load_profile("victron_gx_battery").points)) == [
        ("holding", 259, 8, ["voltage", "current", "temperature", "soc"])
    ]


def test_slice_for_gives_each_point_its_registers() -> None:
    a, b = pt("a", H, 10, "u32"), pt("b", H, 14)
    (block,) = plan_reads([a, b])
    values = [1, 2, 3, 4, 5]
    assert block.slice_for(a, values) == [1, 2]
    assert block.slice_for(b, values) == [5]


def test_negative_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="max_gap: expected >= 0, found -1"):
        plan_reads([], max_gap=-1)


def cut(function: Function, *addresses: int) -> list[Boundary]:
    return [Boundary(function, a) for a in addresses]


@pytest.mark.parametrize(
    ("points", "boundaries", "expected"),
    [
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 5)],
            [],
            [("holding", 0, 6, ["a", "b", "c"])],
            id="no-boundaries-as-before",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 5)],
            cut(H, 5),
            [("holding", 0, 2, ["a", "b"]), ("holding", 5, 1, ["c"])],
            id="cut-at-the-point-after-a-gap",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 5)],
            cut(H, 3),
            [("holding", 0, 2, ["a", "b"]), ("holding", 5, 1, ["c"])],
            id="cut-inside-the-gap",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 2)],
            cut(H, 1, 2),
            [("holding", 0, 1, ["a"]), ("holding", 1, 1, ["b"]), ("holding", 2, 1, ["c"])],
            id="cuts-between-adjacent-points",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 1), pt("c", H, 2), pt("d", H, 3)],
            cut(H, 2, 3),
            [("holding", 0, 2, ["a", "b"]), ("holding", 2, 1, ["c"]), ("holding", 3, 1, ["d"])],
            id="one-point-cut-out-the-rest-merged",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 5), pt("c", IN, 0), pt("d", IN, 5)],
            cut(IN, 5),
            [("holding", 0, 6, ["a", "b"]), ("input", 0, 1, ["c"]), ("input", 5, 1, ["d"])],
            id="a-boundary-applies-to-its-own-table-only",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 4)],
            cut(H, 0, 4 + 1, 100),
            [("holding", 0, 5, ["a", "b"])],
            id="boundaries-outside-the-span-change-nothing",
        ),
        pytest.param(
            [pt("x", H, 4, "bit", bit=0), pt("y", H, 4, "bit", bit=7), pt("z", H, 5)],
            cut(H, 4, 5),
            [("holding", 4, 1, ["x", "y"]), ("holding", 5, 1, ["z"])],
            id="bit-fields-of-one-register-stay-together",
        ),
        pytest.param(
            [pt("a", H, 0, "u32"), pt("b", H, 3)],
            cut(H, 1),
            [("holding", 0, 2, ["a"]), ("holding", 3, 1, ["b"])],
            id="a-boundary-never-cuts-a-point",
        ),
        pytest.param(
            [pt("a", H, 0), pt("b", H, 2), pt("c", H, 124)],
            cut(H, 2),
            [("holding", 0, 1, ["a"]), ("holding", 2, 123, ["b", "c"])],
            id="after-a-cut-the-next-block-grows-to-the-size-limit",
        ),
    ],
)
def test_plan_with_boundaries(
    points: list[Point], boundaries: list[Boundary], expected: list[tuple[str, int, int, list[str]]]
) -> None:
    assert spans(plan_reads(points, max_gap=200, boundaries=boundaries)) == expected


def test_block_knows_its_gaps_and_point_starts() -> None:
    block = ReadBlock(
        H,
        0,
        12,
        (
            pt("a", H, 0, "u32"),
            pt("x", H, 2, "bit", bit=1),
            pt("y", H, 2, "bit", bit=9),
            pt("b", H, 6),
            pt("c", H, 7),
            pt("d", H, 11),
        ),
    )
    assert block.gap_ends() == [6, 11]
    assert block.group_starts() == [0, 2, 6, 7, 11]
    assert block.span == "holding 0..11"
