"""A profile file's TOML turned into a checked :class:`Profile` (Modbus points)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from drivers.lines.ascii_format import (
    AsciiPoint,
)
from drivers.modbus.registers import (
    Order,
    RegisterType,
)
from drivers.nmea.points import NmeaPoint
from drivers.profile.model import (
    DeviceDefaults,
    Function,
    Point,
    PointError,
    Profile,
    Protocol,
)
from drivers.profile.parse_lines import (
    collect_points,
    parse_ascii_format,
    parse_ascii_point,
    parse_nmea_point,
)
from drivers.profile.table import Table, point_table

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
    "absent",
    "writable",
    "min",
    "max",
    "description",
}


def parse_profile(path: Path, data: Mapping[str, Any], problems: list[str]) -> Profile | None:
    top = Table(data, "", problems)
    top.check_keys(_TOP_KEYS)
    device_data = top.table("device", required=True)
    if device_data is None:
        return None
    device = Table(device_data, "device.", problems)
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
        ascii_format = parse_ascii_format(top, problems)
    elif protocol is not None and "ascii" in data:
        top.problem("ascii", f"only for protocol ascii, not {protocol}")
    if points_data is not None and protocol is Protocol.NMEA:
        nmea_points = collect_points(points_data, problems, parse_nmea_point)
    elif points_data is not None and protocol is Protocol.ASCII:
        if not points_data:
            top.problem("points", "an ascii profile needs at least one point")
        ascii_points = collect_points(
            points_data,
            problems,
            lambda name, point_data, found: parse_ascii_point(
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


def _parse_defaults(device: Table, problems: list[str]) -> DeviceDefaults:
    data = device.table("defaults")
    if data is None:
        return DeviceDefaults()
    table = Table(data, "device.defaults.", problems)
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


def _bounded(table: Table, name: str, low: int, high: int) -> int | None:
    value = table.integer(name)
    if value is not None and not low <= value <= high:
        table.problem(name, f"expected an integer {low}..{high}, found {value}")
        return None
    return value


def _parse_point(name: str, data: object, problems: list[str]) -> Point | None:
    table = point_table(name, data, problems)
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
        "absent": table.number_list("absent"),
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
