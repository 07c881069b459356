"""What a line protocol decoder hands the reader: point values, and how many lines were good."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from drivers.reading import Quality, Value


@dataclass(frozen=True, slots=True)
class PointValue:
    point: str
    value: Value
    unit: str
    quality: Quality


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    """The counter it goes to (``bad_checksum``, ``no_match``...)."""
    detail: str
    """What was wrong, naming the input, for the device's last error."""


@dataclass
class LineBatch:
    values: list[PointValue] = field(default_factory=list)
    lines: int = 0
    """Lines or sentences framed, good or bad."""
    valid: int = 0
    """Of those, the ones that carried data: the device is talking sense."""
    rejections: list[Rejection] = field(default_factory=list)


class LineDecoder(Protocol):
    def feed(self, data: bytes) -> LineBatch:
        """Bytes as they arrived, in pieces of any size."""
        ...

    def end_of_burst(self) -> LineBatch:
        """The line fell silent: a message spread over several lines is complete."""
        ...

    def end_of_input(self) -> LineBatch:
        """The port closed: what is pending is incomplete."""
        ...
