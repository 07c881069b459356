"""Combining the sentences of one epoch into a fix.

Receivers send a burst of sentences per epoch (GGA, GSA, RMC... in an order
of their own). Sentences with a time belong to the epoch of that time;
sentences without one (GSA, VTG, HDT, GSV) to the epoch being read. An epoch
is complete when a sentence of another time arrives, or when the caller says
the burst is over (:meth:`FixAssembler.flush`, e.g. after a silence on the line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drivers.nmea.fix import KNOT_MPS, Fix
from drivers.nmea.messages import GGA, GLL, GNS, GSA, GSV, HDT, RMC, VTG, ZDA, Message

HALF_DAY = dt.timedelta(hours=12)


@dataclass
class _Epoch:
    time: dt.time | None = None
    date: dt.date | None = None
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    quality: int | None = None
    modes: list[int] = field(default_factory=list)
    satellites: int | None = None
    gsa_satellites: set[tuple[str, int]] = field(default_factory=set)
    hdop: float | None = None
    gsa_hdop: float | None = None
    pdop: float | None = None
    vdop: float | None = None
    speed_mps: float | None = None
    course: float | None = None
    heading: float | None = None

    def add(self, m: Message) -> None:
        match m:
            case GGA() | GNS():
                self._solution(m)
            case RMC():
                if m.valid:
                    self._position(m.lat, m.lon)
                    self._motion(_knots(m.speed_knots), m.course)
                    self.date = m.date or self.date
            case GLL():
                if m.valid:
                    self._position(m.lat, m.lon)
            case VTG():
                if m.valid:
                    speed = _knots(m.speed_knots)
                    if speed is None and m.speed_kmh is not None:
                        speed = m.speed_kmh / 3.6
                    self._motion(speed, m.course)
            case GSA():
                self.modes.append(m.mode)
                # Multi-constellation receivers send one GSA per system; PRNs
                # repeat across systems, so they are told apart by talker.
                self.gsa_satellites.update((m.talker, prn) for prn in m.satellites)
                self.gsa_hdop = self.gsa_hdop if m.hdop is None else m.hdop
                self.pdop = self.pdop if m.pdop is None else m.pdop
                self.vdop = self.vdop if m.vdop is None else m.vdop
            case ZDA():
                self.date = m.date or self.date
            case HDT():
                self.heading = self.heading if m.heading is None else m.heading
            case GSV():
                pass  # satellites in view: counted, not part of the fix

    def _solution(self, m: GGA | GNS) -> None:
        self.quality = m.quality if self.quality is None else max(self.quality, m.quality)
        self.satellites = self.satellites if m.satellites is None else m.satellites
        self.hdop = self.hdop if m.hdop is None else m.hdop
        if m.valid:
            self._position(m.lat, m.lon)
            self.alt = self.alt if m.altitude is None else m.altitude

    def _position(self, lat: float | None, lon: float | None) -> None:
        # The first valid sentence of the epoch gives the position; receivers
        # repeat the same one in GGA, RMC and GLL.
        if self.lat is None and lat is not None and lon is not None:
            self.lat, self.lon = lat, lon

    def _motion(self, speed_mps: float | None, course: float | None) -> None:
        self.speed_mps = self.speed_mps if speed_mps is None else speed_mps
        self.course = self.course if course is None else course

    def fix(self, time: dt.time, date: dt.date | None) -> Fix:
        positioned = self.lat is not None
        satellites = self.satellites
        if satellites is None and self.gsa_satellites:
            satellites = len(self.gsa_satellites)
        return Fix(
            time_of_day=time,
            date=date,
            lat=self.lat,
            lon=self.lon,
            alt=self.alt if positioned else None,
            quality=self.quality,
            mode=max(self.modes) if self.modes else None,
            satellites=satellites,
            hdop=self.hdop if self.hdop is not None else self.gsa_hdop,
            pdop=self.pdop,
            vdop=self.vdop,
            speed_mps=self.speed_mps if positioned else None,
            course=self.course if positioned else None,
            heading=self.heading,
        )


def _knots(speed: float | None) -> float | None:
    return None if speed is None else speed * KNOT_MPS


def _time_of(m: Message) -> dt.time | None:
    if isinstance(m, GGA | RMC | GLL | GNS | ZDA):
        return m.time
    return None


class FixAssembler:
    def __init__(self) -> None:
        self._epoch: _Epoch | None = None
        self._last_date: dt.date | None = None
        self._last_time: dt.time | None = None
        self.fixes = 0
        """Epochs completed with a valid position."""
        self.without_position = 0
        """Epochs completed without one (the receiver said its fix was invalid)."""

    def add(self, message: Message) -> Fix | None:
        """Take one decoded sentence; returns the previous epoch if this one starts another."""
        time = _time_of(message)
        done = None
        if time is not None and self._epoch is not None and self._epoch.time not in (None, time):
            done = self.flush()
        if self._epoch is None:
            self._epoch = _Epoch()
        if time is not None:
            self._epoch.time = time
        self._epoch.add(message)
        return done

    def flush(self) -> Fix | None:
        """Complete the epoch being read. One that never had a time is dropped."""
        epoch, self._epoch = self._epoch, None
        if epoch is None or epoch.time is None:
            return None
        fix = epoch.fix(epoch.time, self._date(epoch))
        if fix.has_position:
            self.fixes += 1
        else:
            self.without_position += 1
        return fix

    def _date(self, epoch: _Epoch) -> dt.date | None:
        assert epoch.time is not None
        date = epoch.date
        if date is None and self._last_date is not None and self._last_time is not None:
            date = self._last_date
            # An epoch without a date of its own far earlier in the day than the
            # last dated one is past midnight (a receiver sending RMC only every
            # few seconds, or ZDA once a minute).
            if _seconds(epoch.time) < _seconds(self._last_time) - HALF_DAY.total_seconds():
                date += dt.timedelta(days=1)
        if date is not None:
            self._last_date, self._last_time = date, epoch.time
        return date


def _seconds(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
