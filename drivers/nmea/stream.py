"""Bytes in, fixes out: framing, checking, decoding and assembly, with counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.nmea.assembler import FixAssembler
from drivers.nmea.counts import Ignored, NmeaCounts, Rejected
from drivers.nmea.fix import Fix
from drivers.nmea.framing import MAX_SENTENCE, Damaged, SentenceFramer
from drivers.nmea.messages import GGA, GLL, GNS, RMC, SUPPORTED, FieldError, decode_message
from drivers.nmea.sentence import SentenceError, parse_sentence


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: Rejected
    detail: str


@dataclass
class Decoded:
    """What one call produced, for a caller that keeps its own health counters."""

    fixes: list[Fix] = field(default_factory=list)
    accepted: int = 0
    ignored: int = 0
    rejections: list[Rejection] = field(default_factory=list)


class NmeaStream:
    """One receiver's stream. ``counts`` accumulates over its whole life."""

    def __init__(self, max_length: int = MAX_SENTENCE) -> None:
        self._framer = SentenceFramer(max_length)
        self._assembler = FixAssembler()
        self.counts = NmeaCounts()

    @property
    def fixes(self) -> int:
        return self._assembler.fixes

    @property
    def epochs_without_position(self) -> int:
        return self._assembler.without_position

    def feed(self, data: bytes) -> Decoded:
        out = Decoded()
        for frame in self._framer.feed(data):
            if isinstance(frame, Damaged):
                self._reject(out, frame.reason, repr(frame.data))
                continue
            self._sentence(frame.data, out)
        return out

    def end_of_burst(self) -> Decoded:
        """The line fell silent: the epoch being read is complete."""
        out = Decoded()
        self._complete(self._assembler.flush(), out)
        return out

    def end_of_input(self) -> Decoded:
        """The file ended or the port closed: a partial sentence is truncated."""
        out = Decoded()
        for damaged in self._framer.flush():
            assert isinstance(damaged, Damaged)
            self._reject(out, damaged.reason, repr(damaged.data))
        self._complete(self._assembler.flush(), out)
        return out

    def _sentence(self, frame: bytes, out: Decoded) -> None:
        try:
            sentence = parse_sentence(frame, SUPPORTED)
        except SentenceError as exc:
            if isinstance(exc.reason, Ignored):
                self.counts.ignored[exc.reason] += 1
                out.ignored += 1
            else:
                self._reject(out, exc.reason, exc.detail)
            return
        try:
            message = decode_message(sentence)
        except FieldError as exc:
            self._reject(out, Rejected.BAD_FIELD, f"{frame.decode('ascii')!r}: {exc}")
            return
        self.counts.accepted[sentence.kind] += 1
        out.accepted += 1
        if isinstance(message, GGA | RMC | GLL | GNS) and not message.valid:
            self.counts.no_fix += 1
        self._complete(self._assembler.add(message), out)

    def _complete(self, fix: Fix | None, out: Decoded) -> None:
        if fix is not None:
            out.fixes.append(fix)

    def _reject(self, out: Decoded, reason: Rejected, detail: str) -> None:
        self.counts.rejected[reason] += 1
        out.rejections.append(Rejection(reason, f"{reason}: {detail}"))
