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
