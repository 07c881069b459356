"""What a gateway's sensors make of a simulated season: noise, calibration error, gaps.

A model trained on AquaCrop's exact soil water would learn to trust the
third decimal of a probe reading; real probes are off by a few percentage
points after installation. Magnitudes: DFRobot SEN0604 moisture accuracy
±3 % vol (vendor datasheet); tipping-bucket rain gauges under-catch by a few
percent (WMO-No. 8, ch. 6); a station's own Penman-Monteith ET0 differs from
the reference series by roughly 5-10 %.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt

from models.daily import DailySeries, Variable

FloatArray = npt.NDArray[np.float64]

GAP_SHARE = 0.03
"""Share of days each sensor misses (power cuts, radio loss)."""


def season_rng(seed: int, key: str) -> np.random.Generator:
    """One generator per season, independent of the order seasons are built in."""
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def _with_gaps(values: FloatArray, rng: np.random.Generator) -> FloatArray:
    out = values.copy()
    out[rng.random(values.size) < GAP_SHARE] = np.nan
    return out


def observe(exact: DailySeries, rng: np.random.Generator) -> DailySeries:
    """The season as the gateway's sensors would have recorded it."""
    n = exact.days
    temp_noise = rng.normal(0.0, 0.3, size=(2, n))
    rain_gain = 1.0 + rng.normal(0.0, 0.05)
    et0_gain = 1.0 + rng.normal(0.0, 0.05)
    irrigation_gain = 1.0 + rng.normal(0.0, 0.05)
    probe_bias = rng.normal(0.0, 2.0, size=2)
    probe_noise = rng.normal(0.0, 0.5, size=(2, n))
    observed = {
        Variable.TMIN: exact.tmin + temp_noise[0],
        Variable.TMAX: exact.tmax + temp_noise[1],
        Variable.RAIN: exact.rain * rain_gain,
        Variable.ET0: exact.et0 * et0_gain * (1.0 + rng.normal(0.0, 0.05, size=n)),
        Variable.IRRIGATION: exact.irrigation * irrigation_gain,
        Variable.SM_SHALLOW: np.clip(exact.sm_shallow + probe_bias[0] + probe_noise[0], 0, 100),
        Variable.SM_DEEP: np.clip(exact.sm_deep + probe_bias[1] + probe_noise[1], 0, 100),
    }
    # A missing day loses both temperature extremes together, as a station outage does.
    temp_gap = rng.random(n) < GAP_SHARE
    gapped = {v: _with_gaps(a, rng) for v, a in observed.items()}
    gapped[Variable.TMIN][temp_gap] = np.nan
    gapped[Variable.TMAX][temp_gap] = np.nan
    return DailySeries(exact.planted, *(gapped[v] for v in Variable))
