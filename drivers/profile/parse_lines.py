"""The parts of a profile for serial line devices: NMEA points, the ASCII format."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from drivers.lines.ascii_format import (
    DEFAULT_DELIMITER,
    DEFAULT_MAX_LENGTH,
    AsciiFormat,
    AsciiKind,
    AsciiPoint,
    ValueType,
)
from drivers.nmea.fix import FixField
from drivers.nmea.points import NmeaPoint
from drivers.profile.table import MISSING, Table, describe, is_int, is_number, point_table

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

P = TypeVar("P")


def collect_points(
    points_data: Mapping[str, Any],
    problems: list[str],
    parse: Callable[[str, object, list[str]], P | None],
) -> list[P]:
    return [p for name, d in points_data.items() if (p := parse(name, d, problems)) is not None]


def parse_nmea_point(name: str, data: object, problems: list[str]) -> NmeaPoint | None:
    table = point_table(name, data, problems)
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


def parse_ascii_format(top: Table, problems: list[str]) -> AsciiFormat | None:
    data = top.table("ascii", required=True)
    if data is None:
        return None
    table = Table(data, "ascii.", problems)
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


def _separator(table: Table, name: str, default: str | None) -> str | None:
    value = table.string(name, required=default is None)
    if value is None:
        return default if name not in table.data else None
    if not 1 <= len(value) <= MAX_DELIMITER or not value.isascii():
        table.problem(name, f"expected 1..{MAX_DELIMITER} ASCII characters, found {value!r}")
        return None
    return value


def _regex(table: Table) -> re.Pattern[str] | None:
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


def parse_ascii_point(
    name: str, data: object, fmt: AsciiFormat | None, problems: list[str]
) -> AsciiPoint | None:
    table = point_table(name, data, problems)
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


def _ascii_field(table: Table, fmt: AsciiFormat | None) -> str | int | None:
    value = table._get("field", True)
    if value is MISSING or fmt is None:
        return None
    if fmt.kind is AsciiKind.DELIMITED:
        if not is_int(value) or value < 0:
            table.problem("field", f"expected a column index (0, 1, ...), found {describe(value)}")
            return None
        column: int = value
        return column
    if not isinstance(value, str) or not value:
        wanted = "a group name" if fmt.kind is AsciiKind.REGEX else "a key"
        table.problem("field", f"expected {wanted} (a string), found {describe(value)}")
        return None
    if fmt.regex is not None and value not in fmt.regex.groupindex:
        groups = ", ".join(fmt.regex.groupindex)
        table.problem("field", f"no group {value!r} in ascii.regex (groups: {groups})")
        return None
    return value


def _sentinels(table: Table, data_type: ValueType | None) -> tuple[str | float, ...] | None:
    value = table._get("invalid", False)
    if value is MISSING:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) or is_number(v) for v in value):
        table.problem("invalid", f"expected an array of texts or numbers, found {describe(value)}")
        return None
    out: list[str | float] = []
    for v in value:
        if isinstance(v, str):
            out.append(v)
        elif data_type is ValueType.STRING:
            table.problem("invalid", f"expected texts for type string, found {v!r}")
        elif data_type is ValueType.INT and not is_int(v):
            table.problem("invalid", f"expected integers or texts for type int, found {v!r}")
        else:
            out.append(float(v))
    return tuple(out)
