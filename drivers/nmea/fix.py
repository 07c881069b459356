"""A fix: what the receiver said about one epoch (one UTC time), combined over its sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

KNOT_MPS = 1852 / 3600
"""One knot (nautical mile per hour) in metres per second, exactly."""


class FixField(StrEnum):
    """The fix values a profile can turn into points (``source = "lat"``)."""

    LAT = "lat"
    LON = "lon"
    ALT = "alt"
    SPEED_MPS = "speed_mps"
    SPEED_KMH = "speed_kmh"
    COURSE = "course"
    QUALITY = "quality"
    MODE = "mode"
    SATELLITES = "satellites"
    HDOP = "hdop"
    PDOP = "pdop"
    VDOP = "vdop"
    HEADING = "heading"

    @property
    def unit(self) -> str:
        return _UNITS.get(self, "")

    @property
    def from_position(self) -> bool:
        """Meaningless without a valid position: missing rather than stale when there is none."""
        return self in _FROM_POSITION


_UNITS = {
    FixField.LAT: "°",
    FixField.LON: "°",
    FixField.ALT: "m",
    FixField.SPEED_MPS: "m/s",
    FixField.SPEED_KMH: "km/h",
    FixField.COURSE: "°",
    FixField.HEADING: "°",
}
_FROM_POSITION = frozenset(
    {
        FixField.LAT,
        FixField.LON,
        FixField.ALT,
        FixField.SPEED_MPS,
        FixField.SPEED_KMH,
        FixField.COURSE,
    }
)


@dataclass(frozen=True, slots=True)
class Fix:
    """One epoch. Position fields are None unless a sentence of the epoch said it was valid.

    ``quality`` is GGA's (0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6
    dead reckoning...), ``mode`` GSA's (1 none, 2 2D, 3 3D); either is None when
    the epoch had no such sentence: a receiver that sends GSA every third
    second gives a mode every third second, nothing is carried over.
    """

    time_of_day: dt.time
    """UTC, from the epoch's sentences."""
    date: dt.date | None
    """From RMC (valid fixes only) or ZDA, of this epoch or an earlier one; None until known."""
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    """Metres above mean sea level."""
    quality: int | None = None
    mode: int | None = None
    satellites: int | None = None
    """Satellites used in the solution."""
    hdop: float | None = None
    pdop: float | None = None
    vdop: float | None = None
    speed_mps: float | None = None
    course: float | None = None
    """Course over ground, degrees from true north."""
    heading: float | None = None
    """Where the vehicle points (HDT), degrees from true north."""

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def time(self) -> dt.datetime | None:
        """The epoch as an aware UTC datetime, once the date is known."""
        if self.date is None:
            return None
        return dt.datetime.combine(self.date, self.time_of_day)

    @property
    def speed_kmh(self) -> float | None:
        return None if self.speed_mps is None else self.speed_mps * 3.6

    def value(self, name: FixField) -> float | None:
        found: float | int | None = getattr(self, name.value)
        return None if found is None else float(found)
