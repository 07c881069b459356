"""Read planning: the fewest read requests that cover a device's points.

On a 9600-baud line every request costs a round trip plus the device's latency,
while one more register costs ~2 ms, so near-adjacent points are read together
and the registers in small gaps are read and ignored. Devices that refuse some
of those merged reads are planned again with :class:`Boundary` marks that no
request may cross (see :mod:`drivers.modbus.holes`, which learns them).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from drivers.modbus.pdu import MAX_READ_BITS, MAX_READ_REGISTERS
from drivers.profile import Function, Point

DEFAULT_MAX_GAP = 8


@dataclass(frozen=True, slots=True, order=True)
class Boundary:
    """No read of ``function``'s table may cover both ``address - 1`` and ``address``."""

    function: Function
    address: int


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

    @property
    def span(self) -> str:
        """``holding 10..13``: how errors and logs name the registers of a request."""
        return f"{self.function} {self.address}..{self.end - 1}"

    def slice_for(self, point: Point, values: Sequence[int]) -> Sequence[int]:
        """The part of this block's response that belongs to ``point``."""
        start = point.address - self.address
        return values[start : start + point.register_count]

    def group_starts(self) -> list[int]:
        """Addresses where a point starts, ascending; bit fields of one register count once."""
        return sorted({p.address for p in self.points})

    def gap_ends(self) -> list[int]:
        """Addresses of the points that follow registers no point occupies."""
        ends: list[int] = []
        covered = self.address
        for point in sorted(self.points, key=lambda p: p.address):
            if point.address > covered:
                ends.append(point.address)
            covered = max(covered, point.end)
        return ends


def plan_reads(
    points: Sequence[Point],
    *,
    max_gap: int = DEFAULT_MAX_GAP,
    boundaries: Collection[Boundary] = (),
) -> list[ReadBlock]:
    """Blocks per function (in table order), merging points at most ``max_gap`` apart.

    Greedy merging over points sorted by address is optimal here: each block is
    extended as far as the gap, size and boundary limits allow, and no point is
    split. A boundary inside a point (never learned, but possible if given) is
    ignored for that point rather than cutting it.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap: expected >= 0, found {max_gap}")
    blocks: list[ReadBlock] = []
    for function in Function:
        ordered = sorted((p for p in points if p.function is function), key=lambda p: p.address)
        limit = MAX_READ_BITS if function.is_bits else MAX_READ_REGISTERS
        cuts = sorted(b.address for b in boundaries if b.function is function)
        current: list[Point] = []
        start = end = 0
        for point in ordered:
            new_end = max(end, point.end)
            if (
                current
                and point.address - end <= max_gap
                and new_end - start <= limit
                and not _cut_between(cuts, start, point.address)
            ):
                current.append(point)
                end = new_end
                continue
            if current:
                blocks.append(ReadBlock(function, start, end - start, tuple(current)))
            current, start, end = [point], point.address, point.end
        if current:
            blocks.append(ReadBlock(function, start, end - start, tuple(current)))
    return blocks


def _cut_between(cuts: Sequence[int], start: int, address: int) -> bool:
    """A cut in (start, address]: a block from ``start`` may not take a point at ``address``."""
    i = bisect.bisect_right(cuts, start)
    return i < len(cuts) and cuts[i] <= address
