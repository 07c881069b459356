"""Decoding a recorded log: receiver output kept in a file, as gpsd's test logs are.

Lines starting with ``#`` are the log's own comments (gpsd's logs carry a
header of them); they are skipped and counted, never fed to the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.nmea.counts import Ignored, NmeaCounts
from drivers.nmea.fix import Fix
from drivers.nmea.stream import NmeaStream


class RecordingDecoder:
    """Line by line, so a long log never has to be in memory at once."""

    def __init__(self) -> None:
        self._stream = NmeaStream()

    @property
    def counts(self) -> NmeaCounts:
        return self._stream.counts

    def line(self, line: bytes) -> list[Fix]:
        """One line of the file, with its line end if it had one."""
        if line.startswith(b"#"):
            self._stream.counts.ignored[Ignored.COMMENT] += 1
            return []
        return self._stream.feed(line).fixes

    def end(self) -> list[Fix]:
        return self._stream.end_of_input().fixes


@dataclass(frozen=True, slots=True)
class Recording:
    fixes: tuple[Fix, ...]
    """Every epoch, with or without a position, in order."""
    counts: NmeaCounts

    @property
    def positions(self) -> tuple[Fix, ...]:
        return tuple(f for f in self.fixes if f.has_position)


def decode_recording(data: bytes) -> Recording:
    decoder = RecordingDecoder()
    fixes: list[Fix] = []
    for line in data.splitlines(keepends=True):
        fixes += decoder.line(line)
    fixes += decoder.end()
    return Recording(tuple(fixes), decoder.counts)
