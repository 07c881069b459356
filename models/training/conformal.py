"""Conformal band corrections from out-of-fold predictions (split by weather year).

For each held-out fold the score of a season-day is how far its yield fell
outside the raw band, ``max(p10 - y, y - p90)`` (negative inside), divided by
the band's width: a rainfed field in a drought-prone site, where the raw band
is wide, gets a proportionally wider correction than an irrigated one (the
scaled variant of conformalized quantile regression, Romano et al. 2019,
sec. 6). The correction c is a quantile of the scores, at the level that
made ``[p10 - c w, p90 + c w]`` hold 80 % of training years left out of it
(``calibration_level``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


LEVELS: tuple[float, ...] = tuple(round(0.70 + 0.01 * i, 2) for i in range(21))


@dataclass(frozen=True, slots=True)
class Trial:
    """One inner split of the training years, calibrated as the final model is."""

    fitted: Mapping[str, FloatArray]
    """Per sensor set: out-of-fold scores on the split's own training years."""
    fitted_stages: npt.NDArray[np.int64]
    held: Mapping[str, FloatArray]
    """Per sensor set: scores of its held-out years under a model fitted on all of
    the split's training years."""
    held_stages: npt.NDArray[np.int64]


def held_out_coverage(trials: Sequence[Trial], level: float) -> float:
    """Share of the trials' held-out years inside bands corrected at ``level``."""
    inside = 0
    total = 0
    for t in trials:
        for key, fitted in t.fitted.items():
            for stage in range(len(STAGE_EDGES) + 1):
                rows, held = t.fitted_stages == stage, t.held_stages == stage
                if not rows.any() or not held.any():
                    continue
                inside += int(np.sum(t.held[key][held] <= correction(fitted[rows], level)))
                total += int(held.sum())
    if total == 0:
        raise ValueError("no held-out rows to choose the calibration level on")
    return inside / total


def calibration_level(trials: Sequence[Trial]) -> float:
    """The smallest level whose corrections cover 80 % of years left out of them.

    The finite-sample guarantee assumes exchangeable rows; seasons of one year
    are not (one drought hits every field), and the final model, fitted on
    more years than any out-of-fold model, errs less than they do. Neither
    effect has a formula, so the level is measured: within the training years
    only, each trial holds some years out, calibrates on the rest exactly as
    the final model is calibrated, and counts how much of the held-out years
    the band covers. The level is the smallest at which the trials together
    cover 80 % (it may be below 0.80: rice's was, once measured this way).
    """
    for level in LEVELS:
        if held_out_coverage(trials, level) >= COVERAGE_TARGET:
            return level
    return LEVELS[-1]


def calibrate(
    raw_by_pattern: Mapping[str, FloatArray],
    y: FloatArray,
    progress: FloatArray,
    level: float = COVERAGE_TARGET,
) -> Calibration:
    """Corrections at ``level`` per sensor set and stage, from out-of-fold predictions."""
    stages = stage_of(progress)
    s_by_pattern = {key: scores(raw, y) for key, raw in raw_by_pattern.items()}
    table = {
        key: tuple(correction(s[stages == k], level) for k in range(len(STAGE_EDGES) + 1))
        for key, s in s_by_pattern.items()
    }
    return Calibration(STAGE_EDGES, table, level)
