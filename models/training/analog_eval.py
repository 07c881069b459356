"""``kakashi model analog-experiment``: the analogue-year ensemble on held-out years.

Seasons are drawn (seeded) from the main split's training and test years; the
bias/band model learns from the training seasons, whose analogues are other
training years, and is judged on the test seasons, whose analogues are
training years only. The same test seasons are forecast by the shipped model
and by climatology, so the three are compared on equal ground.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.calibration import MIN_WIDTH
from models.context import AQUACROP_SOIL, FieldContext
from models.crops import crop_spec
from models.features import MIN_DAYS, season_features
from models.model_file import read_model_file
from models.training.analog import Job, analog_years, ensembles
from models.training.conformal import correction
from models.training.evaluate import STAGES, climatology, coverage, rmse
from models.training.seasons import SeasonStore
from models.training.sensors import observe, season_rng
from models.training.split import campaigns, split_years

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
INPUTS = ("ens_p10", "ens_p50", "ens_p90", "ens_mean", "stage")


@dataclass(frozen=True, slots=True)
class Rows:
    season: npt.NDArray[np.int64]
    stage: npt.NDArray[np.int64]
    x: FloatArray
    """INPUTS per row."""
    y: FloatArray


def _rows(
    store: SeasonStore,
    chosen: list[int],
    years: list[int],
    analogs: int,
    seed: int,
    workers: int,
) -> Rows:
    jobs: list[Job] = []
    index: list[tuple[int, int, int]] = []
    for i in chosen:
        season = store.season(i)
        observed = observe(store.series(i), season_rng(seed, season.key))
        length = int(store.length[i])
        for stage in STAGES:
            day = max(MIN_DAYS, round(stage / 100 * length))
            for year in analog_years(season, years, analogs, seed):
                jobs.append(Job(season, observed, day, year))
                index.append((i, stage, len(jobs) - 1))
    yields = ensembles(jobs, workers)
    seasons, stages, xs, ys = [], [], [], []
    for i in chosen:
        for stage in STAGES:
            runs = np.asarray([yields[j] for s, st, j in index if s == i and st == stage])
            runs = runs[~np.isnan(runs)]
            if runs.size < 5:
                continue
            q10, q50, q90 = np.quantile(runs, [0.1, 0.5, 0.9])
            xs.append([q10, q50, q90, float(runs.mean()), stage / 100])
            ys.append(float(store.yield_t_ha[i]))
            seasons.append(i)
            stages.append(stage)
    return Rows(
        np.asarray(seasons, dtype=np.int64),
        np.asarray(stages, dtype=np.int64),
        np.asarray(xs),
        np.asarray(ys),
    )


def _save_rows(path: Path, train: Rows, tested: Rows) -> None:
    """The ensembles are the slow part (minutes); kept so the bias model can be refitted."""
    arrays = {
        f"{name}_{field}": getattr(rows, field)
        for name, rows in (("train", train), ("test", tested))
        for field in ("season", "stage", "x", "y")
    }
    np.savez_compressed(path, **arrays)


def _load_rows(path: Path) -> tuple[Rows, Rows]:
    with np.load(path) as z:

        def rows(name: str) -> Rows:
            return Rows(z[f"{name}_season"], z[f"{name}_stage"], z[f"{name}_x"], z[f"{name}_y"])

        return rows("train"), rows("test")


def _fit(x: FloatArray, y: FloatArray) -> Any:
    """The ensemble median's bias: a few shallow, strongly shrunk trees on the
    residual, so that with little to learn from it stays near the median (a first
    try, 100 trees on the yield itself, made the median worse)."""
    import lightgbm  # type: ignore[import-untyped,import-not-found,unused-ignore]

    model = lightgbm.LGBMRegressor(
        n_estimators=30,
        num_leaves=4,
        learning_rate=0.05,
        min_child_samples=20,
        n_jobs=1,
        deterministic=True,
        verbose=-1,
    )
    return model.fit(x, y - x[:, 1])


def _predict(model: Any, x: FloatArray) -> FloatArray:
    result: FloatArray = x[:, 1] + model.predict(x)
    return result


def _band(train: Rows, years: npt.NDArray[np.int64]) -> dict[int, float]:
    """Per stage, the scaled conformal half-width from five folds of training years."""
    folds = np.asarray([y % 5 for y in years[train.season]])
    pred = np.empty_like(train.y)
    for k in range(5):
        held = folds == k
        if held.any() and (~held).any():
            pred[held] = _predict(_fit(train.x[~held], train.y[~held]), train.x[held])
    spread = np.maximum(train.x[:, 2] - train.x[:, 0], MIN_WIDTH)
    scores = np.abs(train.y - pred) / spread
    return {s: correction(scores[train.stage == s]) for s in STAGES}


def _export(model: Any, band: dict[int, float], path: Path, crop: str) -> None:
    import onnx  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import onnxmltools  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from onnxmltools.convert.common.data_types import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        FloatTensorType,
    )

    proto = onnxmltools.convert_lightgbm(
        model, initial_types=[("ensemble", FloatTensorType([None, len(INPUTS)]))], target_opset=15
    )
    onnx.helper.set_model_props(
        proto,
        {
            "kakashi.name": f"kakashi-analog-bias-{crop}",
            "kakashi.inputs": json.dumps(list(INPUTS)),
            "kakashi.output": "bias of the ensemble median (t/ha): add ens_p50",
            "kakashi.band": json.dumps(
                {"kind": "scaled: pred -/+ c (ens_p90 - ens_p10)", "per_stage": band}
            ),
            "kakashi.created": dt.date.today().isoformat(),
        },
    )
    onnx.save(proto, str(path))


_MEMORY_PROBE = """
import sys, time
sys.path.insert(0, {root!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import edge.service
before = rss()
from models.training.analog import run_job
from models.training.seasons import SeasonStore
from models.training.sensors import observe, season_rng
import onnxruntime
store = SeasonStore.load(__import__('pathlib').Path({store!r}), {crop!r})
season = store.season({index})
observed = observe(store.series({index}), season_rng(0, season.key))
from models.training.analog import Job
t0 = time.perf_counter()
for year in {years!r}:
    run_job(Job(season, observed, {day}, year))
elapsed = time.perf_counter() - t0
session = onnxruntime.InferenceSession({model!r}, providers=['CPUExecutionProvider'])
print(rss() - before, elapsed)
"""


def _memory(
    store_path: Path, crop: str, index: int, years: list[int], day: int, model: Path
) -> tuple[float, float]:
    """RSS the analogue forecaster adds to a process that has imported the service,
    and the seconds one ensemble takes."""
    probe = _MEMORY_PROBE.format(
        root=str(Path(__file__).resolve().parents[2]),
        store=str(store_path),
        crop=crop,
        index=index,
        years=years,
        day=day,
        model=str(model),
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def run_experiment(
    store_path: Path,
    crop: str,
    shipped: Path,
    out_dir: Path,
    *,
    seasons: int,
    analogs: int,
    workers: int,
    seed: int,
) -> dict[str, Any]:
    store = SeasonStore.load(store_path, crop)
    years = campaigns(store.info["planted"])
    split = split_years(years, 7)
    test = split.is_test(years)
    rng = np.random.default_rng(seed)
    train_pick = sorted(rng.choice(np.flatnonzero(~test), size=seasons, replace=False).tolist())
    test_pick = sorted(rng.choice(np.flatnonzero(test), size=seasons, replace=False).tolist())
    train_years = list(split.train_years)
    cache = out_dir / f"analog-rows-{crop}-{seasons}x{analogs}-{seed}.npz"
    if cache.exists():
        train, tested = _load_rows(cache)
    else:
        started = time.perf_counter()
        train = _rows(store, train_pick, train_years, analogs, seed, workers)
        tested = _rows(store, test_pick, train_years, analogs, seed, workers)
        log.info("analogue runs took %.0f s", time.perf_counter() - started)
        out_dir.mkdir(parents=True, exist_ok=True)
        _save_rows(cache, train, tested)

    model = _fit(train.x, train.y)
    band = _band(train, years)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / f"analog-bias-{crop}.onnx"
    _export(model, band, onnx_path, crop)

    pred = _predict(model, tested.x)
    spread = np.maximum(tested.x[:, 2] - tested.x[:, 0], MIN_WIDTH)
    half = np.asarray([band[int(s)] for s in tested.stage]) * spread
    keys = list(zip(*(store.info[c] for c in ("site", "soil", "strategy")), strict=True))
    train_seasons = np.flatnonzero(~test)
    base = climatology(
        [keys[i] for i in train_seasons],
        store.yield_t_ha[train_seasons],
        [keys[i] for i in tested.season],
    )
    shipped_model = read_model_file(shipped)
    ml = np.empty_like(tested.y)
    for r, (i, stage) in enumerate(zip(tested.season, tested.stage, strict=True)):
        season = store.season(int(i))
        observed = observe(store.series(int(i)), season_rng(seed, season.key))
        day = max(MIN_DAYS, round(stage / 100 * int(store.length[i])))
        context = FieldContext(AQUACROP_SOIL[season.soil], season.strategy.value)
        x = season_features(observed, crop_spec(crop), [day], context).values
        ml[r] = shipped_model.predict_raw(x.astype(np.float32))[0, 1]
    figures: dict[str, Any] = {"seasons_per_split": seasons, "analogue_years": analogs}
    for stage in STAGES:
        rows = tested.stage == stage
        y = tested.y[rows]
        figures[f"{stage}%"] = {
            "rmse_ensemble_median": rmse(tested.x[rows, 1], y),
            "rmse_bias_corrected": rmse(pred[rows], y),
            "rmse_shipped_model": rmse(ml[rows], y),
            "rmse_climatology": rmse(base[rows], y),
            "coverage_ensemble_p10_p90": coverage(tested.x[rows, 0], tested.x[rows, 2], y),
            "coverage_corrected_band": coverage(
                pred[rows] - half[rows], pred[rows] + half[rows], y
            ),
            "rows": int(rows.sum()),
        }
    index = test_pick[0]
    day = max(MIN_DAYS, round(0.6 * int(store.length[index])))
    ensemble_years = analog_years(store.season(index), train_years, analogs, seed)
    added, seconds = _memory(store_path, crop, index, ensemble_years, day, onnx_path)
    figures["rss_added_mb"] = added
    figures["seconds_per_ensemble"] = seconds
    figures["bias_model_bytes"] = onnx_path.stat().st_size
    (out_dir / f"analog-{crop}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures
