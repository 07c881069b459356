"""Error figures on held-out weather years, and the climatology baseline they must beat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
STAGES: tuple[int, ...] = (30, 60, 90)
"""Percent of the season at which errors are reported."""


def rmse(pred: FloatArray, y: FloatArray) -> float:
    return float(np.sqrt(np.mean((pred - y) ** 2)))


def mape(pred: FloatArray, y: FloatArray) -> float:
    """In percent, over seasons with a yield of at least 0.5 t/ha (a failed crop has no
    meaningful relative error)."""
    keep = y >= 0.5
    return float(100.0 * np.mean(np.abs(pred[keep] - y[keep]) / y[keep]))


def coverage(lo: FloatArray, hi: FloatArray, y: FloatArray) -> float:
    return float(np.mean((y >= lo) & (y <= hi)))


def climatology(
    train_keys: Sequence[tuple[str, ...]],
    train_yield: FloatArray,
    keys: Sequence[tuple[str, ...]],
    fallback_keys: Sequence[tuple[str, ...]] | None = None,
    train_fallback_keys: Sequence[tuple[str, ...]] | None = None,
) -> FloatArray:
    """Mean training yield of each season's group (e.g. site, soil, irrigation strategy).

    A group never seen in training (a held-out site) falls back to the coarser
    group (soil, strategy) when fallback keys are given.
    """
    sums: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for k, v in zip(train_keys, train_yield, strict=True):
        sums[k].append(float(v))
    coarse: dict[tuple[str, ...], list[float]] = defaultdict(list)
    if train_fallback_keys is not None:
        for k, v in zip(train_fallback_keys, train_yield, strict=True):
            coarse[k].append(float(v))
    out = np.empty(len(keys))
    for i, k in enumerate(keys):
        if k in sums:
            out[i] = np.mean(sums[k])
        elif fallback_keys is not None and fallback_keys[i] in coarse:
            out[i] = np.mean(coarse[fallback_keys[i]])
        else:
            raise KeyError(f"climatology: no training season in group {k}")
    return out


def stage_table(
    p50: FloatArray,
    baseline: FloatArray,
    y: FloatArray,
    stage: npt.NDArray[np.int64],
    band: tuple[FloatArray, FloatArray] | None = None,
    pooled: FloatArray | None = None,
) -> dict[str, dict[str, float]]:
    """RMSE (t/ha) and MAPE (%) of the model and of climatology at each stage; coverage."""
    table: dict[str, dict[str, float]] = {}
    for s in STAGES:
        rows = stage == s
        if not rows.any():
            continue
        entry = {
            "rmse": rmse(p50[rows], y[rows]),
            "mape": mape(p50[rows], y[rows]),
            "rmse_climatology": rmse(baseline[rows], y[rows]),
            "mape_climatology": mape(baseline[rows], y[rows]),
            "seasons": float(rows.sum()),
        }
        entry["rmse_ratio"] = entry["rmse"] / entry["rmse_climatology"]
        if pooled is not None:
            # The same baseline without the site: mean of every site's training
            # years for the crop, soil and irrigation strategy.
            entry["rmse_climatology_pooled"] = rmse(pooled[rows], y[rows])
            entry["mape_climatology_pooled"] = mape(pooled[rows], y[rows])
        if band is not None:
            entry["coverage_p10_p90"] = coverage(band[0][rows], band[1][rows], y[rows])
        table[f"{s}%"] = entry
    return table
