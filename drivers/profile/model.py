"""The typed profile: a device model's points and how their registers decode."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from drivers.lines.ascii_format import (
    AsciiFormat,
    AsciiPoint,
)
from drivers.modbus.registers import (
    Order,
    RegisterType,
    pack_number,
    pack_string,
    unpack_number,
    unpack_string,
    unsigned_pattern,
)
from drivers.nmea.points import NmeaPoint
from drivers.profile.point_rules import (
    decimal_places,
    point_problems,
)
from drivers.reading import Quality, Value

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

"""A string longer than one read can fetch could never be read whole."""

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Protocol(StrEnum):
    MODBUS = "modbus"
    NMEA = "nmea"
    ASCII = "ascii"


class Function(StrEnum):
    """The four Modbus data tables."""

    COIL = "coil"
    DISCRETE_INPUT = "discrete_input"
    HOLDING = "holding"
    INPUT = "input"

    @property
    def read_code(self) -> int:
        return _READ_CODES[self]

    @property
    def is_bits(self) -> bool:
        return self in (Function.COIL, Function.DISCRETE_INPUT)

    @property
    def is_writable_table(self) -> bool:
        return self in (Function.COIL, Function.HOLDING)


_READ_CODES = {Function.COIL: 1, Function.DISCRETE_INPUT: 2, Function.HOLDING: 3, Function.INPUT: 4}


class ProfileError(Exception):
    """A profile cannot be used; ``problems`` lists every reason, each naming its key."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


class PointError(ValueError):
    """Inconsistent point fields; ``problems`` pairs each key with what is wrong."""

    def __init__(self, name: str, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"points.{name}.{key}: {msg}" for key, msg in self.problems))


@dataclass(frozen=True, slots=True)
class Point:
    """One named value of a device: where it lives and how its registers read.

    Field names follow the TOML keys, except ``data_type`` (``type``),
    ``valid_range`` (``range``) and ``write_min``/``write_max`` (``min``/``max``).
    """

    name: str
    function: Function
    address: int
    data_type: RegisterType
    bit: int | None = None
    length: int | None = None
    byte_order: Order = Order.BIG
    word_order: Order = Order.BIG
    scale: float = 1.0
    offset: float = 0.0
    unit: str = ""
    valid_range: tuple[float, float] | None = None
    invalid: tuple[int | float, ...] = ()
    absent: tuple[int | float, ...] = ()
    """Raw values meaning "this unit does not have the point" (a pack with fewer
    cells than the map has room for): the poller emits nothing for it, so a
    permanent "invalid" does not become a permanent alert."""
    writable: bool = False
    write_min: float | None = None
    write_max: float | None = None
    description: str = ""
    _decimals: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = point_problems(self)
        if problems:
            raise PointError(self.name, problems)
        # Integer raws scaled by a decimal factor are rounded to that factor's
        # decimals, so 658 x 0.1 reads 65.8 rather than 65.80000000000001.
        object.__setattr__(
            self, "_decimals", max(decimal_places(self.scale), decimal_places(self.offset))
        )

    @property
    def register_count(self) -> int:
        """Width in registers (in bits for coils and discrete inputs: always 1)."""
        if self.data_type is RegisterType.STRING:
            return self.length or 0
        return self.data_type.width or 1

    @property
    def is_register_bit(self) -> bool:
        """One bit of a holding or input register, which other points may share."""
        return self.data_type is RegisterType.BIT and not self.function.is_bits

    @property
    def end(self) -> int:
        """One past the last address the point occupies."""
        return self.address + self.register_count

    def is_absent(self, registers: Sequence[int]) -> bool:
        """True when ``registers`` hold one of the point's ``absent`` sentinels."""
        if not self.absent or len(registers) != self.register_count:
            return False
        if not self.data_type.is_numeric:
            return False
        raw = unpack_number(registers, self.data_type, self.byte_order, self.word_order)
        pattern = unsigned_pattern(registers, self.byte_order, self.word_order)
        return any(raw == s or pattern == s for s in self.absent)

    def decode(self, registers: Sequence[int]) -> tuple[Value, Quality]:
        """The point's value from its own registers (or its one bit, for bit tables)."""
        if len(registers) != self.register_count:
            raise ValueError(
                f"point {self.name}: expected {self.register_count} registers, "
                f"found {len(registers)}"
            )
        if self.data_type is RegisterType.BIT:
            word = int(registers[0])
            bit = 0 if self.bit is None else self.bit
            return float((word >> bit) & 1), Quality.GOOD
        if self.data_type is RegisterType.STRING:
            return unpack_string(registers, self.byte_order), Quality.GOOD
        raw = unpack_number(registers, self.data_type, self.byte_order, self.word_order)
        if self.invalid:
            pattern = unsigned_pattern(registers, self.byte_order, self.word_order)
            if any(raw == s or pattern == s for s in self.invalid):
                return None, Quality.INVALID
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, Quality.INVALID
        value = raw * self.scale + self.offset
        if not self.data_type.is_float:
            value = round(value, self._decimals)
        if self.valid_range is not None and not (
            self.valid_range[0] <= value <= self.valid_range[1]
        ):
            return value, Quality.OUT_OF_RANGE
        return value, Quality.GOOD

    def encode(self, value: float | str) -> list[int]:
        """Registers that decode to ``value``; ValueError if the type cannot hold it.

        A bit field of a register encodes as that register with only its bit set
        or clear: whoever shares the register must merge the bits.
        """
        if self.data_type is RegisterType.STRING:
            try:
                return pack_string(str(value), self.register_count, self.byte_order)
            except ValueError as exc:
                raise ValueError(f"point {self.name}: {exc}") from None
        if isinstance(value, str):
            raise ValueError(f"point {self.name}: expected a number, found {value!r}")
        if self.data_type is RegisterType.BIT:
            on = bool(value)
            return [(1 << (self.bit or 0)) if on else 0]
        raw: int | float = (value - self.offset) / self.scale
        if not self.data_type.is_float:
            if not math.isfinite(raw):
                raise ValueError(f"point {self.name}: cannot encode {value!r}")
            raw = round(raw)
        try:
            return pack_number(raw, self.data_type, self.byte_order, self.word_order)
        except ValueError as exc:
            raise ValueError(f"point {self.name}: value {value!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class DeviceDefaults:
    """Factory settings, for documentation and as hints for configuration."""

    unit: int | None = None
    baudrate: int | None = None
    parity: str | None = None
    stopbits: int | None = None
    port: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    path: Path
    manufacturer: str
    model: str
    protocol: Protocol
    description: str
    points: tuple[Point, ...]
    """Register points (``modbus`` profiles only)."""
    defaults: DeviceDefaults = DeviceDefaults()
    nmea_points: tuple[NmeaPoint, ...] = ()
    """Fix values read as points (``nmea`` profiles)."""
    ascii: AsciiFormat | None = None
    """How lines are split into fields (``ascii`` profiles)."""
    ascii_points: tuple[AsciiPoint, ...] = ()

    def point(self, name: str) -> Point:
        for p in self.points:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.points) or "none"
        raise KeyError(f"profile {self.name}: no point {name!r} (points: {known})")
