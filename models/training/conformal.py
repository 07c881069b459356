"""Conformal band corrections from out-of-fold predictions (split by weather year).

For each held-out fold the score of a season-day is how far its yield fell
outside the raw band, ``max(p10 - y, y - p90)`` (negative inside). The
correction is the score's finite-sample (1 - alpha) quantile, so that
``[p10 - c, p90 + c]`` holds 80 % of outcomes of years the model never saw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from models.calibration import COVERAGE_TARGET, Calibration

FloatArray = npt.NDArray[np.float64]
STAGE_EDGES: tuple[float, ...] = (0.4, 0.7)
"""Early, middle and late season: uncertainty shrinks as the season is seen."""


def scores(raw: FloatArray, y: FloatArray) -> FloatArray:
    result: FloatArray = np.maximum(raw[:, 0] - y, y - raw[:, 2])
    return result


def correction(s: FloatArray, coverage: float = COVERAGE_TARGET) -> float:
    """The ceil((n + 1) * coverage)-th smallest score (Romano et al. 2019, eq. 7)."""
    n = s.size
    if n == 0:
        raise ValueError("no out-of-fold rows to calibrate on")
    rank = min(math.ceil((n + 1) * coverage), n)
    return float(np.partition(s, rank - 1)[rank - 1])


def stage_of(progress: FloatArray) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = np.searchsorted(STAGE_EDGES, progress, side="right")
    return result


def calibrate(
    raw_by_pattern: Mapping[str, FloatArray], y: FloatArray, progress: FloatArray
) -> Calibration:
    stages = stage_of(progress)
    table: dict[str, tuple[float, ...]] = {}
    for key, raw in raw_by_pattern.items():
        s = scores(raw, y)
        table[key] = tuple(correction(s[stages == k]) for k in range(len(STAGE_EDGES) + 1))
    return Calibration(STAGE_EDGES, table)
