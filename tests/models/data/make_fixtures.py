"""Regenerate the test fixtures: tiny model files, and a few held-out seasons.

Needs the train extra (lightgbm, onnxmltools, onnx) and, for the seasons, the
simulated seasons under var/models (``kakashi model build-dataset``); the
tests themselves need only onnxruntime. Run from the repository root:
``python tests/models/data/make_fixtures.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from models.calibration import ALL_PATTERNS, Calibration, pattern_key
from models.daily import Variable
from models.features import FEATURE_NAMES
from models.training.export import export_model
from models.training.fit import BoostParams, fit_quantiles
from models.training.train import TrainedCrop

HERE = Path(__file__).resolve().parent


def tiny(version: str, shift: float) -> TrainedCrop:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 100, size=(400, len(FEATURE_NAMES)))
    y = 3.0 + x[:, 0] / 50 + shift
    model = fit_quantiles(x, y, BoostParams(trees=5, band_trees=5, leaves=4, masked_copies=1))
    calibration = Calibration((0.4, 0.7), {pattern_key(p): (0.3, 0.2, 0.1) for p in ALL_PATTERNS})
    return TrainedCrop(
        "rice",
        model,
        calibration,
        {"note": f"test fixture {version}", "all_sensors": {}},
        {name: (0.0, 400.0) for name in FEATURE_NAMES},
        {"description": "synthetic test fixture", "sha256": "0" * 64, "seasons": 0},
        x[:4],
    )


def _edit(path: Path, out: Path, key: str, change: Any) -> None:
    import onnx  # type: ignore[import-untyped,import-not-found,unused-ignore]

    model = onnx.load(str(path))
    for prop in model.metadata_props:
        if prop.key == key:
            prop.value = json.dumps(change(json.loads(prop.value)))
    onnx.save(model, str(out))


SEASONS_PER_CROP = 12


def fixed_seasons(data_dir: Path = Path("var/models")) -> None:
    """Seasons drawn at random (seeded) from each crop's held-out test years, as the
    gateway's sensors would have recorded them (same noise as in training)."""
    from models.context import AQUACROP_SOIL
    from models.training.fit import BoostParams
    from models.training.seasons import SeasonStore, dataset_path, store_seed
    from models.training.sensors import observe, season_rng
    from models.training.split import campaigns, split_years

    arrays: dict[str, Any] = {}
    for crop in ("maize", "wheat", "rice"):
        path = dataset_path(data_dir, crop)
        store = SeasonStore.load(path, crop)
        years = campaigns(store.info["planted"])
        test = np.flatnonzero(split_years(years, BoostParams().seed).is_test(years) & store.real())
        chosen = np.random.default_rng(5).choice(test, size=SEASONS_PER_CROP, replace=False)
        for n, i in enumerate(sorted(int(c) for c in chosen)):
            season = store.season(i)
            observed = observe(store.series(i), season_rng(store_seed(path), season.key))
            key = f"{crop}_{n}"
            arrays[f"{key}_daily"] = np.vstack(
                [observed.get(v) for v in Variable]  # rows in Variable order
            )
            arrays[f"{key}_meta"] = np.asarray(
                [
                    season.planted.isoformat(),
                    AQUACROP_SOIL[season.soil],
                    season.strategy.value,
                    season.site,
                    repr(float(store.yield_t_ha[i])),
                ]
            )
    np.savez_compressed(HERE / "seasons.npz", **arrays)


def main() -> None:
    created = dt.date(2024, 1, 1)
    v1 = export_model(tiny("1.0.0", 0.0), HERE, "1.0.0", created)
    v2 = export_model(tiny("1.1.0", 1.0), HERE, "1.1.0", created)
    v1.rename(HERE / "tiny-rice-1.0.0.onnx")
    v2.rename(HERE / "tiny-rice-1.1.0.onnx")

    def rename_feature(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
        features[3]["name"] = "soil_salinity"
        return features

    def tamper(test: dict[str, Any]) -> dict[str, Any]:
        test["output"][0][1] += 1.0
        return test

    source = HERE / "tiny-rice-1.0.0.onnx"
    _edit(source, HERE / "bad-features.onnx", "kakashi.features", rename_feature)
    _edit(source, HERE / "bad-selftest.onnx", "kakashi.selftest", tamper)
    fixed_seasons()


if __name__ == "__main__":
    main()
