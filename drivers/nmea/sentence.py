"""One framed sentence: checksum, address (talker and type) and raw fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import xor

from drivers.nmea.counts import Ignored, Rejected

TALKERS: dict[str, str] = {
    "GP": "GPS",
    "GL": "GLONASS",
    "GA": "Galileo",
    "GB": "BeiDou",
    "BD": "BeiDou",
    "GQ": "QZSS",
    "QZ": "QZSS",
    "GI": "NavIC",
    "GN": "combined GNSS",
    "HE": "gyro compass",
    "HC": "magnetic compass",
    "IN": "integrated navigation",
    "II": "integrated instrumentation",
}
"""Talkers whose position and heading sentences are accepted. ``BD`` and ``QZ``
are the pre-NMEA-4.11 names some receivers still send."""

_ADDRESS = re.compile(r"[A-Z]{5}")
_HEX = re.compile(r"[0-9A-Fa-f]{2}")


class SentenceError(Exception):
    """The sentence cannot be used; ``reason`` is what the counters record."""

    def __init__(self, reason: Rejected | Ignored, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Sentence:
    talker: str
    kind: str
    """The sentence formatter: ``GGA``, ``RMC``..."""
    fields: tuple[str, ...]
    """The fields after the address, as sent (empty string for a null field)."""

    @property
    def address(self) -> str:
        return self.talker + self.kind


def checksum(body: bytes) -> int:
    """XOR of the bytes between the start character and ``*``."""
    return reduce(xor, body, 0)


def parse_sentence(frame: bytes, supported: frozenset[str]) -> Sentence:
    """Check a framed ``$...*hh`` and split it; raises :class:`SentenceError`.

    A type outside ``supported`` is :attr:`Ignored.UNSUPPORTED` whatever its
    talker; a supported type from a talker not in :data:`TALKERS` is
    :attr:`Rejected.UNKNOWN_SENTENCE`.
    """
    text = frame.decode("ascii")  # the framer passes printable ASCII only
    body, star, sent = text[1:].rpartition("*")
    if not star or not _HEX.fullmatch(sent):
        raise SentenceError(Rejected.BAD_CHECKSUM, f"{text!r}: checksum is not two hex digits")
    computed = checksum(body.encode("ascii"))
    if computed != int(sent, 16):
        raise SentenceError(
            Rejected.BAD_CHECKSUM, f"{text!r}: checksum {sent}, computed {computed:02X}"
        )
    address, *fields = body.split(",")
    if address.startswith("P"):
        raise SentenceError(Ignored.PROPRIETARY, f"{text!r}: proprietary")
    if not _ADDRESS.fullmatch(address):
        raise SentenceError(
            Rejected.UNKNOWN_SENTENCE, f"{text!r}: address {address!r} is not talker + type"
        )
    talker, kind = address[:2], address[2:]
    if kind not in supported:
        raise SentenceError(Ignored.UNSUPPORTED, f"{text!r}: type {kind} is not decoded")
    if talker not in TALKERS:
        raise SentenceError(Rejected.UNKNOWN_SENTENCE, f"{text!r}: unknown talker {talker!r}")
    return Sentence(talker, kind, tuple(fields))
