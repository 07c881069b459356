"""Every decodable sentence of the reference logs, decoded here and by pynmea2, agrees.

pynmea2 is an independent parser; a value both get the same from the same
sentence was not produced by a shared misreading of the standard.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pynmea2
import pytest

from drivers.nmea.messages import GGA, GSA, RMC, SUPPORTED, VTG, ZDA, Message, decode_message
from drivers.nmea.sentence import SentenceError, parse_sentence

DATA = Path(__file__).parent / "data"
LOGS = sorted(p.name for p in DATA.glob("*.log"))


def sentences(log: str) -> Iterator[tuple[str, Message]]:
    for line in (DATA / log).read_text(encoding="ascii").splitlines():
        if not line.startswith("$"):
            continue
        try:
            sentence = parse_sentence(line.encode("ascii"), SUPPORTED)
        except SentenceError:
            continue
        yield line, decode_message(sentence)


def number(value: Any) -> float | None:
    return None if value in (None, "") else float(str(value))


def pairs(message: Message, theirs: Any) -> list[tuple[str, object, object]]:
    """(what, ours, theirs) for each value both parsers give."""
    match message:
        case GGA():
            out: list[tuple[str, object, object]] = [
                ("time", message.time, theirs.timestamp),
                ("quality", message.quality, theirs.gps_qual),
                ("satellites", message.satellites, int(theirs.num_sats)),
                ("hdop", message.hdop, number(theirs.horizontal_dil)),
                ("altitude", message.altitude, number(theirs.altitude)),
            ]
        case RMC():
            valid = theirs.status == "A" and theirs.mode_indicator != "N"
            out = [
                ("time", message.time, theirs.timestamp),
                ("valid", message.valid, valid),
                ("date", message.date, theirs.datestamp),
                ("course", message.course, number(theirs.true_course)),
                ("speed", message.speed_knots, number(theirs.spd_over_grnd)),
            ]
        case VTG():
            return [
                ("course", message.course, number(theirs.true_track)),
                ("knots", message.speed_knots, number(theirs.spd_over_grnd_kts)),
                ("km/h", message.speed_kmh, number(theirs.spd_over_grnd_kmph)),
            ]
        case GSA():
            prns = [getattr(theirs, f"sv_id{i:02d}") for i in range(1, 13)]
            return [
                ("mode", message.mode, int(theirs.mode_fix_type)),
                ("satellites", message.satellites, tuple(int(p) for p in prns if p)),
                ("pdop", message.pdop, number(theirs.pdop)),
                ("hdop", message.hdop, number(theirs.hdop)),
                ("vdop", message.vdop, number(theirs.vdop)),
            ]
        case ZDA():
            return [
                ("time", message.time, theirs.timestamp),
                ("date", message.date, theirs.datetime.date()),
            ]
        case _:
            return []  # GSV: pynmea2 keeps its fields as text; see test_messages
    if message.lat is not None:
        out += [("lat", message.lat, theirs.latitude), ("lon", message.lon, theirs.longitude)]
    return out


def same(ours: object, theirs: object) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float):
        return math.isclose(ours, theirs, abs_tol=1e-9)
    return ours == theirs


@pytest.mark.parametrize("log", LOGS)
def test_same_values_as_pynmea2(log: str) -> None:
    compared = 0
    mismatches = []
    for line, message in sentences(log):
        for what, ours, theirs in pairs(message, pynmea2.parse(line)):
            compared += 1
            if not same(ours, theirs):
                mismatches.append(f"{line}: {what} {ours!r} vs {theirs!r}")
    assert mismatches == []
    assert compared > 100


def test_the_logs_hold_every_kind_compared() -> None:
    kinds = {type(m) for log in LOGS for _, m in sentences(log)}
    assert {GGA, RMC, VTG, GSA, ZDA} <= kinds
