"""A GNSS receiver's bytes to the points of its profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.lines.decoder import PointValue
from drivers.lines.nmea_decoder import NmeaDecoder
from drivers.nmea.counts import Rejected
from drivers.profile import load_profile
from drivers.reading import Quality
from tests.drivers.nmea.sentences import nmea

DATA = Path(__file__).parents[1] / "nmea" / "data"


def gps() -> NmeaDecoder:
    return NmeaDecoder(load_profile("nmea_gps").nmea_points)


def test_a_fix_gives_a_value_per_point_it_reports() -> None:
    d = gps()
    first = d.feed(
        nmea("GPGGA,150119.000,5104.0859,N,11405.7387,W,2,8,0.94,1102.4,M,-17.5,M,,")
        + nmea("GPRMC,150119.000,A,5104.0859,N,11405.7387,W,1.00,194.17,090322,,,D")
    )
    assert (first.lines, first.valid, first.values) == (2, 2, [])
    values = {v.point: v for v in d.end_of_burst().values}
    assert values["latitude"].value == pytest.approx(51.068098333)
    assert values["latitude"].unit == "°"
    assert values["speed"].value == pytest.approx(0.514444, abs=1e-6)
    assert values["altitude"] == PointValue("altitude", 1102.4, "m", Quality.GOOD)
    assert values["fix_quality"] == PointValue("fix_quality", 2.0, "", Quality.GOOD)
    assert len(values) == 8


def test_no_fix_makes_position_values_invalid_and_keeps_the_rest() -> None:
    d = gps()
    d.feed(nmea("GPGGA,081420.000,,,,,0,0,,,M,,M,,"))
    values = {v.point: (v.value, v.quality) for v in d.end_of_burst().values}
    assert values == {
        "latitude": (None, Quality.INVALID),
        "longitude": (None, Quality.INVALID),
        "altitude": (None, Quality.INVALID),
        "speed": (None, Quality.INVALID),
        "course": (None, Quality.INVALID),
        "fix_quality": (0.0, Quality.GOOD),
        "satellites": (0.0, Quality.GOOD),
    }


def test_rejections_carry_their_reason() -> None:
    d = gps()
    batch = d.feed(b"junk\r\n$GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46*4B\r\n")
    assert [r.reason for r in batch.rejections] == [Rejected.GARBAGE, Rejected.BAD_CHECKSUM]
    assert (batch.lines, batch.valid) == (2, 0)
    assert d.counts.rejected == {Rejected.GARBAGE: 1, Rejected.BAD_CHECKSUM: 1}


def test_a_whole_log_in_pieces() -> None:
    d = gps()
    data = b"".join(
        line
        for line in (DATA / "quectel-L70.log").read_bytes().splitlines(keepends=True)
        if not line.startswith(b"#")
    )
    values = []
    for i in range(0, len(data), 100):
        values += d.feed(data[i : i + 100]).values
    values += d.end_of_input().values
    latitudes = [v for v in values if v.point == "latitude"]
    assert len(latitudes) == 16
    assert all(v.quality is Quality.GOOD for v in latitudes)
