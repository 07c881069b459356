"""How typed values lie in 16-bit Modbus registers: widths, byte and word order.

Modbus itself only moves 16-bit registers; everything wider, signed, floating or
textual is a vendor convention. These functions turn a register list into the
canonical big-endian byte string of the value and back, so each type is
packed with :mod:`struct` in one place.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from enum import StrEnum


class Order(StrEnum):
    BIG = "big"
    LITTLE = "little"


class RegisterType(StrEnum):
    U16 = "u16"
    S16 = "s16"
    U32 = "u32"
    S32 = "s32"
    U64 = "u64"
    S64 = "s64"
    F32 = "f32"
    F64 = "f64"
    STRING = "string"
    BIT = "bit"

    @property
    def width(self) -> int | None:
        """Registers one value occupies; None for strings, whose length is declared."""
        return _WIDTH.get(self)

    @property
    def is_numeric(self) -> bool:
        return self in _STRUCT

    @property
    def is_float(self) -> bool:
        return self in (RegisterType.F32, RegisterType.F64)

    @property
    def is_signed(self) -> bool:
        return self in (RegisterType.S16, RegisterType.S32, RegisterType.S64)

    def int_bounds(self) -> tuple[int, int]:
        """Inclusive raw bounds of an integer type (a bit is 0..1)."""
        if self is RegisterType.BIT:
            return 0, 1
        width = self.width
        if width is None or self.is_float:
            raise ValueError(f"type {self.value} has no integer bounds")
        bits = 16 * width
        if self.is_signed:
            return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        return 0, (1 << bits) - 1


_STRUCT: dict[RegisterType, str] = {
    RegisterType.U16: "H",
    RegisterType.S16: "h",
    RegisterType.U32: "I",
    RegisterType.S32: "i",
    RegisterType.U64: "Q",
    RegisterType.S64: "q",
    RegisterType.F32: "f",
    RegisterType.F64: "d",
}

_WIDTH: dict[RegisterType, int] = {
    RegisterType.U16: 1,
    RegisterType.S16: 1,
    RegisterType.U32: 2,
    RegisterType.S32: 2,
    RegisterType.U64: 4,
    RegisterType.S64: 4,
    RegisterType.F32: 2,
    RegisterType.F64: 4,
    RegisterType.BIT: 1,
}


def registers_to_bytes(registers: Sequence[int], byte_order: Order, word_order: Order) -> bytes:
    """The value's bytes most significant first, whatever order the device used."""
    words = list(registers) if word_order is Order.BIG else list(reversed(registers))
    return b"".join(_check_register(w).to_bytes(2, byte_order.value) for w in words)


def bytes_to_registers(data: bytes, byte_order: Order, word_order: Order) -> list[int]:
    """Inverse of :func:`registers_to_bytes`; ``data`` must have an even length."""
    if len(data) % 2:
        raise ValueError(f"expected an even number of bytes, found {len(data)}")
    words = [int.from_bytes(data[i : i + 2], byte_order.value) for i in range(0, len(data), 2)]
    return words if word_order is Order.BIG else list(reversed(words))


def unpack_number(
    registers: Sequence[int], rtype: RegisterType, byte_order: Order, word_order: Order
) -> int | float:
    fmt = _struct_format(rtype)
    _check_count(registers, rtype)
    value: int | float = struct.unpack(
        ">" + fmt, registers_to_bytes(registers, byte_order, word_order)
    )[0]
    return value


def pack_number(
    value: int | float, rtype: RegisterType, byte_order: Order, word_order: Order
) -> list[int]:
    """Registers holding ``value``; raises ValueError if the type cannot hold it."""
    fmt = _struct_format(rtype)
    if not rtype.is_float:
        if not isinstance(value, int):
            raise ValueError(f"type {rtype.value} holds integers, found {value!r}")
        low, high = rtype.int_bounds()
        if not low <= value <= high:
            raise ValueError(f"type {rtype.value} holds {low}..{high}, found {value}")
    try:
        data = struct.pack(">" + fmt, value)
    except (struct.error, OverflowError) as exc:
        raise ValueError(f"type {rtype.value} cannot hold {value!r}: {exc}") from exc
    return bytes_to_registers(data, byte_order, word_order)


def unsigned_pattern(registers: Sequence[int], byte_order: Order, word_order: Order) -> int:
    """The registers' bits read as one unsigned integer (how sentinels are written)."""
    return int.from_bytes(registers_to_bytes(registers, byte_order, word_order), "big")


def unpack_string(registers: Sequence[int], byte_order: Order) -> str:
    """Text from registers in address order; trailing NULs and spaces are padding."""
    data = registers_to_bytes(registers, byte_order, Order.BIG)
    return data.rstrip(b"\x00 ").decode("utf-8", errors="replace")


def pack_string(text: str, length: int, byte_order: Order) -> list[int]:
    data = text.encode("utf-8")
    if len(data) > 2 * length:
        raise ValueError(f"text of {len(data)} bytes does not fit in {length} registers")
    return bytes_to_registers(data.ljust(2 * length, b"\x00"), byte_order, Order.BIG)


def _struct_format(rtype: RegisterType) -> str:
    fmt = _STRUCT.get(rtype)
    if fmt is None:
        raise ValueError(f"type {rtype.value} is not a number")
    return fmt


def _check_count(registers: Sequence[int], rtype: RegisterType) -> None:
    if len(registers) != rtype.width:
        raise ValueError(
            f"type {rtype.value} needs {rtype.width} registers, found {len(registers)}"
        )


def _check_register(word: int) -> int:
    if not 0 <= word <= 0xFFFF:
        raise ValueError(f"register values are 0..65535, found {word}")
    return word
