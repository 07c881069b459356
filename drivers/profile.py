"""Device profiles: one TOML file per device model, describing its points as data.

A profile is the only thing the service and the simulator share, so adding a
device means writing a file, not code. Everything is checked at load time and
every problem of a file is reported at once, each naming the file, the key path,
what was expected and what was found. The schema is documented in docs/profiles.md.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from drivers.lines.ascii_format import (
    DEFAULT_DELIMITER,
    DEFAULT_MAX_LENGTH,
    AsciiFormat,
    AsciiKind,
    AsciiPoint,
    ValueType,
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
from drivers.nmea.fix import FixField
from drivers.nmea.points import NmeaPoint
from drivers.reading import Quality, Value

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

MAX_ADDRESS_SPACE = 0x10000
MAX_READ_REGISTERS = 125
"""A string longer than one read can fetch could never be read whole."""

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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
    writable: bool = False
    write_min: float | None = None
    write_max: float | None = None
    description: str = ""
    _decimals: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = _point_problems(self)
        if problems:
            raise PointError(self.name, problems)
        # Integer raws scaled by a decimal factor are rounded to that factor's
        # decimals, so 658 x 0.1 reads 65.8 rather than 65.80000000000001.
        object.__setattr__(self, "_decimals", max(_decimals(self.scale), _decimals(self.offset)))

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


def available_profiles(extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Profile name (file stem) to file; later directories override earlier ones."""
    found: dict[str, Path] = {}
    for directory in (PROFILE_DIR, *extra_dirs):
        if not directory.is_dir():
            raise ProfileError(_display(directory), ["profile directory does not exist"])
        for path in sorted(directory.glob("*.toml")):
            found[path.stem] = path
    return found


def load_profile(name_or_path: str | Path, extra_dirs: Sequence[Path] = ()) -> Profile:
    """Load and check a profile given by name (see :func:`available_profiles`) or path."""
    if isinstance(name_or_path, Path) or "/" in name_or_path or name_or_path.endswith(".toml"):
        return _load_file(Path(name_or_path))
    known = available_profiles(extra_dirs)
    path = known.get(name_or_path)
    if path is None:
        names = ", ".join(sorted(known)) or "none"
        raise ProfileError(
            f"profile {name_or_path!r}",
            [f"no such profile; available: {names}"],
        )
    return _load_file(path)


def _load_file(path: Path) -> Profile:
    shown = _display(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ProfileError(shown, ["file not found"]) from None
    except OSError as exc:
        raise ProfileError(shown, [f"cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ProfileError(shown, [f"not UTF-8 text (byte {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(shown, [f"TOML syntax error: {exc}"]) from None
    problems: list[str] = []
    profile = _parse(path, data, problems)
    if problems or profile is None:
        raise ProfileError(shown, problems)
    return profile


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---- parsing: TOML table -> typed fields, collecting every problem ----

_TOP_KEYS = {"device", "points", "ascii"}
_DEVICE_KEYS = {"manufacturer", "model", "protocol", "description", "defaults"}
_DEFAULTS_KEYS = {"unit", "baudrate", "parity", "stopbits", "port"}
_POINT_KEYS = {
    "function",
    "address",
    "type",
    "bit",
    "length",
    "byte_order",
    "word_order",
    "scale",
    "offset",
    "unit",
    "range",
    "invalid",
    "writable",
    "min",
    "max",
    "description",
}

_NMEA_POINT_KEYS = {"source", "unit", "description"}
_ASCII_KEYS = {
    "format",
    "delimiter",
    "max_length",
    "regex",
    "separator",
    "pair_separator",
    "key_separator",
}
_ASCII_FORMAT_KEYS = {
    AsciiKind.REGEX: {"regex"},
    AsciiKind.DELIMITED: {"separator"},
    AsciiKind.KEY_VALUE: {"pair_separator", "key_separator"},
}
_ASCII_POINT_KEYS = {
    "field",
    "type",
    "scale",
    "offset",
    "unit",
    "range",
    "invalid",
    "description",
}
MAX_DELIMITER = 8
MAX_LINE_LENGTH = 65536

E = TypeVar("E", bound=StrEnum)
_MISSING = object()


class _Table:
    """A TOML table with its key path, recording problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], prefix: str, problems: list[str]) -> None:
        self.data = data
        self.prefix = prefix
        self.problems = problems

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def problem(self, name: str, message: str) -> None:
        self.problems.append(f"{self.key(name)}: {message}")

    def check_keys(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.problem(name, f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.data:
            if required:
                self.problems.append(f"{self.key(name)}: required key is missing")
            return _MISSING
        return self.data[name]

    def _typed(self, name: str, required: bool, want: str, ok: Callable[[Any], bool]) -> Any:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not ok(value):
            self.problem(name, f"expected {want}, found {_describe(value)}")
            return None
        return value

    def string(self, name: str, required: bool = False) -> str | None:
        value: str | None = self._typed(name, required, "a string", lambda v: isinstance(v, str))
        return value

    def integer(self, name: str, required: bool = False) -> int | None:
        value: int | None = self._typed(name, required, "an integer", _is_int)
        return value

    def number(self, name: str, required: bool = False) -> float | None:
        value = self._typed(name, required, "a number", _is_number)
        return None if value is None else float(value)

    def boolean(self, name: str, required: bool = False) -> bool | None:
        value: bool | None = self._typed(name, required, "true or false", _is_bool)
        return value

    def table(self, name: str, required: bool = False) -> Mapping[str, Any] | None:
        value: Mapping[str, Any] | None = self._typed(
            name, required, "a table", lambda v: isinstance(v, dict)
        )
        return value

    def choice(self, name: str, enum: type[E], required: bool = False) -> E | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        options = [e.value for e in enum]
        if not isinstance(value, str) or value not in options:
            self.problem(name, f"expected one of {', '.join(options)}, found {_describe(value)}")
            return None
        return enum(value)

    def number_pair(self, name: str) -> tuple[float, float] | None:
        value = self._get(name, False)
        if value is _MISSING:
            return None
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))):
            self.problem(name, f"expected [low, high] (two numbers), found {_describe(value)}")
            return None
        return float(value[0]), float(value[1])

    def number_list(self, name: str) -> tuple[int | float, ...] | None:
        value = self._get(name, False)
        if value is _MISSING:
            return None
        if not (isinstance(value, list) and all(map(_is_number, value))):
            self.problem(name, f"expected an array of numbers, found {_describe(value)}")
            return None
        return tuple(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    return f"{type(value).__name__} {value!r}"


def _parse(path: Path, data: Mapping[str, Any], problems: list[str]) -> Profile | None:
    top = _Table(data, "", problems)
    top.check_keys(_TOP_KEYS)
    device_data = top.table("device", required=True)
    if device_data is None:
        return None
    device = _Table(device_data, "device.", problems)
    device.check_keys(_DEVICE_KEYS)
    manufacturer = device.string("manufacturer", required=True)
    model = device.string("model", required=True)
    protocol = device.choice("protocol", Protocol, required=True)
    description = device.string("description") or ""
    defaults = _parse_defaults(device, problems)

    points_data = top.table("points", required=protocol in (Protocol.MODBUS, Protocol.ASCII))
    points: list[Point] = []
    nmea_points: list[NmeaPoint] = []
    ascii_points: list[AsciiPoint] = []
    ascii_format = None
    if protocol is Protocol.ASCII:
        ascii_format = _parse_ascii_format(top, problems)
    elif protocol is not None and "ascii" in data:
        top.problem("ascii", f"only for protocol ascii, not {protocol}")
    if points_data is not None and protocol is Protocol.NMEA:
        nmea_points = _collect(points_data, problems, _parse_nmea_point)
    elif points_data is not None and protocol is Protocol.ASCII:
        if not points_data:
            top.problem("points", "an ascii profile needs at least one point")
        ascii_points = _collect(
            points_data,
            problems,
            lambda name, point_data, found: _parse_ascii_point(
                name, point_data, ascii_format, found
            ),
        )
    elif points_data is not None:
        if protocol is Protocol.MODBUS and not points_data:
            top.problem("points", "a modbus profile needs at least one point")
        for name, point_data in points_data.items():
            point = _parse_point(name, point_data, problems)
            if point is not None:
                points.append(point)
        problems.extend(_overlap_problems(points))

    if manufacturer is None or model is None or protocol is None or problems:
        return None
    return Profile(
        name=path.stem,
        path=path,
        manufacturer=manufacturer,
        model=model,
        protocol=protocol,
        description=description,
        points=tuple(points),
        defaults=defaults,
        nmea_points=tuple(nmea_points),
        ascii=ascii_format,
        ascii_points=tuple(ascii_points),
    )


def _parse_defaults(device: _Table, problems: list[str]) -> DeviceDefaults:
    data = device.table("defaults")
    if data is None:
        return DeviceDefaults()
    table = _Table(data, "device.defaults.", problems)
    table.check_keys(_DEFAULTS_KEYS)
    unit = _bounded(table, "unit", 0, 255)
    baudrate = _bounded(table, "baudrate", 1, 10_000_000)
    stopbits = _bounded(table, "stopbits", 1, 2)
    port = _bounded(table, "port", 1, 65535)
    parity = table.string("parity")
    if parity is not None and parity not in ("N", "E", "O"):
        table.problem("parity", f"expected one of N, E, O, found {parity!r}")
        parity = None
    return DeviceDefaults(unit, baudrate, parity, stopbits, port)


def _bounded(table: _Table, name: str, low: int, high: int) -> int | None:
    value = table.integer(name)
    if value is not None and not low <= value <= high:
        table.problem(name, f"expected an integer {low}..{high}, found {value}")
        return None
    return value


def _point_table(name: str, data: object, problems: list[str]) -> _Table | None:
    """The table of one point, after checking its name (any protocol)."""
    if not _NAME_RE.match(name):
        problems.append(
            f"points.{name}: point names are lower case letters, digits and _ "
            f"starting with a letter, found {name!r}"
        )
    if not isinstance(data, dict):
        problems.append(f"points.{name}: expected a table, found {_describe(data)}")
        return None
    return _Table(data, f"points.{name}.", problems)


def _parse_point(name: str, data: object, problems: list[str]) -> Point | None:
    table = _point_table(name, data, problems)
    if table is None:
        return None
    before = len(problems)
    table.check_keys(_POINT_KEYS)
    function = table.choice("function", Function, required=True)
    address = table.integer("address", required=True)
    data_type = table.choice("type", RegisterType, required=True)
    fields: dict[str, Any] = {
        "bit": table.integer("bit"),
        "length": table.integer("length"),
        "byte_order": table.choice("byte_order", Order),
        "word_order": table.choice("word_order", Order),
        "scale": table.number("scale"),
        "offset": table.number("offset"),
        "unit": table.string("unit"),
        "valid_range": table.number_pair("range"),
        "invalid": table.number_list("invalid"),
        "writable": table.boolean("writable"),
        "write_min": table.number("min"),
        "write_max": table.number("max"),
        "description": table.string("description"),
    }
    if len(problems) > before or function is None or address is None or data_type is None:
        return None
    # Order keys given on a type they cannot affect are almost always a
    # misunderstanding of the device's manual, so they are reported.
    if "word_order" in table.data and (data_type.width or 0) < 2:
        table.problem("word_order", f"has no effect on type {data_type} (one register or text)")
    if "byte_order" in table.data and data_type is RegisterType.BIT:
        table.problem("byte_order", "has no effect on type bit")
    if len(problems) > before:
        return None
    try:
        return Point(
            name=name,
            function=function,
            address=address,
            data_type=data_type,
            **{k: v for k, v in fields.items() if v is not None},
        )
    except PointError as exc:
        problems.extend(f"{table.prefix}{key}: {msg}" for key, msg in exc.problems)
        return None


def _point_problems(p: Point) -> list[tuple[str, str]]:
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
    for sentinel in p.invalid:
        if p.data_type.is_float:
            continue
        if not isinstance(sentinel, int):
            out.append(("invalid", f"expected integers for type {p.data_type}, found {sentinel}"))
        elif not -(1 << (bits - 1)) <= sentinel < (1 << bits):
            out.append(("invalid", f"{sentinel} does not fit in {bits} bits"))
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


def _overlap_problems(points: Sequence[Point]) -> list[str]:
    out: list[str] = []
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            if a.function is not b.function or a.address >= b.end or b.address >= a.end:
                continue
            both_bits = a.data_type is RegisterType.BIT and b.data_type is RegisterType.BIT
            if both_bits and not a.function.is_bits and a.bit != b.bit:
                continue
            span = f"{a.function} {a.address:#06x}..{a.end - 1:#06x}"
            out.append(f"points.{b.name}.address: overlaps points.{a.name} ({span})")
    return out


def _decimals(value: float) -> int:
    exponent = Decimal(repr(value)).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# ---- line protocols: the points of nmea and ascii profiles, the ascii line format ----

P = TypeVar("P")


def _collect(
    points_data: Mapping[str, Any],
    problems: list[str],
    parse: Callable[[str, object, list[str]], P | None],
) -> list[P]:
    return [p for name, d in points_data.items() if (p := parse(name, d, problems)) is not None]


def _parse_nmea_point(name: str, data: object, problems: list[str]) -> NmeaPoint | None:
    table = _point_table(name, data, problems)
    if table is None:
        return None
    before = len(problems)
    table.check_keys(_NMEA_POINT_KEYS)
    source = table.choice("source", FixField, required=True)
    unit = table.string("unit")
    description = table.string("description") or ""
    if source is not None and unit is not None and unit != source.unit:
        # A fix value has one unit; a different one would mislabel the number.
        table.problem("unit", f"source {source} is in {source.unit!r}, found {unit!r}")
    if source is None or len(problems) > before:
        return None
    return NmeaPoint(name, source, description)


def _parse_ascii_format(top: _Table, problems: list[str]) -> AsciiFormat | None:
    data = top.table("ascii", required=True)
    if data is None:
        return None
    table = _Table(data, "ascii.", problems)
    before = len(problems)
    table.check_keys(_ASCII_KEYS)
    kind = table.choice("format", AsciiKind, required=True)
    delimiter = _separator(table, "delimiter", DEFAULT_DELIMITER)
    max_length = table.integer("max_length")
    if max_length is not None and not 8 <= max_length <= MAX_LINE_LENGTH:
        table.problem("max_length", f"expected 8..{MAX_LINE_LENGTH}, found {max_length}")
    if kind is None:
        return None
    for other, keys in _ASCII_FORMAT_KEYS.items():
        for key in sorted(keys & set(data)):
            if other is not kind:
                table.problem(key, f"only for format {other}, found format {kind}")
    regex = _regex(table) if kind is AsciiKind.REGEX else None
    if kind is AsciiKind.DELIMITED:
        separator = _separator(table, "separator", None)
    else:
        separator = _separator(table, "pair_separator", ",")
    key_separator = _separator(table, "key_separator", "=")
    if kind is AsciiKind.KEY_VALUE and separator is not None and separator == key_separator:
        table.problem("key_separator", f"must differ from pair_separator, both {separator!r}")
    if len(problems) > before or delimiter is None or separator is None or key_separator is None:
        return None
    return AsciiFormat(
        kind=kind,
        delimiter=delimiter,
        max_length=max_length or DEFAULT_MAX_LENGTH,
        regex=regex,
        separator=separator,
        key_separator=key_separator,
    )


def _separator(table: _Table, name: str, default: str | None) -> str | None:
    value = table.string(name, required=default is None)
    if value is None:
        return default if name not in table.data else None
    if not 1 <= len(value) <= MAX_DELIMITER or not value.isascii():
        table.problem(name, f"expected 1..{MAX_DELIMITER} ASCII characters, found {value!r}")
        return None
    return value


def _regex(table: _Table) -> re.Pattern[str] | None:
    text = table.string("regex", required=True)
    if text is None:
        return None
    try:
        pattern = re.compile(text)
    except re.error as exc:
        table.problem("regex", f"not a valid regular expression: {exc}")
        return None
    if not pattern.groupindex:
        table.problem("regex", "expected named groups, (?P<name>...), found none")
        return None
    return pattern


def _parse_ascii_point(
    name: str, data: object, fmt: AsciiFormat | None, problems: list[str]
) -> AsciiPoint | None:
    table = _point_table(name, data, problems)
    if table is None:
        return None
    before = len(problems)
    table.check_keys(_ASCII_POINT_KEYS)
    key = _ascii_field(table, fmt)
    data_type = table.choice("type", ValueType, required=True)
    scale = table.number("scale")
    offset = table.number("offset")
    unit = table.string("unit")
    valid_range = table.number_pair("range")
    invalid = _sentinels(table, data_type)
    description = table.string("description")
    if data_type is ValueType.STRING:
        for k in ("scale", "offset", "range"):
            if k in table.data:
                table.problem(k, "only for numeric types, found type string")
    if scale is not None and (scale == 0 or not math.isfinite(scale)):
        table.problem("scale", f"expected a finite non-zero number, found {scale}")
    if offset is not None and not math.isfinite(offset):
        table.problem("offset", f"expected a finite number, found {offset}")
    if valid_range is not None and valid_range[0] > valid_range[1]:
        table.problem("range", f"expected low <= high, found [{valid_range[0]}, {valid_range[1]}]")
    if len(problems) > before or key is None or data_type is None:
        return None
    return AsciiPoint(
        name=name,
        field=key,
        data_type=data_type,
        scale=1.0 if scale is None else scale,
        offset=0.0 if offset is None else offset,
        unit=unit or "",
        valid_range=valid_range,
        invalid=invalid or (),
        description=description or "",
    )


def _ascii_field(table: _Table, fmt: AsciiFormat | None) -> str | int | None:
    value = table._get("field", True)
    if value is _MISSING or fmt is None:
        return None
    if fmt.kind is AsciiKind.DELIMITED:
        if not _is_int(value) or value < 0:
            table.problem("field", f"expected a column index (0, 1, ...), found {_describe(value)}")
            return None
        column: int = value
        return column
    if not isinstance(value, str) or not value:
        wanted = "a group name" if fmt.kind is AsciiKind.REGEX else "a key"
        table.problem("field", f"expected {wanted} (a string), found {_describe(value)}")
        return None
    if fmt.regex is not None and value not in fmt.regex.groupindex:
        groups = ", ".join(fmt.regex.groupindex)
        table.problem("field", f"no group {value!r} in ascii.regex (groups: {groups})")
        return None
    return value


def _sentinels(table: _Table, data_type: ValueType | None) -> tuple[str | float, ...] | None:
    value = table._get("invalid", False)
    if value is _MISSING:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) or _is_number(v) for v in value):
        table.problem("invalid", f"expected an array of texts or numbers, found {_describe(value)}")
        return None
    out: list[str | float] = []
    for v in value:
        if isinstance(v, str):
            out.append(v)
        elif data_type is ValueType.STRING:
            table.problem("invalid", f"expected texts for type string, found {v!r}")
        elif data_type is ValueType.INT and not _is_int(v):
            table.problem("invalid", f"expected integers or texts for type int, found {v!r}")
        else:
            out.append(float(v))
    return tuple(out)
