"""An ASCII device's lines to point values, and what is rejected and why."""

from __future__ import annotations

from drivers.lines.ascii_decoder import AsciiDecoder, AsciiRejected
from drivers.lines.decoder import PointValue
from drivers.profile import load_profile
from drivers.reading import Quality


def decoder() -> AsciiDecoder:
    profile = load_profile("ascii_weather_logger")
    assert profile.ascii is not None
    return AsciiDecoder(profile.ascii, profile.ascii_points)


def test_a_line_gives_one_value_per_point() -> None:
    batch = decoder().feed(b"T=21.4,RH=55.2,P=1013.2,WS=3.1,WD=270,RAIN=0.2\r\n")
    assert batch.values == [
        PointValue("air_temperature", 21.4, "°C", Quality.GOOD),
        PointValue("humidity", 55.2, "%", Quality.GOOD),
        PointValue("pressure", 1013.2, "hPa", Quality.GOOD),
        PointValue("wind_speed", 3.1, "m/s", Quality.GOOD),
        PointValue("wind_direction", 270.0, "°", Quality.GOOD),
        PointValue("rain", 0.2, "mm", Quality.GOOD),
    ]
    assert (batch.lines, batch.valid, batch.rejections) == (1, 1, [])


def test_sentinels_ranges_and_missing_or_bad_fields() -> None:
    batch = decoder().feed(b"T=---,RH=101.5,P=10x3,WS=3.1,RAIN=0\n")
    assert batch.values == [
        PointValue("air_temperature", None, "°C", Quality.INVALID),
        PointValue("humidity", 101.5, "%", Quality.OUT_OF_RANGE),
        PointValue("wind_speed", 3.1, "m/s", Quality.GOOD),
        PointValue("rain", 0.0, "mm", Quality.GOOD),
    ]
    assert [r.reason for r in batch.rejections] == [
        AsciiRejected.BAD_FIELD,
        AsciiRejected.MISSING_FIELD,
    ]
    assert "expected a decimal number, found '10x3'" in batch.rejections[0].detail
    assert "no field 'WD'" in batch.rejections[1].detail
    assert (batch.lines, batch.valid) == (1, 1)


def test_damaged_lines_are_rejected_whole() -> None:
    d = decoder()
    lines = [
        b"hello world",  # no pairs
        b"X=1,Y=2",  # pairs, none of ours
        b"T=2\x001.4",  # NUL
        b"T=21.4\xb0C",  # non-ASCII
        b"T=" + b"9" * 600,  # no delimiter within max_length
        b"\r",  # blank: not a line
        b"  ",
        b"T=20.0",
    ]
    batch = d.feed(b"\n".join(lines) + b"\n")
    assert [r.reason for r in batch.rejections] == [
        AsciiRejected.NO_MATCH,
        AsciiRejected.NO_MATCH,
        AsciiRejected.BAD_CHARACTER,
        AsciiRejected.BAD_CHARACTER,
        AsciiRejected.TOO_LONG,
    ] + [AsciiRejected.MISSING_FIELD] * 5
    assert batch.values == [PointValue("air_temperature", 20.0, "°C", Quality.GOOD)]
    assert (batch.lines, batch.valid) == (6, 1)


def test_a_line_cut_by_the_end_of_input_is_truncated() -> None:
    d = decoder()
    assert d.feed(b"T=21.4,RH=5").values == []
    assert d.end_of_burst().values == []  # silence does not end a line
    end = d.end_of_input()
    assert [r.reason for r in end.rejections] == [AsciiRejected.TRUNCATED]
    assert d.end_of_input().rejections == []
