"""Decoding a recorded log: a whole file of receiver output, as gpsd's test logs are kept.

Lines starting with ``#`` are the log's own comments (gpsd's logs carry a
header of them); they are skipped and counted, never fed to the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.nmea.counts import Ignored, NmeaCounts
from drivers.nmea.fix import Fix
from drivers.nmea.stream import NmeaStream


@dataclass(frozen=True, slots=True)
class Recording:
    fixes: tuple[Fix, ...]
    """Every epoch, with or without a position, in order."""
    counts: NmeaCounts

    @property
    def positions(self) -> tuple[Fix, ...]:
        return tuple(f for f in self.fixes if f.has_position)


def decode_recording(data: bytes) -> Recording:
    stream = NmeaStream()
    fixes: list[Fix] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"#"):
            stream.counts.ignored[Ignored.COMMENT] += 1
            continue
        fixes.extend(stream.feed(line).fixes)
    fixes.extend(stream.end_of_input().fixes)
    return Recording(tuple(fixes), stream.counts)
