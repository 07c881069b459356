"""Learning where a device refuses merged reads, so each refusal is paid for once.

Many devices answer "illegal data address" (exception 2) to a read that
touches a register they do not map, although the profile's points on both
sides read fine. When a merged read is refused, the block is cut at every run
of registers no point occupies (any of them may be the hole; finding which
would cost more requests than it saves). If a block without such gaps is
refused, each of its points is read alone: the points the device refuses alone
are cut out, and if none is, the device refuses reads spanning points there and
every point gets its own request. The cuts are kept as :class:`Boundary` marks
and the device's plan is recomputed from them, so later polls never repeat the
refused request. Nothing here does I/O: the poller reports what the device
answered and reads the blocks it is given.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from drivers.modbus.plan import Boundary, ReadBlock, plan_reads
from drivers.profile import Point


class LearnedPlan:
    """One device's read plan and the boundaries its refusals taught."""

    def __init__(self, points: Sequence[Point], *, max_gap: int) -> None:
        self._points = tuple(points)
        self._max_gap = max_gap
        self._boundaries: frozenset[Boundary] = frozenset()
        self._blocks = tuple(plan_reads(self._points, max_gap=max_gap))

    @property
    def blocks(self) -> tuple[ReadBlock, ...]:
        return self._blocks

    @property
    def boundaries(self) -> frozenset[Boundary]:
        return self._boundaries

    def split_at_gaps(self, block: ReadBlock) -> list[ReadBlock]:
        """Learn cuts at ``block``'s gaps and return the blocks to read instead.

        Empty if the block has no gap to cut at (read its points alone then).
        """
        cuts = block.gap_ends()
        if not cuts:
            return []
        self._learn(Boundary(block.function, a) for a in cuts)
        return self._replan(block)

    def singles(self, block: ReadBlock) -> list[ReadBlock]:
        """One block per point (bit fields of one register share theirs); nothing learned."""
        cuts = [Boundary(block.function, a) for a in block.group_starts()]
        return plan_reads(block.points, max_gap=0, boundaries=cuts)

    def isolate(self, block: ReadBlock, refused: Collection[ReadBlock]) -> list[ReadBlock]:
        """Learn from reading a refused gapless ``block`` point by point.

        ``refused`` are the single-point blocks the device refused too: they
        are cut out and the rest stays merged. If none was refused, the device
        refuses reads spanning points here, so every point is cut apart.
        Returns the blocks that now replace ``block`` in the plan.
        """
        if refused:
            cuts = {b.address for b in refused} | {b.end for b in refused if b.end < block.end}
        else:
            cuts = set(block.group_starts()[1:])
        self._learn(Boundary(block.function, a) for a in cuts)
        return self._replan(block)

    def _learn(self, boundaries: Iterable[Boundary]) -> None:
        self._boundaries = self._boundaries | frozenset(boundaries)
        self._blocks = tuple(
            plan_reads(self._points, max_gap=self._max_gap, boundaries=self._boundaries)
        )

    def _replan(self, block: ReadBlock) -> list[ReadBlock]:
        return plan_reads(block.points, max_gap=self._max_gap, boundaries=self._boundaries)
