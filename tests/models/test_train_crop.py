"""The whole training of one crop on a tiny simulated dataset (needs the train extra).

Eleven rice seasons (one per year) and their splices through AquaCrop, then four rotations
of fitting, calibration and evaluation with a few trees: the figures mean
nothing, the bookkeeping is what is checked.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("aquacrop", reason="training needs the kakashi[train] extra")

from models.training.dataset import Dataset, featurize
from models.training.fit import BoostParams
from models.training.scenarios import DatasetConfig, Strategy
from models.training.seasons import build_dataset
from models.training.train import train_crop

CONFIG = DatasetConfig(
    crops=("rice",),
    soils=("Paddy",),
    strategies=(Strategy.FLOODED,),
    plantings_per_site=1,
    random_days=4,
    splices=1,
)
PARAMS = BoostParams(trees=5, band_trees=5, leaves=4, min_child_samples=5, masked_copies=0)


@pytest.fixture(scope="module")
def data() -> Dataset:
    store, failures = build_dataset("rice", CONFIG, workers=2)
    assert failures == []
    return featurize(store, CONFIG)


def test_figures_are_of_real_seasons_and_workers_do_not_change_them(data: Dataset) -> None:
    real = data.real()
    assert 0 < int((~real).sum()) <= int(real.sum())
    one = train_crop(data, PARAMS, seed=7)
    two = train_crop(data, PARAMS, seed=7, workers=2)
    assert one.evaluation == two.evaluation
    np.testing.assert_array_equal(one.check_rows, two.check_rows)
    evaluation = one.evaluation
    assert evaluation["test_seasons"] == int(real.sum())
    assert one.training_data["spliced_seasons"] == int((~real).sum())
    # Every real season is forecast once, at each stage, by a rotation that never saw it.
    assert sum(t["60%"]["seasons"] for t in evaluation["by_rotation"]) == int(real.sum())
    tested = sorted(y for r in evaluation["rotations"] for y in r)
    assert len(tested) == len(set(tested))
