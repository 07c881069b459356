"""The rules between the fields of one point, checked whenever a Point is made."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

from drivers.modbus.registers import (
    RegisterType,
)

if TYPE_CHECKING:
    from drivers.profile.model import Point

MAX_ADDRESS_SPACE = 0x10000
MAX_READ_REGISTERS = 125


def point_problems(p: Point) -> list[tuple[str, str]]:
    """Rules between fields of one point, as (key, message) pairs."""
    out: list[tuple[str, str]] = []
    if not 0 <= p.address < MAX_ADDRESS_SPACE:
        out.append(("address", f"expected 0..65535, found {p.address}"))
    if p.function.is_bits and p.data_type is not RegisterType.BIT:
        out.append(("type", f"expected bit for function {p.function}, found {p.data_type}"))
    if p.data_type is RegisterType.BIT:
        out.extend(_bit_problems(p))
    elif p.bit is not None:
        out.append(("bit", f"only for type bit, found type {p.data_type}"))
    if p.data_type is RegisterType.STRING:
        if p.length is None:
            out.append(("length", "required for type string (number of registers)"))
        elif not 1 <= p.length <= MAX_READ_REGISTERS:
            out.append(("length", f"expected 1..{MAX_READ_REGISTERS} registers, found {p.length}"))
    elif p.length is not None:
        out.append(("length", f"only for type string, found type {p.data_type}"))
    if 0 <= p.address < MAX_ADDRESS_SPACE and p.end > MAX_ADDRESS_SPACE:
        out.append(
            (
                "address",
                f"{p.register_count} registers from {p.address:#06x} run past 0xFFFF",
            )
        )
    if p.data_type.is_numeric:
        out.extend(_numeric_problems(p))
    else:
        for key, present in (
            ("scale", p.scale != 1.0),
            ("offset", p.offset != 0.0),
            ("range", p.valid_range is not None),
            ("invalid", bool(p.invalid)),
            ("absent", bool(p.absent)),
        ):
            if present:
                out.append((key, f"only for numeric types, found type {p.data_type}"))
    out.extend(_write_problems(p))
    return out


def _bit_problems(p: Point) -> list[tuple[str, str]]:
    if p.function.is_bits:
        if p.bit is not None:
            return [("bit", f"not used with function {p.function}: the address is the bit")]
        return []
    if p.bit is None:
        return [("bit", f"required for type bit in {p.function} registers (0..15)")]
    if not 0 <= p.bit <= 15:
        return [("bit", f"expected 0..15, found {p.bit}")]
    return []


def _numeric_problems(p: Point) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if p.scale == 0 or not math.isfinite(p.scale):
        out.append(("scale", f"expected a finite non-zero number, found {p.scale}"))
    if not math.isfinite(p.offset):
        out.append(("offset", f"expected a finite number, found {p.offset}"))
    if p.valid_range is not None and p.valid_range[0] > p.valid_range[1]:
        low, high = p.valid_range
        out.append(("range", f"expected low <= high, found [{low}, {high}]"))
    bits = 16 * (p.data_type.width or 1)
    for key, sentinels in (("invalid", p.invalid), ("absent", p.absent)):
        for sentinel in sentinels:
            if p.data_type.is_float:
                continue
            if not isinstance(sentinel, int):
                out.append((key, f"expected integers for type {p.data_type}, found {sentinel}"))
            elif not -(1 << (bits - 1)) <= sentinel < (1 << bits):
                out.append((key, f"{sentinel} does not fit in {bits} bits"))
    return out


def _write_problems(p: Point) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if p.writable and not p.function.is_writable_table:
        out.append(("writable", f"{p.function} is read-only in Modbus"))
    needs_limits = p.writable and p.data_type.is_numeric
    for key, value in (("min", p.write_min), ("max", p.write_max)):
        if needs_limits and value is None:
            out.append((key, "required when writable = true"))
        elif not needs_limits and value is not None:
            out.append((key, "only for writable numeric points"))
    if (
        needs_limits
        and p.write_min is not None
        and p.write_max is not None
        and p.write_min > p.write_max
    ):
        out.append(("min", f"expected min <= max, found {p.write_min} > {p.write_max}"))
    return out


def decimal_places(value: float) -> int:
    exponent = Decimal(repr(value)).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
