"""The line format of an ``ascii`` profile, and how one field becomes a point's value.

Three ways to find fields in a line cover most loggers and sensors that print
text: a regular expression with named groups, ``key=value`` pairs, or columns
separated by a character. Checks of a format and its points against each other
happen when the profile is loaded (:mod:`drivers.profile`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from drivers.reading import Quality, Value

DEFAULT_DELIMITER = "\n"
DEFAULT_MAX_LENGTH = 512
WHITESPACE = " "
"""A delimited separator of one space splits on any run of blanks, as most
space-aligned logger output needs."""

_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_INT = re.compile(r"[-+]?\d+")


class AsciiKind(StrEnum):
    REGEX = "regex"
    KEY_VALUE = "key_value"
    DELIMITED = "delimited"


class ValueType(StrEnum):
    FLOAT = "float"
    INT = "int"
    STRING = "string"


FieldKey = str | int
"""A regex group or key name, or a 0-based column index."""


@dataclass(frozen=True, slots=True)
class AsciiFormat:
    kind: AsciiKind
    delimiter: str = DEFAULT_DELIMITER
    max_length: int = DEFAULT_MAX_LENGTH
    regex: re.Pattern[str] | None = None
    separator: str = ","
    """Between columns (``delimited``) or between pairs (``key_value``)."""
    key_separator: str = "="

    def fields(self, line: str) -> dict[FieldKey, str] | None:
        """The line's fields by key, each stripped of blanks; None if the line does not fit."""
        if self.kind is AsciiKind.REGEX:
            assert self.regex is not None
            match = self.regex.fullmatch(line)
            if match is None:
                return None
            return {k: v.strip() for k, v in match.groupdict().items() if v is not None}
        if self.kind is AsciiKind.DELIMITED:
            columns = line.split() if self.separator == WHITESPACE else line.split(self.separator)
            return {i: c.strip() for i, c in enumerate(columns)}
        pairs: dict[FieldKey, str] = {}
        for pair in line.split(self.separator):
            key, sep, value = pair.partition(self.key_separator)
            # A token without "=" (a record id like "0R1") names no value.
            if sep:
                pairs[key.strip()] = value.strip()
        return pairs or None


@dataclass(frozen=True, slots=True)
class AsciiPoint:
    """Field names follow the TOML keys, except ``data_type`` (``type``) and
    ``valid_range`` (``range``)."""

    name: str
    field: FieldKey
    data_type: ValueType
    scale: float = 1.0
    offset: float = 0.0
    unit: str = ""
    valid_range: tuple[float, float] | None = None
    invalid: tuple[str | float, ...] = ()
    """Texts or numbers the device sends for "no value" (``"---"``, ``-9999``)."""
    description: str = ""
    _scale_decimals: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_scale_decimals", max(_decimals(repr(self.scale)), _decimals(repr(self.offset)))
        )

    def convert(self, text: str) -> tuple[Value, Quality]:
        """The value of one field's text; ValueError if the text is no such value."""
        if text in (s for s in self.invalid if isinstance(s, str)):
            return None, Quality.INVALID
        if self.data_type is ValueType.STRING:
            return text, Quality.GOOD
        pattern = _INT if self.data_type is ValueType.INT else _FLOAT
        if not pattern.fullmatch(text):
            raise ValueError(f"point {self.name}: expected {self._wanted()}, found {text!r}")
        raw = float(text)
        if raw in (s for s in self.invalid if not isinstance(s, str)) or not math.isfinite(raw):
            return None, Quality.INVALID
        value = raw * self.scale + self.offset
        if self.scale != 1.0 or self.offset != 0.0:
            # Decimal text scaled by a decimal factor keeps the decimals of both,
            # so "215" x 0.1 reads 21.5 rather than 21.500000000000004.
            value = round(value, _decimals(text) + self._scale_decimals)
        if self.valid_range is not None and not (
            self.valid_range[0] <= value <= self.valid_range[1]
        ):
            return value, Quality.OUT_OF_RANGE
        return value, Quality.GOOD

    def _wanted(self) -> str:
        return "an integer" if self.data_type is ValueType.INT else "a decimal number"


def _decimals(text: str) -> int:
    try:
        exponent = Decimal(text).as_tuple().exponent
    except ArithmeticError:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
