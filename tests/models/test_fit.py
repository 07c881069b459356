"""Fitting the quantile ensembles: the CO2 constraint and which models see it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("lightgbm", reason="fitting needs the kakashi[train] extra")

from models.features import FEATURE_NAMES
from models.training.fit import BoostParams, fit_quantiles

CO2 = FEATURE_NAMES.index("co2_ppm")
SMALL = BoostParams(trees=60, band_trees=60, leaves=4, min_child_samples=20, masked_copies=0)


def _rows() -> tuple[np.ndarray, np.ndarray]:
    # Yield rises with CO2 on average, but single "years" (CO2 values) swing
    # around it: a free model would follow the swings, a monotone one cannot.
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, size=(3000, len(FEATURE_NAMES)))
    year = rng.integers(0, 30, size=x.shape[0])
    x[:, CO2] = 340.0 + 2.5 * year
    swing = np.where(year % 2 == 0, 1.0, -1.0)
    y = 5.0 + 0.02 * (x[:, CO2] - 340.0) + swing + rng.normal(0, 0.2, x.shape[0])
    return x, y


def _along_co2(x: np.ndarray) -> np.ndarray:
    row = np.tile(x[0], (30, 1))
    row[:, CO2] = 340.0 + 2.5 * np.arange(30)
    return row


def test_the_central_forecast_only_rises_with_co2() -> None:
    x, y = _rows()
    central = fit_quantiles(x, y, SMALL, quantiles=(0.5,)).predict(_along_co2(x))[:, 0]
    assert np.all(np.diff(central) >= -1e-9)
    assert central[-1] > central[0] + 0.5  # the trend itself is learnt


def test_band_models_see_co2_unless_told_not_to() -> None:
    x, y = _rows()
    seeing = fit_quantiles(x, y, SMALL).predict(_along_co2(x))
    blind = fit_quantiles(x, y, replace(SMALL, band_sees_rising=False))
    edges = blind.predict(_along_co2(x))
    assert np.ptp(edges[:, 0]) == 0.0
    assert np.ptp(edges[:, 2]) == 0.0
    assert np.ptp(seeing[:, 0]) > 0.5  # free, the band follows the years' swings
