"""Cutting a byte stream into lines at a delimiter, with a bound on line length.

A device that never sends the delimiter (wrong setting, noise, a wrong baud
rate) must not make the buffer grow without end: a line longer than the limit
is cut, reported, and everything up to the next delimiter dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

KEPT_FOR_DIAGNOSTICS = 80


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line that passed the limit; ``head`` is its beginning, for an error message."""

    head: bytes


@dataclass(frozen=True, slots=True)
class Unterminated:
    """What was left without a delimiter when the input ended."""

    data: bytes


class LineFramer:
    def __init__(self, delimiter: bytes, max_length: int) -> None:
        if not delimiter:
            raise ValueError("delimiter: expected at least one byte")
        if max_length < 1:
            raise ValueError(f"max_length: expected at least 1, found {max_length}")
        self.delimiter = delimiter
        self.max_length = max_length
        self._buf = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> list[bytes | Overlong]:
        """Complete lines, without their delimiter, in order."""
        out: list[bytes | Overlong] = []
        self._buf += data
        start = 0
        while True:
            end = self._buf.find(self.delimiter, start)
            if end < 0:
                break
            if self._discarding:
                self._discarding = False
            elif end - start > self.max_length:
                head = self._buf[start : min(end, start + KEPT_FOR_DIAGNOSTICS)]
                out.append(Overlong(bytes(head)))
            else:
                out.append(bytes(self._buf[start:end]))
            start = end + len(self.delimiter)
        del self._buf[:start]
        # Keep a tail that may be the start of a split delimiter, drop the rest.
        if len(self._buf) > self.max_length + len(self.delimiter) - 1:
            if not self._discarding:
                out.append(Overlong(bytes(self._buf[:KEPT_FOR_DIAGNOSTICS])))
                self._discarding = True
            del self._buf[: len(self._buf) - (len(self.delimiter) - 1)]
        return out

    def flush(self) -> list[Unterminated]:
        """End of input: a pending partial line is returned as unterminated."""
        pending, discarding = bytes(self._buf), self._discarding
        self._buf.clear()
        self._discarding = False
        return [Unterminated(pending)] if pending and not discarding else []
