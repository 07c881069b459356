"""Pollination failure from cold and heat at flowering, as AquaCrop counts it.

A grain crop's flowers open over its flowering period, most of them in its
first third; a flower that opens on a day colder than the crop's ``Tmin_up``
(or hotter than its ``Tmax_up``) is partly lost, completely at ``Tmin_lo``
(``Tmax_lo``). The lost share caps the harvest index, whatever the water.
A cold April night over English wheat sown in September costs a yield no
soil probe sees, and the gateway's own thermometer does: hence these
features. The curve and the stress coefficient follow the AquaCrop
reference manual (Raes et al., FAO, ch. 3, "adjustment of HI for failure of
pollination"); the gateway computes them from its own daily extremes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from models.crops import CropSpec

FloatArray = npt.NDArray[np.float64]

SHAPE = 13.8135
"""Curvature of the logistic stress coefficient between its two limits."""
KS_FLOOR = 0.001
"""The coefficient's value at the complete-failure limit (AquaCrop's KsPol_lo)."""


def _rate(percent: FloatArray) -> FloatArray:
    """Flowers opening per percent of the flowering period elapsed (integrates to 1)."""
    p = np.clip(percent, 0.0, 100.0)
    result: FloatArray = np.maximum(0.00558 * np.power(p, 0.63) - 0.000969 * p - 0.00383, 0.0)
    return result


def flower_share(crop: CropSpec, gdd: FloatArray) -> FloatArray:
    """Per day: the share of the crop's flowers that open that day (0 outside flowering).

    ``gdd`` is the daily thermal time, used for a crop whose season is counted in
    growing degree days (a day without it counts as the last day with it).
    """
    start, end = (f * crop.season_length for f in crop.flowering)
    before = crop.elapsed(gdd)
    step = crop.elapsed_per_day(gdd)
    p0 = 100.0 * (before - start) / (end - start)
    p1 = 100.0 * (before + step - start) / (end - start)
    lo, hi = np.clip(p0, 0.0, 100.0), np.clip(p1, 0.0, 100.0)
    result: FloatArray = (_rate(lo) + _rate(hi)) / 2.0 * (hi - lo)
    return result


def _failure(distance: FloatArray) -> FloatArray:
    """1 - stress coefficient, for ``distance`` = 0 at the onset limit, 1 at complete failure."""
    d = np.clip(distance, 0.0, 1.0)
    ks = KS_FLOOR / (KS_FLOOR + (1.0 - KS_FLOOR) * np.exp(-SHAPE * (1.0 - d)))
    result: FloatArray = np.where(d <= 0.0, 0.0, np.where(d >= 1.0, 1.0, 1.0 - ks))
    return result


def cold_failure(crop: CropSpec, tmin: FloatArray) -> FloatArray:
    """Per day: the share of that day's flowers lost to cold (0 where ``tmin`` is NaN)."""
    onset, complete = crop.cold_pollination
    return np.nan_to_num(_failure((onset - tmin) / (onset - complete)))


def heat_failure(crop: CropSpec, tmax: FloatArray) -> FloatArray:
    """Per day: the share of that day's flowers lost to heat (0 where ``tmax`` is NaN)."""
    onset, complete = crop.heat_pollination
    return np.nan_to_num(_failure((tmax - onset) / (complete - onset)))
