"""An ASCII device's lines to point values, through the format of its profile."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from drivers.lines.ascii_format import AsciiFormat, AsciiPoint
from drivers.lines.decoder import LineBatch, PointValue, Rejection
from drivers.lines.framing import LineFramer, Overlong, Unterminated

_BLANKS = " \t\r\n"
"""Only these are stripped: other control characters (STX, ETX) may be part of the format."""


class AsciiRejected(StrEnum):
    TOO_LONG = "too_long"
    TRUNCATED = "truncated"
    """The port closed in the middle of a line."""
    BAD_CHARACTER = "bad_character"
    """A NUL or non-ASCII byte: line noise or a wrong baud rate."""
    NO_MATCH = "no_match"
    """The line does not fit the format (or holds none of the points' fields)."""
    MISSING_FIELD = "missing_field"
    """A point's field is not in a line that otherwise fits; counted per point."""
    BAD_FIELD = "bad_field"
    """A point's field is no value of its type; counted per point."""


class AsciiDecoder:
    def __init__(self, fmt: AsciiFormat, points: Sequence[AsciiPoint]) -> None:
        self.format = fmt
        self.points = tuple(points)
        self._framer = LineFramer(fmt.delimiter.encode("ascii"), fmt.max_length)

    def feed(self, data: bytes) -> LineBatch:
        batch = LineBatch()
        for line in self._framer.feed(data):
            if isinstance(line, Overlong):
                self._reject(batch, AsciiRejected.TOO_LONG, f"no delimiter in {line.head!r}...")
            else:
                self._line(line, batch)
        return batch

    def end_of_burst(self) -> LineBatch:
        return LineBatch()  # every line stands alone

    def end_of_input(self) -> LineBatch:
        batch = LineBatch()
        for rest in self._framer.flush():
            assert isinstance(rest, Unterminated)
            if rest.data.strip(_BLANKS.encode("ascii")):
                self._reject(batch, AsciiRejected.TRUNCATED, f"{rest.data!r}: no delimiter")
        return batch

    def _line(self, raw: bytes, batch: LineBatch) -> None:
        if b"\x00" in raw or not raw.isascii():
            self._reject(batch, AsciiRejected.BAD_CHARACTER, f"{raw!r}: NUL or non-ASCII byte")
            return
        text = raw.decode("ascii").strip(_BLANKS)
        if not text:
            return  # a blank line (a CR LF device on an LF delimiter) is no line
        fields = self.format.fields(text)
        found = [] if fields is None else [p for p in self.points if p.field in fields]
        if fields is None or not found:
            self._reject(batch, AsciiRejected.NO_MATCH, f"{text!r} does not fit the format")
            return
        batch.lines += 1
        batch.valid += 1
        for point in self.points:
            if point.field not in fields:
                batch.rejections.append(
                    Rejection(AsciiRejected.MISSING_FIELD, f"{text!r}: no field {point.field!r}")
                )
                continue
            try:
                value, quality = point.convert(fields[point.field])
            except ValueError as exc:
                batch.rejections.append(Rejection(AsciiRejected.BAD_FIELD, f"{text!r}: {exc}"))
                continue
            batch.values.append(PointValue(point.name, value, point.unit, quality))

    @staticmethod
    def _reject(batch: LineBatch, reason: AsciiRejected, detail: str) -> None:
        batch.lines += 1
        batch.rejections.append(Rejection(reason, detail))
