"""Quantile gradient-boosted trees (LightGBM) for p10, p50 and p90 of final yield.

Trees, because they take NaN for a missing sensor group natively and export
to ONNX's TreeEnsemble operator, which onnxruntime runs in microseconds.
Each training row is also shown with random sensor groups removed, so one
model serves every combination of sensors a field may have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from models.calibration import ALL_PATTERNS, FULL_PATTERN
from models.features import FEATURES, GROUP_COLUMNS, Group

QUANTILES: tuple[float, float, float] = (0.1, 0.5, 0.9)
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BoostParams:
    trees: int = 300
    """Boosting rounds of the central model."""
    band_trees: int = 150
    """…and of the p10 and p90 models. onnxruntime holds about 250 bytes per tree
    node in memory, whatever the trees' shape (fewer, deeper trees of the same
    leaf budget took as much); 150 band trees per edge instead of 300 keep a
    process holding all three crops' models under 60 MB added. They learn at twice
    the rate, and the conformal correction absorbs what they lose in fit."""
    leaves: int = 15
    learning_rate: float = 0.05
    band_learning_rate: float | None = 0.1
    """Of the p10 and p90 models; None: ``learning_rate``."""
    min_child_samples: int = 100
    masked_copies: int = 1
    """Extra copies of each row with random sensor groups removed."""
    seed: int = 7
    band_sees_rising: bool = True
    """Whether the p10 and p90 models see the ``rising`` features (``monotone``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def lightgbm(self, alpha: float) -> dict[str, Any]:
        # The central forecast is fitted to squared error (the conditional mean):
        # on held-out years it beat the median (quantile 0.5) model's RMSE by
        # 10-15 % for maize, where LightGBM's quantile loss gives trees only the
        # sign of each error to learn from.
        objective = {"objective": "regression"} if alpha == 0.5 else {"objective": "quantile"}
        return {
            **objective,
            "alpha": alpha,
            "n_estimators": self.trees if alpha == 0.5 else self.band_trees,
            "num_leaves": self.leaves,
            "learning_rate": (
                self.learning_rate
                if alpha == 0.5 or self.band_learning_rate is None
                else self.band_learning_rate
            ),
            "min_child_samples": self.min_child_samples,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            # One thread: on a shared two-core machine more threads than free
            # cores made tree training many times slower.
            "n_jobs": 1,
            "deterministic": True,
            "force_row_wise": True,
            "random_state": self.seed,
            "verbose": -1,
            **(self.monotone() if alpha == 0.5 else {}),
            **self.extra,
        }

    @staticmethod
    def monotone() -> dict[str, Any]:
        """The central model's constraint that yield only rises with a ``rising``
        feature. LightGBM refuses constraints with a quantile objective: the band
        models see those features unconstrained (unless ``band_sees_rising`` is
        off). Blind to them, the band stayed where the years' average put it while
        the central forecast rose with CO2, so seasons sown after the training years
        had their p50 near the band's top; what the band models learn of single
        years by them shows in their out-of-fold errors, and the conformal
        correction widens for it (too much for rice: docs/forecasting.md)."""
        # "advanced" keeps the constraint without over-constraining the other
        # features' splits as LightGBM's default ("basic") method does.
        return {
            "monotone_constraints": [int(f.rising) for f in FEATURES],
            "monotone_constraints_method": "advanced",
        }


def mask_groups(x: FloatArray, groups: frozenset[Group]) -> FloatArray:
    """A copy of ``x`` with every optional group not in ``groups`` removed (NaN)."""
    out = x.copy()
    for g in set(ALL_PATTERNS[-1]) - groups:
        out[:, list(GROUP_COLUMNS[g])] = np.nan
    return out


def augment(x: FloatArray, y: FloatArray, params: BoostParams) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(params.seed)
    partial = [p for p in ALL_PATTERNS if p != FULL_PATTERN]
    xs, ys = [x], [y]
    for _ in range(params.masked_copies):
        choice = rng.integers(len(partial), size=x.shape[0])
        copy = x.copy()
        for i, pattern in enumerate(partial):
            rows = choice == i
            copy[rows] = mask_groups(x[rows], pattern)
        xs.append(copy)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


@dataclass(frozen=True, slots=True)
class QuantileModel:
    regressors: tuple[Any, ...]
    """One fitted ``lightgbm.LGBMRegressor`` per quantile."""

    def predict(self, x: FloatArray) -> FloatArray:
        """Shape (n, len(quantiles)), raw (not yet calibrated)."""
        result: FloatArray = np.column_stack([r.predict(x) for r in self.regressors])
        return result


def fit_quantiles(
    x: FloatArray,
    y: FloatArray,
    params: BoostParams,
    quantiles: Sequence[float] = QUANTILES,
) -> QuantileModel:
    import lightgbm  # type: ignore[import-untyped,import-not-found,unused-ignore]

    xa, ya = augment(x, y, params)
    band_x = xa
    if not params.band_sees_rising:
        # A constant column gives the band models nothing to split on.
        band_x = xa.copy()
        band_x[:, [i for i, f in enumerate(FEATURES) if f.rising]] = 0.0
    models = []
    for q in quantiles:
        model = lightgbm.LGBMRegressor(**params.lightgbm(q))
        model.fit(xa if q == 0.5 else band_x, ya)
        models.append(model)
    return QuantileModel(tuple(models))
