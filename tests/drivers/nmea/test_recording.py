"""Recorded logs: comment lines and line ends."""

from __future__ import annotations

from drivers.nmea.counts import Ignored, Rejected
from drivers.nmea.recording import RecordingDecoder, decode_recording
from tests.drivers.nmea.sentences import GGA, RMC, nmea


def test_hash_lines_are_comments_only_at_the_start_of_a_line() -> None:
    data = b"# header\r\n#\r\n" + nmea(RMC) + b"junk # not a comment\r\n" + nmea(GGA)
    recording = decode_recording(data)
    assert recording.counts.ignored == {Ignored.COMMENT: 2}
    assert recording.counts.rejected == {Rejected.GARBAGE: 1}
    assert len(recording.positions) == 1


def test_cr_only_line_ends_split_lines_too() -> None:
    data = b"# header\r" + nmea(RMC, "\r") + nmea(GGA, "\r")
    recording = decode_recording(data)
    assert recording.counts.ignored == {Ignored.COMMENT: 1}
    assert len(recording.positions) == 1


def test_line_by_line_equals_whole() -> None:
    data = b"# header\n" + nmea(RMC) + nmea(GGA)
    decoder = RecordingDecoder()
    fixes = [f for line in data.splitlines(keepends=True) for f in decoder.line(line)]
    fixes += decoder.end()
    assert tuple(fixes) == decode_recording(data).fixes
