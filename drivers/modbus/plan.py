"""Read planning: the fewest read requests that cover a device's points.

On a 9600-baud line every request costs a round trip plus the device's latency,
while one more register costs ~2 ms, so near-adjacent points are read together
and the registers in small gaps are read and ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drivers.modbus.pdu import MAX_READ_BITS, MAX_READ_REGISTERS
from drivers.profile import Function, Point

DEFAULT_MAX_GAP = 8


@dataclass(frozen=True, slots=True)
class ReadBlock:
    """One read request and the points it carries."""

    function: Function
    address: int
    count: int
    points: tuple[Point, ...]

    @property
    def end(self) -> int:
        return self.address + self.count

    def slice_for(self, point: Point, values: Sequence[int]) -> Sequence[int]:
        """The part of this block's response that belongs to ``point``."""
        start = point.address - self.address
        return values[start : start + point.register_count]


def plan_reads(points: Sequence[Point], *, max_gap: int = DEFAULT_MAX_GAP) -> list[ReadBlock]:
    """Blocks per function (in table order), merging points at most ``max_gap`` apart.

    Greedy merging over points sorted by address is optimal here: each block is
    extended as far as the gap and size limits allow, and no point is split.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap: expected >= 0, found {max_gap}")
    blocks: list[ReadBlock] = []
    for function in Function:
        ordered = sorted((p for p in points if p.function is function), key=lambda p: p.address)
        limit = MAX_READ_BITS if function.is_bits else MAX_READ_REGISTERS
        current: list[Point] = []
        start = end = 0
        for point in ordered:
            if current and point.address - end <= max_gap and max(end, point.end) - start <= limit:
                current.append(point)
                end = max(end, point.end)
                continue
            if current:
                blocks.append(ReadBlock(function, start, end - start, tuple(current)))
            current, start, end = [point], point.address, point.end
        if current:
            blocks.append(ReadBlock(function, start, end - start, tuple(current)))
    return blocks
