"""Typed values from NMEA fields. Each parser raises :class:`FieldError` naming the field.

Numbers are matched against NMEA's plain decimal form before conversion, because
Python's ``float`` would also accept ``nan``, ``inf``, ``1e5`` and ``1_0``, none of
which a receiver sends unless something is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

_DECIMAL = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)")
_INTEGER = re.compile(r"[-+]?\d+")
_ANGLE = re.compile(r"(\d+)(\d\d(?:\.\d*)?)")
"""ddmm.mmmm: minutes are the two digits before the point, degrees what comes before."""
_TIME = re.compile(r"(\d\d)(\d\d)(\d\d)(?:\.(\d+))?")
_DATE = re.compile(r"(\d\d)(\d\d)(\d\d)")


class FieldError(ValueError):
    pass


def field_count(fields: Sequence[str], kind: str, allowed: Sequence[int]) -> None:
    if len(fields) not in allowed:
        wanted = " or ".join(str(n) for n in allowed)
        raise FieldError(f"{kind}: expected {wanted} fields, found {len(fields)}")


def decimal(value: str, name: str) -> float | None:
    """A decimal number, or None for an empty (null) field."""
    if not value:
        return None
    if not _DECIMAL.fullmatch(value):
        raise FieldError(f"{name}: expected a decimal number, found {value!r}")
    return float(value)


def bounded(value: str, name: str, low: float, high: float) -> float | None:
    number = decimal(value, name)
    if number is not None and not low <= number <= high:
        raise FieldError(f"{name}: expected {low:g}..{high:g}, found {value!r}")
    return number


def integer(value: str, name: str, low: int, high: int) -> int | None:
    if not value:
        return None
    if not _INTEGER.fullmatch(value):
        raise FieldError(f"{name}: expected an integer, found {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise FieldError(f"{name}: expected {low}..{high}, found {value!r}")
    return number


def choice(value: str, name: str, allowed: str) -> str | None:
    """One of the letters in ``allowed``, or None for an empty field."""
    if not value:
        return None
    if len(value) != 1 or value not in allowed:
        raise FieldError(f"{name}: expected one of {', '.join(allowed)}, found {value!r}")
    return value


def latitude(value: str, hemisphere: str) -> float | None:
    return _angle(value, hemisphere, "latitude", 90, "NS")


def longitude(value: str, hemisphere: str) -> float | None:
    return _angle(value, hemisphere, "longitude", 180, "EW")


def _angle(value: str, hemisphere: str, name: str, limit: int, letters: str) -> float | None:
    """Signed degrees from ddmm.mmmm and its hemisphere letter (south and west negative)."""
    if not value and not hemisphere:
        return None
    match = _ANGLE.fullmatch(value)
    if match is None:
        raise FieldError(f"{name}: expected degrees and minutes (ddmm.mmmm), found {value!r}")
    if len(hemisphere) != 1 or hemisphere not in letters:
        raise FieldError(
            f"{name}: expected hemisphere {' or '.join(letters)}, found {hemisphere!r}"
        )
    degrees, minutes = int(match[1]), float(match[2])
    if minutes >= 60:
        raise FieldError(f"{name}: minutes must be below 60, found {value!r}")
    angle = degrees + minutes / 60
    if angle > limit:
        raise FieldError(f"{name}: expected at most {limit} degrees, found {value!r}")
    return -angle if hemisphere == letters[1] else angle


def utc_time(value: str) -> dt.time | None:
    """hhmmss with optional fraction. A leap second (ss = 60) is refused: Python's
    time cannot hold it, and it is one sentence every few years."""
    if not value:
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        raise FieldError(f"time: expected hhmmss.ss, found {value!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    micro = int((match[4] or "0")[:6].ljust(6, "0"))
    try:
        return dt.time(hour, minute, second, micro, tzinfo=dt.UTC)
    except ValueError:
        raise FieldError(f"time: not a time of day: {value!r}") from None


def ddmmyy(value: str) -> dt.date | None:
    """RMC's date. Two-digit years 80..99 are 1980..1999 (GPS began in 1980), else 20yy."""
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if match is None:
        raise FieldError(f"date: expected ddmmyy, found {value!r}")
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    try:
        return dt.date(1900 + year if year >= 80 else 2000 + year, month, day)
    except ValueError:
        raise FieldError(f"date: not a date: {value!r}") from None
