"""The points of an ``nmea`` profile: which fix value becomes which reading."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.nmea.fix import Fix, FixField
from drivers.reading import Quality, Value


@dataclass(frozen=True, slots=True)
class NmeaPoint:
    name: str
    source: FixField
    description: str = ""

    @property
    def unit(self) -> str:
        """Fixed by the source: a fix value has one unit (speed in km/h is ``speed_kmh``)."""
        return self.source.unit

    def read(self, fix: Fix) -> tuple[Value, Quality] | None:
        """The point's value in ``fix``; None when the epoch did not report it at all.

        Without a valid position, the values that come from one (position,
        altitude, speed, course) are missing, flagged invalid: the receiver said
        it has no fix, which is news, unlike a GSA that was simply not sent.
        """
        if self.source.from_position and not fix.has_position:
            return None, Quality.INVALID
        value = fix.value(self.source)
        if value is None:
            return None
        return value, Quality.GOOD
