"""Golden register layouts for every type in all four byte/word orders.

The expected registers are written out by hand (IEEE 754 bit patterns for the
floats), not computed with struct, so the codec is checked against the layouts
devices actually send.
"""

from __future__ import annotations

import math

import pytest

from drivers.modbus.registers import (
    Order,
    RegisterType,
    pack_number,
    pack_string,
    unpack_number,
    unpack_string,
    unsigned_pattern,
)

B, L = Order.BIG, Order.LITTLE

# (type, value, {(byte_order, word_order): registers})
GOLDEN: list[tuple[RegisterType, int | float, dict[tuple[Order, Order], list[int]]]] = [
    (RegisterType.U16, 0x1234, {(B, B): [0x1234], (L, B): [0x3412]}),
    (RegisterType.S16, -2, {(B, B): [0xFFFE], (L, B): [0xFEFF]}),
    (
        RegisterType.U32,
        0x12345678,
        {
            (B, B): [0x1234, 0x5678],
            (L, B): [0x3412, 0x7856],
            (B, L): [0x5678, 0x1234],
            (L, L): [0x7856, 0x3412],
        },
    ),
    (
        RegisterType.S32,
        -2,
        {
            (B, B): [0xFFFF, 0xFFFE],
            (L, B): [0xFFFF, 0xFEFF],
            (B, L): [0xFFFE, 0xFFFF],
            (L, L): [0xFEFF, 0xFFFF],
        },
    ),
    (
        RegisterType.U64,
        0x0102030405060708,
        {
            (B, B): [0x0102, 0x0304, 0x0506, 0x0708],
            (L, B): [0x0201, 0x0403, 0x0605, 0x0807],
            (B, L): [0x0708, 0x0506, 0x0304, 0x0102],
            (L, L): [0x0807, 0x0605, 0x0403, 0x0201],
        },
    ),
    (
        RegisterType.S64,
        -0x0102030405060709,  # two's complement: FEFD FCFB FAF9 F8F7
        {
            (B, B): [0xFEFD, 0xFCFB, 0xFAF9, 0xF8F7],
            (L, B): [0xFDFE, 0xFBFC, 0xF9FA, 0xF7F8],
            (B, L): [0xF8F7, 0xFAF9, 0xFCFB, 0xFEFD],
            (L, L): [0xF7F8, 0xF9FA, 0xFBFC, 0xFDFE],
        },
    ),
    (
        RegisterType.F32,
        1.5,  # 0x3FC00000
        {
            (B, B): [0x3FC0, 0x0000],
            (L, B): [0xC03F, 0x0000],
            (B, L): [0x0000, 0x3FC0],
            (L, L): [0x0000, 0xC03F],
        },
    ),
    (
        RegisterType.F32,
        -118.625,  # 0xC2ED4000
        {
            (B, B): [0xC2ED, 0x4000],
            (L, B): [0xEDC2, 0x0040],
            (B, L): [0x4000, 0xC2ED],
            (L, L): [0x0040, 0xEDC2],
        },
    ),
    (
        RegisterType.F64,
        1.5,  # 0x3FF8000000000000
        {
            (B, B): [0x3FF8, 0, 0, 0],
            (L, B): [0xF83F, 0, 0, 0],
            (B, L): [0, 0, 0, 0x3FF8],
            (L, L): [0, 0, 0, 0xF83F],
        },
    ),
]

CASES = [
    pytest.param(rtype, value, order, regs, id=f"{rtype}-{value}-{order[0]}-{order[1]}")
    for rtype, value, layouts in GOLDEN
    for order, regs in layouts.items()
]


@pytest.mark.parametrize(("rtype", "value", "order", "registers"), CASES)
def test_pack_matches_golden(
    rtype: RegisterType, value: float, order: tuple[Order, Order], registers: list[int]
) -> None:
    assert pack_number(value, rtype, *order) == registers


@pytest.mark.parametrize(("rtype", "value", "order", "registers"), CASES)
def test_unpack_matches_golden(
    rtype: RegisterType, value: float, order: tuple[Order, Order], registers: list[int]
) -> None:
    assert unpack_number(registers, rtype, *order) == value


def test_strings_keep_address_order_and_swap_bytes_only_when_asked() -> None:
    assert pack_string("SEN0604", 4, B) == [0x5345, 0x4E30, 0x3630, 0x3400]
    assert pack_string("AB", 1, L) == [0x4241]
    assert unpack_string([0x5345, 0x4E30, 0x3630, 0x3400], B) == "SEN0604"
    assert unpack_string([0x4241, 0x2020], L) == "AB"


def test_string_too_long_for_its_registers_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit in 1 registers"):
        pack_string("ABC", 1, B)


def test_unsigned_pattern_reads_the_raw_bits() -> None:
    assert unsigned_pattern([0xD8F1], B, B) == 0xD8F1
    assert unsigned_pattern([0xFFFF, 0xD8F1], B, B) == 0xFFFFD8F1
    assert unsigned_pattern([0xD8F1, 0xFFFF], B, L) == 0xFFFFD8F1


@pytest.mark.parametrize(
    ("rtype", "value"),
    [
        (RegisterType.U16, 65536),
        (RegisterType.U16, -1),
        (RegisterType.S16, 32768),
        (RegisterType.S32, -(2**31) - 1),
        (RegisterType.U64, 2**64),
    ],
)
def test_values_the_type_cannot_hold_are_refused(rtype: RegisterType, value: int) -> None:
    with pytest.raises(ValueError, match=f"type {rtype.value} holds"):
        pack_number(value, rtype, B, B)


def test_float_infinity_packs_and_unpacks() -> None:
    assert math.isinf(
        unpack_number(pack_number(math.inf, RegisterType.F32, B, B), RegisterType.F32, B, B)
    )


def test_wrong_register_count_is_refused() -> None:
    with pytest.raises(ValueError, match="needs 2 registers, found 1"):
        unpack_number([1], RegisterType.U32, B, B)


def test_register_values_out_of_16_bits_are_refused() -> None:
    with pytest.raises(ValueError, match=r"register values are 0\.\.65535, found 70000"):
        unpack_number([70000], RegisterType.U16, B, B)
