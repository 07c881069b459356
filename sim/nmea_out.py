"""NMEA 0183 sentences a GNSS receiver sends: GGA, RMC, VTG and GSA, and Kakashi's own.

Formats follow NMEA 0183 version 2.3 (RMC and VTG carry the mode indicator):
latitude ``ddmm.mmmmm``, longitude ``dddmm.mmmmm``, time ``hhmmss.ss`` UTC,
speed in knots and km/h. Without a fix a receiver still talks: GGA with
quality 0 and empty position, RMC with status V, GSA with mode 1. The
checksum is the XOR of every character between ``$`` and ``*``.

Kakashi's vehicles answer on the same line with proprietary sentences (the
``P`` address, NMEA's rule for vendor messages, so any NMEA reader skips
them): ``$PKKSA`` acknowledges a mission, ``$PKKSP`` reports progress.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KNOTS_PER_MS = 1.0 / 0.514444
_UNSAFE = re.compile(r"[^\x20-\x7e]|[$*,!\\^]")


@dataclass(frozen=True, slots=True)
class Fix:
    ts: float
    """Receiver time (UTC seconds), skewed if the receiver's clock is off."""
    lat: float
    lon: float
    altitude_m: float
    """Above mean sea level."""
    speed_ms: float
    course_deg: float
    satellites: int
    hdop: float
    prns: tuple[int, ...]
    valid: bool
    geoid_m: float = 36.7
    """Geoid separation (about 37 m in southern Japan)."""


def checksum(body: str) -> str:
    value = 0
    for char in body.encode("ascii"):
        value ^= char
    return f"{value:02X}"


def sentence(body: str) -> str:
    return f"${body}*{checksum(body)}\r\n"


def _time(ts: float) -> tuple[str, str]:
    t = dt.datetime.fromtimestamp(ts, dt.UTC)
    hundredths = round(t.microsecond / 10_000)
    if hundredths == 100:
        t = t.replace(microsecond=0) + dt.timedelta(seconds=1)
        hundredths = 0
    return f"{t:%H%M%S}.{hundredths:02d}", f"{t:%d%m%y}"


def _lat(lat: float) -> tuple[str, str]:
    value = abs(lat)
    degrees = int(value)
    minutes = (value - degrees) * 60
    return f"{degrees:02d}{minutes:08.5f}", "N" if lat >= 0 else "S"


def _lon(lon: float) -> tuple[str, str]:
    value = abs(lon)
    degrees = int(value)
    minutes = (value - degrees) * 60
    return f"{degrees:03d}{minutes:08.5f}", "E" if lon >= 0 else "W"


def gga(fix: Fix) -> str:
    hms, _ = _time(fix.ts)
    if not fix.valid:
        return sentence(f"GPGGA,{hms},,,,,0,00,99.99,,M,,M,,")
    lat, ns = _lat(fix.lat)
    lon, ew = _lon(fix.lon)
    return sentence(
        f"GPGGA,{hms},{lat},{ns},{lon},{ew},1,{fix.satellites:02d},{fix.hdop:.2f},"
        f"{fix.altitude_m:.1f},M,{fix.geoid_m:.1f},M,,"
    )


def rmc(fix: Fix) -> str:
    hms, date = _time(fix.ts)
    if not fix.valid:
        return sentence(f"GPRMC,{hms},V,,,,,,,{date},,,N")
    lat, ns = _lat(fix.lat)
    lon, ew = _lon(fix.lon)
    knots = fix.speed_ms * KNOTS_PER_MS
    return sentence(
        f"GPRMC,{hms},A,{lat},{ns},{lon},{ew},{knots:.3f},{fix.course_deg:.2f},{date},,,A"
    )


def vtg(fix: Fix) -> str:
    if not fix.valid:
        return sentence("GPVTG,,T,,M,,N,,K,N")
    knots = fix.speed_ms * KNOTS_PER_MS
    kmh = fix.speed_ms * 3.6
    return sentence(f"GPVTG,{fix.course_deg:.2f},T,,M,{knots:.3f},N,{kmh:.3f},K,A")


def gsa(fix: Fix) -> str:
    if not fix.valid:
        return sentence("GPGSA,A,1,,,,,,,,,,,,,,,")
    prns = [f"{p:02d}" for p in fix.prns[:12]]
    prns += [""] * (12 - len(prns))
    pdop, vdop = fix.hdop * 1.6, fix.hdop * 1.3
    return sentence(f"GPGSA,A,3,{','.join(prns)},{pdop:.2f},{fix.hdop:.2f},{vdop:.2f}")


def fix_sentences(fix: Fix) -> list[str]:
    """One epoch, in the order receivers send it."""
    return [gga(fix), gsa(fix), rmc(fix), vtg(fix)]


def safe_field(text: str, limit: int = 40) -> str:
    """``text`` made fit for an NMEA field: printable, no delimiters, bounded."""
    return _UNSAFE.sub("_", text)[:limit]


def mission_ack(mission_id: str | None, error: str | None) -> str:
    """``$PKKSA,<mission_id>,OK,`` or ``$PKKSA,<mission_id>,ERR,<reason>``."""
    # Bounded so the whole sentence stays within the 128 bytes NMEA readers accept.
    ident = safe_field(mission_id or "-", 48)
    if error is None:
        return sentence(f"PKKSA,{ident},OK,")
    return sentence(f"PKKSA,{ident},ERR,{safe_field(error, 108 - len(ident))}")


def progress(
    vehicle: str,
    mission_id: str | None,
    event: str,
    stop_index: int | None,
    stop_id: str | None,
    lat: float,
    lon: float,
    soc: float,
    payload_kg: float,
) -> str:
    """``$PKKSP,vehicle,mission,event,stop_index,stop_id,lat,lon,soc%,payload_kg``."""
    fields = [
        safe_field(vehicle, 16),
        safe_field(mission_id or "", 24),
        safe_field(event, 10),
        "" if stop_index is None else str(stop_index),
        safe_field(stop_id or "", 16),
        f"{lat:.6f}",
        f"{lon:.6f}",
        f"{100 * soc:.1f}",
        f"{payload_kg:.1f}",
    ]
    return sentence("PKKSP," + ",".join(fields))
