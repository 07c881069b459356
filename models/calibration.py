"""Calibrated bands: conformal corrections a model file carries, applied at run time.

The raw p10/p90 models of a quantile ensemble cover too little (their band
held 64-73 % of held-out outcomes in early trials). Conformalized quantile
regression (Romano, Patterson & Candès, NeurIPS 2019) widens, or narrows,
the band by a learned share of its width, here one per season stage and per
set of sensors present, so that 80 % of held-out years fall inside it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.features import OPTIONAL_GROUPS, Group

COVERAGE_TARGET = 0.8
"""p10..p90 should hold 80 % of outcomes."""
MIN_WIDTH = 0.1
"""t/ha; a raw band narrower than this is widened as if it were this wide, so a
correction never multiplies a zero width."""


def band_width(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Width of each raw p10..p90 band (rows of raw quantiles), at least MIN_WIDTH."""
    result: npt.NDArray[np.float64] = np.maximum(raw[:, 2] - raw[:, 0], MIN_WIDTH)
    return result


def pattern_key(groups: Iterable[Group]) -> str:
    """Name of a set of optional sensor groups present, e.g. ``rain+soil_shallow``."""
    present = set(groups)
    names = [g.value for g in OPTIONAL_GROUPS if g in present]
    return "+".join(names) if names else "weather_only"


ALL_PATTERNS: tuple[frozenset[Group], ...] = tuple(
    frozenset(g for i, g in enumerate(OPTIONAL_GROUPS) if mask >> i & 1)
    for mask in range(2 ** len(OPTIONAL_GROUPS))
)
FULL_PATTERN = frozenset(OPTIONAL_GROUPS)


@dataclass(frozen=True, slots=True)
class Band:
    p10: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True)
class Calibration:
    stage_edges: tuple[float, ...]
    """Season progress where one stage ends and the next begins, e.g. (0.4, 0.7)."""
    corrections: Mapping[str, tuple[float, ...]]
    """Pattern key -> band correction per stage, in raw band widths."""
    level: float = COVERAGE_TARGET
    """Quantile of the conformity scores the corrections were taken at."""

    def correction(self, pattern: str, progress: float) -> float:
        try:
            per_stage = self.corrections[pattern]
        except KeyError:
            raise KeyError(
                f"calibration has no entry for sensor set {pattern!r}; "
                f"it has {sorted(self.corrections)}"
            ) from None
        return per_stage[bisect.bisect_right(self.stage_edges, progress)]

    def apply(self, raw: tuple[float, float, float], pattern: str, progress: float) -> Band:
        """Widen the raw quantiles and keep them ordered and non-negative."""
        c = self.correction(pattern, progress) * max(raw[2] - raw[0], MIN_WIDTH)
        p50 = max(raw[1], 0.0)
        p10 = min(max(raw[0] - c, 0.0), p50)
        p90 = max(raw[2] + c, p50)
        return Band(p10, p50, p90)

    def to_json(self) -> dict[str, object]:
        return {
            "coverage_target": COVERAGE_TARGET,
            "level": self.level,
            "kind": "scaled: [p10 - c w, p90 + c w], w = max(p90 - p10, 0.1 t/ha)",
            "stage_edges": list(self.stage_edges),
            "corrections": {k: list(v) for k, v in self.corrections.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Calibration:
        edges = data["stage_edges"]
        corrections = data["corrections"]
        if not isinstance(edges, list) or not isinstance(corrections, dict):
            raise ValueError("calibration: expected stage_edges list and corrections object")
        table = {str(k): tuple(float(x) for x in v) for k, v in corrections.items()}
        for key, values in table.items():
            if len(values) != len(edges) + 1:
                raise ValueError(
                    f"calibration {key!r}: {len(values)} corrections for {len(edges) + 1} stages"
                )
        missing = {pattern_key(p) for p in ALL_PATTERNS} - set(table)
        if missing:
            raise ValueError(f"calibration lacks sensor sets {sorted(missing)}")
        level = data.get("level", COVERAGE_TARGET)
        if not isinstance(level, int | float):
            raise ValueError(f"calibration level must be a number, got {level!r}")
        return cls(tuple(float(e) for e in edges), table, float(level))
