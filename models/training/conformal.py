"""Conformal band corrections from out-of-fold predictions (split by weather year).

For each held-out fold the score of a season-day is how far its yield fell
outside the raw band, ``max(p10 - y, y - p90)`` (negative inside), divided by
the band's width: a rainfed field in a drought-prone site, where the raw band
is wide, gets a proportionally wider correction than an irrigated one (the
scaled variant of conformalized quantile regression, Romano et al. 2019,
sec. 6). The correction c is the score's finite-sample 80 % quantile, so that
``[p10 - c w, p90 + c w]`` holds 80 % of outcomes of years the model never saw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from models.calibration import COVERAGE_TARGET, Calibration, band_width

FloatArray = npt.NDArray[np.float64]
STAGE_EDGES: tuple[float, ...] = (0.4, 0.7)
"""Early, middle and late season: uncertainty shrinks as the season is seen."""


def scores(raw: FloatArray, y: FloatArray) -> FloatArray:
    """How far outside the raw band each outcome fell, in band widths (negative inside)."""
    result: FloatArray = np.maximum(raw[:, 0] - y, y - raw[:, 2]) / band_width(raw)
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


LEVELS: tuple[float, ...] = tuple(round(0.80 + 0.01 * i, 2) for i in range(11))


def cross_coverage(
    s_by_pattern: Mapping[str, FloatArray],
    stages: npt.NDArray[np.int64],
    folds: npt.NDArray[np.int64],
    level: float,
) -> float:
    """Coverage on each fold of corrections computed from the other folds."""
    inside = 0
    total = 0
    for k in np.unique(folds):
        held = folds == k
        for s in s_by_pattern.values():
            for stage in range(len(STAGE_EDGES) + 1):
                rows = stages == stage
                if not (rows & ~held).any():
                    continue
                c = correction(s[rows & ~held], level)
                inside += int(np.sum(s[rows & held] <= c))
                total += int(np.sum(rows & held))
    return inside / total


def calibration_level(
    s_by_pattern: Mapping[str, FloatArray],
    stages: npt.NDArray[np.int64],
    folds: npt.NDArray[np.int64],
) -> float:
    """The smallest level whose corrections cover 80 % of years left out of them.

    The finite-sample guarantee assumes exchangeable rows; seasons of one year
    are not (one drought hits every field), so a correction computed at 80 %
    covers less of an unseen year. The level is raised, on training years
    only, until leaving whole folds of years out still covers 80 %.
    """
    for level in LEVELS:
        if cross_coverage(s_by_pattern, stages, folds, level) >= COVERAGE_TARGET:
            return level
    return LEVELS[-1]


def calibrate(
    raw_by_pattern: Mapping[str, FloatArray],
    y: FloatArray,
    progress: FloatArray,
    folds: npt.NDArray[np.int64],
) -> Calibration:
    stages = stage_of(progress)
    s_by_pattern = {key: scores(raw, y) for key, raw in raw_by_pattern.items()}
    level = calibration_level(s_by_pattern, stages, folds)
    table = {
        key: tuple(correction(s[stages == k], level) for k in range(len(STAGE_EDGES) + 1))
        for key, s in s_by_pattern.items()
    }
    return Calibration(STAGE_EDGES, table, level)
