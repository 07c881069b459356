"""Finding sentences in a receiver's byte stream, and getting back in step after damage.

A sentence runs from ``$`` (or ``!``, the encapsulation start) to the two hex
digits after ``*``. It ends there rather than at the line end, so two sentences
whose CR LF was lost are still both found, and a ``$`` arriving before the
checksum is complete starts a new sentence and marks the old one truncated.
Damage (noise, NUL bytes, a wrong baud rate) loses at most the sentence it hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto

from drivers.nmea.counts import Rejected

MAX_SENTENCE = 128
"""Bytes from ``$`` to the last checksum digit. The standard allows 79 (82 with
CR LF), but receivers exceed it (NMEA 4.1 signal ids, long proprietary
sentences), so the limit only guards against a stream that never ends a sentence."""

KEPT_FOR_DIAGNOSTICS = 80
"""How much of damaged input is kept, to show in an error message."""

_STARTS = b"$!"
_LINE_ENDS = b"\r\n"
_BLANKS = b" \t\r\n"
_SENTENCE_STOP = re.compile(rb"[^\x20-\x7e]|[$!*]")
_OUTSIDE_STOP = re.compile(rb"[$!\r\n]")


@dataclass(frozen=True, slots=True)
class Frame:
    """A complete sentence as received: ``$`` up to and including the checksum digits."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Damaged:
    """Input that cannot be a sentence, and the first bytes of it."""

    reason: Rejected
    data: bytes


class _State(Enum):
    OUTSIDE = auto()
    SENTENCE = auto()
    DISCARD = auto()
    """After damage: drop everything up to the next start or line end."""


class SentenceFramer:
    """Incremental: feed bytes as they arrive, in pieces of any size."""

    def __init__(self, max_length: int = MAX_SENTENCE) -> None:
        if max_length < 6:
            raise ValueError(f"max_length: expected at least 6, found {max_length}")
        self.max_length = max_length
        self._state = _State.OUTSIDE
        self._buf = bytearray()
        self._star = -1
        """Index of ``*`` in the sentence being read, -1 until it has come."""
        self._garbage = bytearray()
        self._in_garbage = False

    def feed(self, data: bytes) -> list[Frame | Damaged]:
        out: list[Frame | Damaged] = []
        i, n = 0, len(data)
        while i < n:
            if self._state is _State.SENTENCE:
                i = self._sentence(data, i, out)
            else:
                i = self._between(data, i, out)
        return out

    def flush(self) -> list[Frame | Damaged]:
        """End of input (end of a file, a port closed): what is pending is damaged."""
        out: list[Frame | Damaged] = []
        if self._state is _State.SENTENCE:
            out.append(Damaged(Rejected.TRUNCATED, bytes(self._buf[:KEPT_FOR_DIAGNOSTICS])))
        self._end_garbage(out)
        self._state = _State.OUTSIDE
        self._buf.clear()
        return out

    def _between(self, data: bytes, i: int, out: list[Frame | Damaged]) -> int:
        match = _OUTSIDE_STOP.search(data, i)
        j = len(data) if match is None else match.start()
        if self._state is _State.OUTSIDE:
            skipped = data[i:j]
            if skipped.strip(_BLANKS):
                self._in_garbage = True
                room = KEPT_FOR_DIAGNOSTICS - len(self._garbage)
                if room > 0:
                    self._garbage += skipped[:room]
        if match is None:
            return j
        self._end_garbage(out)
        if data[j] in _STARTS:
            self._start(data[j : j + 1])
        else:
            self._state = _State.OUTSIDE
        return j + 1

    def _sentence(self, data: bytes, i: int, out: list[Frame | Damaged]) -> int:
        if self._star >= 0:
            return self._checksum_digit(data, i, out)
        match = _SENTENCE_STOP.search(data, i)
        j = len(data) if match is None else match.start()
        self._buf += data[i:j]
        if len(self._buf) > self.max_length:
            self._damage(Rejected.TOO_LONG, out)
            return j
        if match is None:
            return j
        byte = data[j]
        if byte in _STARTS:
            out.append(Damaged(Rejected.TRUNCATED, self._kept()))
            self._start(data[j : j + 1])
        elif byte == ord("*"):
            self._star = len(self._buf)
            self._buf.append(byte)
        elif byte in _LINE_ENDS:
            out.append(Damaged(Rejected.NO_CHECKSUM, self._kept()))
            self._state = _State.OUTSIDE
        else:
            self._buf.append(byte)
            self._damage(Rejected.BAD_CHARACTER, out)
        return j + 1

    def _checksum_digit(self, data: bytes, i: int, out: list[Frame | Damaged]) -> int:
        byte = data[i]
        if byte in _STARTS:
            out.append(Damaged(Rejected.TRUNCATED, self._kept()))
            self._start(data[i : i + 1])
        elif byte in _LINE_ENDS:
            out.append(Damaged(Rejected.TRUNCATED, self._kept()))
            self._state = _State.OUTSIDE
        elif not 0x20 <= byte <= 0x7E:
            self._buf.append(byte)
            self._damage(Rejected.BAD_CHARACTER, out)
        else:
            self._buf.append(byte)
            if len(self._buf) == self._star + 3:
                out.append(Frame(bytes(self._buf)))
                self._state = _State.OUTSIDE
        return i + 1

    def _start(self, start: bytes) -> None:
        self._state = _State.SENTENCE
        self._buf[:] = start
        self._star = -1

    def _damage(self, reason: Rejected, out: list[Frame | Damaged]) -> None:
        out.append(Damaged(reason, self._kept()))
        self._state = _State.DISCARD

    def _kept(self) -> bytes:
        return bytes(self._buf[:KEPT_FOR_DIAGNOSTICS])

    def _end_garbage(self, out: list[Frame | Damaged]) -> None:
        if self._in_garbage:
            out.append(Damaged(Rejected.GARBAGE, bytes(self._garbage)))
        self._in_garbage = False
        self._garbage.clear()
