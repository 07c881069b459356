"""The dataset builder on a tiny grid: two rice seasons through AquaCrop."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("aquacrop", reason="the dataset builder needs the kakashi[train] extra")

from models.features import FEATURE_NAMES
from models.training.dataset import featurize, season_view
from models.training.scenarios import DatasetConfig, Strategy
from models.training.seasons import build_dataset
from models.training.sensors import season_rng

TINY = DatasetConfig(
    crops=("rice",),
    max_years=2,
    soils=("Paddy",),
    strategies=(Strategy.FLOODED,),
    plantings_per_site=1,
    random_days=4,
)


def test_building_twice_gives_the_same_seasons_and_rows() -> None:
    first, failures = build_dataset("rice", TINY)
    second, _ = build_dataset("rice", TINY)
    assert failures == []
    assert first.seasons == 2
    assert first.digest() == second.digest()
    assert featurize(first, TINY).digest() == featurize(second, TINY).digest()


def test_seasons_have_a_yield_and_a_full_record() -> None:
    store, _ = build_dataset("rice", TINY)
    assert np.all(store.yield_t_ha > 1.0)
    assert store.info["planted"] == ["2000-06-25", "2001-06-25"]
    series = store.series(0)
    assert series.days == store.length[0]
    assert not np.isnan(series.sm_shallow).any()
    rows = featurize(store, TINY)
    assert rows.features.shape == (2 * (3 + 4), len(FEATURE_NAMES))
    assert sorted(set(rows.row_eval.tolist())) == [0, 30, 60, 90]


def test_the_seed_changes_sensor_error_not_the_simulation() -> None:
    store, _ = build_dataset("rice", TINY)
    other = replace(TINY, seed=TINY.seed + 1)
    assert featurize(store, TINY).digest() != featurize(store, other).digest()


def test_a_season_view_is_what_its_evaluation_rows_saw() -> None:
    """The analogue experiment scores a season through ``season_view``: the same
    sensor error, stage days and feature rows as the training's evaluation rows."""
    store, _ = build_dataset("rice", TINY)
    rows = featurize(store, TINY)
    for i in range(store.seasons):
        view = season_view(store, i, season_rng(TINY.seed, store.season(i).key))
        tagged = (rows.row_season == i) & (rows.row_eval > 0)
        assert rows.row_day[tagged].tolist() == view.stages
        np.testing.assert_array_equal(
            rows.features[tagged], view.every_day[np.asarray(view.stages) - 1].astype(np.float32)
        )
