"""The sentence types the fix needs, as typed values.

Each decoder checks the field count the standard allows (older and newer
versions differ only by trailing fields) and every value it uses; anything
else raises :class:`~drivers.nmea.fields.FieldError`. A sentence that reports
no fix decodes fine with ``valid = False``: it is a true statement, not damage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from drivers.nmea import fields as f
from drivers.nmea.sentence import Sentence

FieldError = f.FieldError

# Fix quality of GGA, and what GNS's per-system mode letters mean in the same terms.
GNS_QUALITY = {"A": 1, "D": 2, "P": 3, "R": 4, "F": 5, "E": 6, "M": 7, "S": 8}
MODE_LETTERS = "ADEFMNPRS"
"""NMEA 2.3+ mode indicator of RMC, GLL, VTG: ``N`` means not valid."""


@dataclass(frozen=True, slots=True)
class GGA:
    talker: str
    time: dt.time | None
    lat: float | None
    lon: float | None
    quality: int
    satellites: int | None
    hdop: float | None
    altitude: float | None
    """Metres above mean sea level (the geoid)."""
    geoid_separation: float | None

    @property
    def valid(self) -> bool:
        return self.quality > 0


@dataclass(frozen=True, slots=True)
class RMC:
    talker: str
    time: dt.time | None
    valid: bool
    lat: float | None
    lon: float | None
    speed_knots: float | None
    course: float | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class VTG:
    talker: str
    course: float | None
    speed_knots: float | None
    speed_kmh: float | None
    valid: bool


@dataclass(frozen=True, slots=True)
class GSA:
    talker: str
    mode: int
    """1 no fix, 2 two-dimensional, 3 three-dimensional."""
    satellites: tuple[int, ...]
    pdop: float | None
    hdop: float | None
    vdop: float | None


@dataclass(frozen=True, slots=True)
class SatelliteInView:
    prn: int
    elevation: int | None
    azimuth: int | None
    snr: int | None


@dataclass(frozen=True, slots=True)
class GSV:
    talker: str
    messages: int
    number: int
    in_view: int
    satellites: tuple[SatelliteInView, ...]


@dataclass(frozen=True, slots=True)
class GLL:
    talker: str
    time: dt.time | None
    lat: float | None
    lon: float | None
    valid: bool


@dataclass(frozen=True, slots=True)
class GNS:
    talker: str
    time: dt.time | None
    lat: float | None
    lon: float | None
    modes: str
    """One letter per constellation (GPS, GLONASS, Galileo, BeiDou...); ``N`` = no fix."""
    satellites: int | None
    hdop: float | None
    altitude: float | None
    geoid_separation: float | None

    @property
    def valid(self) -> bool:
        return self.quality > 0

    @property
    def quality(self) -> int:
        """GGA's quality for the first system with a fix, 0 if none has one."""
        return next((GNS_QUALITY[m] for m in self.modes if m != "N"), 0)


@dataclass(frozen=True, slots=True)
class ZDA:
    talker: str
    time: dt.time | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class HDT:
    talker: str
    heading: float | None
    """Degrees from true north."""


Message = GGA | RMC | VTG | GSA | GSV | GLL | GNS | ZDA | HDT


def _position(
    lat: str, ns: str, lon: str, ew: str, valid: bool, kind: str
) -> tuple[float | None, float | None]:
    latitude, longitude = f.latitude(lat, ns), f.longitude(lon, ew)
    if (latitude is None) != (longitude is None):
        raise FieldError(f"{kind}: latitude and longitude must both be given or both be empty")
    if valid and latitude is None:
        raise FieldError(f"{kind}: reports a valid fix without a position")
    return latitude, longitude


def _mode_valid(fields: tuple[str, ...], index: int, name: str) -> bool:
    """The NMEA 2.3 mode indicator at ``index`` if present; absent means valid."""
    if index >= len(fields):
        return True
    return f.choice(fields[index], name, MODE_LETTERS) != "N"


def decode_gga(s: Sentence) -> GGA:
    v = s.fields
    f.field_count(v, "GGA", (14,))
    quality = f.integer(v[5], "GGA quality", 0, 8)
    if quality is None:
        raise FieldError("GGA quality: required, found an empty field")
    lat, lon = _position(v[1], v[2], v[3], v[4], quality > 0, "GGA")
    altitude = f.decimal(v[8], "GGA altitude")
    if altitude is not None and v[9] != "M":
        raise FieldError(f"GGA altitude unit: expected M, found {v[9]!r}")
    return GGA(
        talker=s.talker,
        time=f.utc_time(v[0]),
        lat=lat,
        lon=lon,
        quality=quality,
        satellites=f.integer(v[6], "GGA satellites", 0, 99),
        hdop=f.bounded(v[7], "GGA hdop", 0, 100),
        altitude=altitude,
        geoid_separation=f.decimal(v[10], "GGA geoid separation"),
    )


def decode_rmc(s: Sentence) -> RMC:
    v = s.fields
    # 11 fields up to NMEA 2.2, 12 with the 2.3 mode indicator, 13 with 4.1's status.
    f.field_count(v, "RMC", (11, 12, 13))
    status = f.choice(v[1], "RMC status", "AV")
    valid = status == "A" and _mode_valid(v, 11, "RMC mode")
    lat, lon = _position(v[2], v[3], v[4], v[5], valid, "RMC")
    f.bounded(v[9], "RMC magnetic variation", 0, 180)
    return RMC(
        talker=s.talker,
        time=f.utc_time(v[0]),
        valid=valid,
        lat=lat,
        lon=lon,
        speed_knots=f.bounded(v[6], "RMC speed", 0, 1e5),
        course=f.bounded(v[7], "RMC course", 0, 360),
        date=f.ddmmyy(v[8]),
    )


def decode_vtg(s: Sentence) -> VTG:
    v = s.fields
    # 8 fields up to NMEA 2.2, 9 with the mode indicator; letters mark the units.
    f.field_count(v, "VTG", (8, 9))
    for index, letter in ((1, "T"), (3, "M"), (5, "N"), (7, "K")):
        if v[index] not in ("", letter):
            raise FieldError(f"VTG field {index + 1}: expected {letter}, found {v[index]!r}")
    return VTG(
        talker=s.talker,
        course=f.bounded(v[0], "VTG course", 0, 360),
        speed_knots=f.bounded(v[4], "VTG speed (knots)", 0, 1e5),
        speed_kmh=f.bounded(v[6], "VTG speed (km/h)", 0, 2e5),
        valid=_mode_valid(v, 8, "VTG mode"),
    )


def decode_gsa(s: Sentence) -> GSA:
    v = s.fields
    # 17 fields; NMEA 4.1 adds the GNSS system id.
    f.field_count(v, "GSA", (17, 18))
    f.choice(v[0], "GSA selection", "AM")
    mode = f.integer(v[1], "GSA mode", 1, 3)
    if mode is None:
        raise FieldError("GSA mode: required, found an empty field")
    prns = tuple(p for p in (f.integer(x, "GSA satellite", 1, 999) for x in v[2:14]) if p)
    return GSA(
        talker=s.talker,
        mode=mode,
        satellites=prns,
        pdop=f.bounded(v[14], "GSA pdop", 0, 100),
        hdop=f.bounded(v[15], "GSA hdop", 0, 100),
        vdop=f.bounded(v[16], "GSA vdop", 0, 100),
    )


def decode_gsv(s: Sentence) -> GSV:
    v = s.fields
    # Three counters, up to four satellites of four fields, and NMEA 4.1's signal id.
    f.field_count(v, "GSV", tuple(n for k in range(5) for n in (3 + 4 * k, 4 + 4 * k)))
    messages = f.integer(v[0], "GSV message count", 1, 99)
    number = f.integer(v[1], "GSV message number", 1, 99)
    in_view = f.integer(v[2], "GSV satellites in view", 0, 999)
    if messages is None or number is None or in_view is None:
        raise FieldError("GSV: message count, number and satellites in view are required")
    if number > messages:
        raise FieldError(f"GSV: message {number} of {messages}")
    satellites = []
    for k in range(3, len(v) - 3, 4):
        if not any(v[k : k + 4]):
            continue  # some receivers pad the last message with empty groups
        prn = f.integer(v[k], "GSV satellite", 1, 999)
        if prn is None:
            raise FieldError("GSV satellite: a group of four without its satellite number")
        satellites.append(
            SatelliteInView(
                prn=prn,
                elevation=f.integer(v[k + 1], "GSV elevation", -90, 90),
                azimuth=f.integer(v[k + 2], "GSV azimuth", 0, 360),
                snr=f.integer(v[k + 3], "GSV SNR", 0, 99),
            )
        )
    return GSV(s.talker, messages, number, in_view, tuple(satellites))


def decode_gll(s: Sentence) -> GLL:
    v = s.fields
    # 5 fields in NMEA 1.5, 6 with time and status, 7 with the 2.3 mode indicator.
    f.field_count(v, "GLL", (6, 7))
    status = f.choice(v[5], "GLL status", "AV")
    valid = status == "A" and _mode_valid(v, 6, "GLL mode")
    lat, lon = _position(v[0], v[1], v[2], v[3], valid, "GLL")
    return GLL(s.talker, f.utc_time(v[4]), lat, lon, valid)


def decode_gns(s: Sentence) -> GNS:
    v = s.fields
    # 12 fields; NMEA 4.1 adds the navigational status.
    f.field_count(v, "GNS", (12, 13))
    modes = v[5]
    if not modes or any(m not in GNS_QUALITY and m != "N" for m in modes):
        raise FieldError(f"GNS mode: expected letters of N{''.join(GNS_QUALITY)}, found {modes!r}")
    valid = any(m != "N" for m in modes)
    lat, lon = _position(v[1], v[2], v[3], v[4], valid, "GNS")
    return GNS(
        talker=s.talker,
        time=f.utc_time(v[0]),
        lat=lat,
        lon=lon,
        modes=modes,
        satellites=f.integer(v[6], "GNS satellites", 0, 999),
        hdop=f.bounded(v[7], "GNS hdop", 0, 100),
        altitude=f.decimal(v[8], "GNS altitude"),
        geoid_separation=f.decimal(v[9], "GNS geoid separation"),
    )


def decode_zda(s: Sentence) -> ZDA:
    v = s.fields
    f.field_count(v, "ZDA", (6,))
    day = f.integer(v[1], "ZDA day", 1, 31)
    month = f.integer(v[2], "ZDA month", 1, 12)
    year = f.integer(v[3], "ZDA year", 1980, 9999)
    f.integer(v[4], "ZDA zone hours", -13, 13)
    f.integer(v[5], "ZDA zone minutes", 0, 59)
    date = None
    if day is not None and month is not None and year is not None:
        try:
            date = dt.date(year, month, day)
        except ValueError:
            raise FieldError(f"ZDA: not a date: {v[1]}.{v[2]}.{v[3]}") from None
    elif (day, month, year) != (None, None, None):
        raise FieldError("ZDA: day, month and year must all be given or all be empty")
    return ZDA(s.talker, f.utc_time(v[0]), date)


def decode_hdt(s: Sentence) -> HDT:
    v = s.fields
    f.field_count(v, "HDT", (2,))
    if v[1] not in ("", "T"):
        raise FieldError(f"HDT field 2: expected T, found {v[1]!r}")
    return HDT(s.talker, f.bounded(v[0], "HDT heading", 0, 360))


DECODERS: dict[str, Callable[[Sentence], Message]] = {
    "GGA": decode_gga,
    "RMC": decode_rmc,
    "VTG": decode_vtg,
    "GSA": decode_gsa,
    "GSV": decode_gsv,
    "GLL": decode_gll,
    "GNS": decode_gns,
    "ZDA": decode_zda,
    "HDT": decode_hdt,
}
SUPPORTED = frozenset(DECODERS)


def decode_message(sentence: Sentence) -> Message:
    return DECODERS[sentence.kind](sentence)
