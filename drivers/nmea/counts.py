"""What the decoder did with its input: accepted, ignored or rejected, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Rejected(StrEnum):
    """Why input was thrown away. Each is a sign of a bad line, receiver or setting."""

    GARBAGE = "garbage"
    """Bytes between sentences that start none (line noise, a wrong baud rate); one per run."""
    BAD_CHARACTER = "bad_character"
    """A control or non-ASCII byte inside a sentence (NUL, noise)."""
    TOO_LONG = "too_long"
    """No end within the length limit; the rest up to the next ``$`` is dropped."""
    TRUNCATED = "truncated"
    """Cut short: a new ``$`` or the line end came before the checksum was complete."""
    NO_CHECKSUM = "no_checksum"
    BAD_CHECKSUM = "bad_checksum"
    UNKNOWN_SENTENCE = "unknown_sentence"
    """The address is not a talker and sentence type (``GPGGA``) this decoder knows."""
    BAD_FIELD = "bad_field"
    """A field count or value the sentence type does not allow."""


class Ignored(StrEnum):
    """Well-formed input that is not used. Not an error."""

    PROPRIETARY = "proprietary"
    """``$P...`` sentences (``PMTK``, ``PFST``, ``PUBX``): vendor messages."""
    UNSUPPORTED = "unsupported"
    """Standard sentences the fix does not need (``GRS``, ``GST``, ``TXT``)."""
    COMMENT = "comment"
    """``#`` lines in recorded logs (only :mod:`drivers.tools.decode_nmea` sees them)."""


@dataclass
class NmeaCounts:
    """Counters for one stream; never reset, so they can be read as rates."""

    accepted: Counter[str] = field(default_factory=Counter)
    """Decoded sentences by type (``GGA``, ``RMC``...)."""
    ignored: Counter[Ignored] = field(default_factory=Counter)
    rejected: Counter[Rejected] = field(default_factory=Counter)
    no_fix: int = 0
    """Accepted sentences saying the receiver has no valid position (RMC ``V``, GGA 0...)."""

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "accepted": self.total_accepted,
            "accepted_by_type": dict(sorted(self.accepted.items())),
            "ignored": {str(k): n for k, n in sorted(self.ignored.items())},
            "rejected": self.total_rejected,
            "rejected_by_reason": {str(k): n for k, n in sorted(self.rejected.items())},
            "no_fix": self.no_fix,
        }
