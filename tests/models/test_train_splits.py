"""Which rows train which model when spliced seasons are in the data (needs the train extra)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("lightgbm", reason="training needs the kakashi[train] extra")

from models.calibration import FULL_PATTERN, pattern_key
from models.features import FEATURE_NAMES
from models.training.fit import BoostParams
from models.training.split import Campaigns, split_years
from models.training.train import _out_of_fold

PARAMS = BoostParams(trees=30, band_trees=10, leaves=4, min_child_samples=5, masked_copies=0)


def test_out_of_fold_forecasts_never_learn_from_a_splice_of_their_own_fold() -> None:
    """Real seasons yield 5 t/ha; spliced seasons whose donor year is in one fold
    are poisoned with 1000. That fold's out-of-fold forecasts must not see them,
    every other fold's do (so the poison would show if it leaked)."""
    rng = np.random.default_rng(3)
    years = np.arange(2000, 2010)
    split = split_years(years, seed=7)
    train_years = np.asarray(split.train_years)
    fold = split.folds(train_years)
    poisoned_donor = train_years[fold == 0]
    others = train_years[fold != 0]
    real_own = np.repeat(train_years, 20)
    spliced_own = np.repeat(others, 20)
    spliced_donor = np.resize(poisoned_donor, spliced_own.size)
    seasons = Campaigns(
        np.concatenate([real_own, spliced_own]), np.concatenate([real_own, spliced_donor])
    )
    n = seasons.own.size
    x = rng.uniform(0.0, 1.0, size=(n, len(FEATURE_NAMES)))
    y = np.where(seasons.real, 5.0, 1000.0)
    raw = _out_of_fold(x, y, seasons, split, PARAMS)[pattern_key(FULL_PATTERN)]
    assert raw.shape == (int(seasons.real.sum()), 3)
    real_fold = split.folds(seasons.own[seasons.real])
    assert np.allclose(raw[real_fold == 0, 1], 5.0, atol=1e-6)
    assert np.all(raw[real_fold != 0, 1] > 100.0)
