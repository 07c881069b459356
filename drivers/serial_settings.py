"""The settings of an asynchronous serial line and the time one character takes on it."""

from __future__ import annotations

from dataclasses import dataclass

PARITIES = ("N", "E", "O")


@dataclass(frozen=True, slots=True)
class SerialSettings:
    baudrate: int = 9600
    parity: str = "N"
    stopbits: int = 1
    bytesize: int = 8

    def __post_init__(self) -> None:
        problems = []
        if not 50 <= self.baudrate <= 4_000_000:
            problems.append(f"baudrate: expected 50..4000000, found {self.baudrate}")
        if self.parity not in PARITIES:
            problems.append(f"parity: expected one of N, E, O, found {self.parity!r}")
        if self.stopbits not in (1, 2):
            problems.append(f"stopbits: expected 1 or 2, found {self.stopbits}")
        if not 5 <= self.bytesize <= 8:
            problems.append(f"bytesize: expected 5..8, found {self.bytesize}")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def bits_per_char(self) -> int:
        """Start bit, data bits, parity bit if any, stop bits: 10 for 8N1, 11 for 8E1 or 8N2."""
        return 1 + self.bytesize + (self.parity != "N") + self.stopbits

    @property
    def char_time_s(self) -> float:
        return self.bits_per_char / self.baudrate

    def describe(self) -> str:
        return f"{self.baudrate} {self.bytesize}{self.parity}{self.stopbits}"
