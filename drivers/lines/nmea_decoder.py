"""A GNSS receiver's sentences to point values: one value per configured point per fix."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.lines.decoder import LineBatch, PointValue, Rejection
from drivers.nmea.counts import NmeaCounts
from drivers.nmea.points import NmeaPoint
from drivers.nmea.stream import Decoded, NmeaStream


class NmeaDecoder:
    def __init__(self, points: Sequence[NmeaPoint]) -> None:
        self.points = tuple(points)
        self._stream = NmeaStream()

    @property
    def counts(self) -> NmeaCounts:
        return self._stream.counts

    def feed(self, data: bytes) -> LineBatch:
        return self._batch(self._stream.feed(data))

    def end_of_burst(self) -> LineBatch:
        return self._batch(self._stream.end_of_burst())

    def end_of_input(self) -> LineBatch:
        return self._batch(self._stream.end_of_input())

    def _batch(self, decoded: Decoded) -> LineBatch:
        batch = LineBatch(
            lines=decoded.accepted + decoded.ignored + len(decoded.rejections),
            valid=decoded.accepted,
            rejections=[Rejection(r.reason, r.detail) for r in decoded.rejections],
        )
        for fix in decoded.fixes:
            for point in self.points:
                read = point.read(fix)
                if read is not None:
                    batch.values.append(PointValue(point.name, read[0], point.unit, read[1]))
        return batch
