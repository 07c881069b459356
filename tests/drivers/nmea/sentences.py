"""Building valid sentences for tests: the checksum is computed, never copied."""

from __future__ import annotations

from functools import reduce
from operator import xor


def nmea(body: str, end: str = "\r\n") -> bytes:
    """``$body*hh`` with the correct checksum, as bytes."""
    checksum = reduce(xor, body.encode("ascii"), 0)
    return f"${body}*{checksum:02X}{end}".encode("ascii")


GGA = "GPGGA,143748.77,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,"
RMC = "GPRMC,143748.77,A,4806.3731,N,00138.6217,W,0.00,266.5,121007,2.6,W,A"
GSA = "GPGSA,A,3,05,06,07,10,16,21,23,24,30,31,,,1.7,1.1,1.2"
