"""When faults begin and end: the scenario's schedule plus those added at run time.

The board only keeps time; ``sim.runtime`` turns the set of active faults
into the state of devices, buses and vehicles each time it changes, so
overlapping faults on one target combine and end cleanly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sim.scenario import FaultScenario


@dataclass(frozen=True, slots=True)
class ScheduledFault:
    id: int
    spec: FaultScenario
    start_ts: float
    end_ts: float | None
    source: str
    """``scenario`` or ``api``."""

    def active(self, ts: float) -> bool:
        return self.start_ts <= ts and (self.end_ts is None or ts < self.end_ts)

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.spec.kind,
            "target": self.spec.target,
            "start_ts": self.start_ts,
            "end_ts": self.end_ts,
            "params": dict(self.spec.params),
            "source": self.source,
            "active": self.active(now),
        }


class FaultBoard:
    def __init__(self, start_ts: float, faults: tuple[FaultScenario, ...] = ()) -> None:
        self.start_ts = start_ts
        self._ids = itertools.count(1)
        self.faults: dict[int, ScheduledFault] = {}
        self._active: frozenset[int] = frozenset()
        for spec in faults:
            self.add(spec, "scenario")

    def add(self, spec: FaultScenario, source: str) -> ScheduledFault:
        start = self.start_ts + spec.at_s
        end = None if spec.duration_s is None else start + spec.duration_s
        fault = ScheduledFault(next(self._ids), spec, start, end, source)
        self.faults[fault.id] = fault
        return fault

    def end(self, fault_id: int, now: float) -> ScheduledFault:
        """End a fault now (or forget one not begun); KeyError if there is none."""
        fault = self.faults[fault_id]
        if fault.start_ts > now:
            del self.faults[fault_id]
            return fault
        ended = ScheduledFault(fault.id, fault.spec, fault.start_ts, now, fault.source)
        self.faults[fault_id] = ended
        return ended

    def active(self, now: float) -> list[ScheduledFault]:
        return [f for f in self.faults.values() if f.active(now)]

    def update(self, now: float) -> tuple[list[ScheduledFault], list[ScheduledFault]] | None:
        """(started, ended) since the last call, or None when nothing changed."""
        active = frozenset(f.id for f in self.active(now))
        if active == self._active:
            return None
        started = [self.faults[i] for i in sorted(active - self._active)]
        ended = [self.faults[i] for i in sorted(self._active - active) if i in self.faults]
        self._active = active
        # Faults long over are forgotten so a long run does not keep them all.
        for fid in [
            i for i, f in self.faults.items() if f.end_ts is not None and f.end_ts < now - 86400
        ]:
            del self.faults[fid]
        return started, ended
