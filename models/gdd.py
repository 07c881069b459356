"""Growing degree days, AquaCrop's method 3.

The daily maximum is held between the base and upper temperatures, the
minimum only below the upper one, and the mean of the two is floored at the
base (Raes et al., AquaCrop reference manual, ch. 3 "growing degrees").
Training data come from AquaCrop, so the gateway must count thermal time
exactly as the crop model did.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def daily_gdd(tmin: FloatArray, tmax: FloatArray, tbase: float, tupp: float) -> FloatArray:
    """°C·d per day; NaN where either temperature is missing."""
    hi = np.clip(tmax, tbase, tupp)
    lo = np.minimum(tmin, tupp)
    result: FloatArray = np.maximum((hi + lo) / 2.0, tbase) - tbase
    return result


def carried_forward(daily: FloatArray) -> FloatArray:
    """``daily`` with each missing day given the last known day's value (0 before any).

    Thermal time keeps passing on a day the thermometer missed: counting such a
    day as none puts a crop's flowering a week late after a few gaps (and a day
    without ET0 still dries the soil). Only earlier days are used, so a feature
    on day D still sees days before D only.
    """
    known = ~np.isnan(daily)
    last = np.where(known, np.arange(daily.size), 0)
    np.maximum.accumulate(last, out=last)
    result: FloatArray = np.where(known[last], daily[last], 0.0)
    return result
