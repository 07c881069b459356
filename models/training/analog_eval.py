"""``kakashi model analog-experiment``: the analogue-year ensemble on held-out years.

Seasons are drawn (seeded) from the main split's training and test years; the
bias/band model learns from the training seasons, whose analogues are other
training years, and is judged on the test seasons, whose analogues are
training years only. The split is the shipped model's (the first rotation's),
and a stage is the day the gateway's progress reaches it, as in training, so
the same test seasons are forecast by the shipped model and by climatology on
equal ground.

The ensemble's mean is nearly the best forecast possible without knowing the
weather to come: it runs the very model that made the "truth", from the
field's exact soil and irrigation rule, over every past year's rest of the
season. How close it gets is the floor any sensor-driven model works against.
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
from models.model_file import read_model_file
from models.training.analog import Job, analog_years, ensembles
from models.training.conformal import correction
from models.training.dataset import SeasonView, season_view
from models.training.evaluate import STAGES, climatology, coverage, rmse
from models.training.fit import BoostParams
from models.training.seasons import SeasonStore
from models.training.sensors import season_rng
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


def _view(store: SeasonStore, i: int, seed: int) -> SeasonView:
    """The season as its training rows saw it: the same sensor error, the same stages."""
    return season_view(store, i, season_rng(seed, store.season(i).key))


def _rows(
    store: SeasonStore,
    chosen: list[int],
    years: list[int],
    analogs: int,
    seed: int,
    workers: int,
    stages: tuple[int, ...],
) -> Rows:
    jobs: list[Job] = []
    index: list[tuple[int, int, int]] = []
    for i in chosen:
        season = store.season(i)
        view = _view(store, i, seed)
        for stage in stages:
            day = view.stages[STAGES.index(stage)]
            for year in analog_years(season, years, analogs or len(years), seed):
                jobs.append(Job(season, view.observed, day, year))
                index.append((i, stage, len(jobs) - 1))
    yields = ensembles(jobs, workers)
    seasons, stage_of, xs, ys = [], [], [], []
    for i in chosen:
        for stage in stages:
            runs = np.asarray([yields[j] for s, st, j in index if s == i and st == stage])
            runs = runs[~np.isnan(runs)]
            if runs.size < 5:
                continue
            q10, q50, q90 = np.quantile(runs, [0.1, 0.5, 0.9])
            xs.append([q10, q50, q90, float(runs.mean()), stage / 100])
            ys.append(float(store.yield_t_ha[i]))
            seasons.append(i)
            stage_of.append(stage)
    return Rows(
        np.asarray(seasons, dtype=np.int64),
        np.asarray(stage_of, dtype=np.int64),
        np.asarray(xs).reshape(-1, len(INPUTS)),
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
    return {int(s): correction(scores[train.stage == s]) for s in np.unique(train.stage)}


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
from models.training.analog import Job, run_job
from models.training.seasons import SeasonStore
from models.training.sensors import observe, season_rng
store = SeasonStore.load(__import__('pathlib').Path({store!r}), {crop!r})
season = store.season({index})
observed = observe(store.series({index}), season_rng(0, season.key))
t0 = time.perf_counter()
for year in {years!r}:
    run_job(Job(season, observed, {day}, year))
elapsed = time.perf_counter() - t0
if {model!r}:
    import onnxruntime
    session = onnxruntime.InferenceSession({model!r}, providers=['CPUExecutionProvider'])
print(rss() - before, elapsed)
"""


def _memory(
    store_path: Path, crop: str, index: int, years: list[int], day: int, model: Path | None
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
        model=str(model) if model else "",
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def _shipped_forecasts(store: SeasonStore, rows: Rows, shipped: Path, seed: int) -> FloatArray:
    """The shipped model's central forecast on each row's season and stage, from the
    very feature row its evaluation scored."""
    model = read_model_file(shipped)
    views = {int(i): _view(store, int(i), seed) for i in np.unique(rows.season)}
    x = np.asarray(
        [
            views[int(i)].every_day[views[int(i)].stages[STAGES.index(int(stage))] - 1]
            for i, stage in zip(rows.season, rows.stage, strict=True)
        ]
    )
    return model.predict_raw(x.astype(np.float32))[:, 1].astype(np.float64)


def _scores(
    ensemble: FloatArray, y: FloatArray, ml: FloatArray, base: FloatArray
) -> dict[str, Any]:
    """RMSE of the ensemble (INPUTS per row), the shipped model and climatology."""
    return {
        "rmse_ensemble_mean": rmse(ensemble[:, 3], y),
        "rmse_ensemble_median": rmse(ensemble[:, 1], y),
        "rmse_shipped_model": rmse(ml, y),
        "rmse_climatology": rmse(base, y),
        "rows": int(y.size),
    }


def run_experiment(
    store_path: Path,
    crop: str,
    shipped: Path,
    out_dir: Path,
    *,
    seasons: int,
    fit_seasons: int,
    analogs: int,
    stages: tuple[int, ...],
    workers: int,
    seed: int,
) -> dict[str, Any]:
    """``analogs`` 0 means every usable training year; ``fit_seasons`` 0 skips the
    bias model and its band (the ensemble alone is judged)."""
    store = SeasonStore.load(store_path, crop)
    years = campaigns(store.info["planted"])
    split = split_years(years, BoostParams().seed)
    # Real seasons only: spliced ones (models.training.splice) are training material.
    test = split.is_test(years) & store.real()
    trained = ~split.is_test(years) & store.real()
    rng = np.random.default_rng(seed)
    train_pick = sorted(
        rng.choice(np.flatnonzero(trained), size=fit_seasons, replace=False).tolist()
    )
    test_pick = sorted(rng.choice(np.flatnonzero(test), size=seasons, replace=False).tolist())
    train_years = list(split.train_years)
    tag = f"{fit_seasons}+{seasons}x{analogs or 'all'}-{'-'.join(map(str, stages))}-{seed}"
    cache = out_dir / f"analog-rows-{crop}-{tag}.npz"
    if cache.exists():
        train, tested = _load_rows(cache)
    else:
        started = time.perf_counter()
        train = _rows(store, train_pick, train_years, analogs, seed, workers, stages)
        tested = _rows(store, test_pick, train_years, analogs, seed, workers, stages)
        log.info("analogue runs took %.0f s", time.perf_counter() - started)
        out_dir.mkdir(parents=True, exist_ok=True)
        _save_rows(cache, train, tested)

    onnx_path: Path | None = None
    if train.y.size:
        model = _fit(train.x, train.y)
        band = _band(train, years)
        out_dir.mkdir(parents=True, exist_ok=True)
        onnx_path = out_dir / f"analog-bias-{crop}.onnx"
        _export(model, band, onnx_path, crop)
        pred = _predict(model, tested.x)
        spread = np.maximum(tested.x[:, 2] - tested.x[:, 0], MIN_WIDTH)
        half = np.asarray([band[int(s)] for s in tested.stage]) * spread

    keys = list(zip(*(store.info[c] for c in ("site", "soil", "strategy")), strict=True))
    train_seasons = np.flatnonzero(trained)
    base = climatology(
        [keys[i] for i in train_seasons],
        store.yield_t_ha[train_seasons],
        [keys[i] for i in tested.season],
    )
    ml = _shipped_forecasts(store, tested, shipped, seed)
    sites = np.asarray([store.info["site"][i] for i in tested.season])
    figures: dict[str, Any] = {
        "test_seasons": seasons,
        "fit_seasons": fit_seasons,
        "analogue_years": analogs or "all training years",
        "split": f"the shipped model's: test years {list(split.test_years)}",
    }
    for stage in stages:
        at = tested.stage == stage
        y = tested.y[at]
        stage_figures = _scores(tested.x[at], y, ml[at], base[at])
        stage_figures["coverage_ensemble_p10_p90"] = coverage(tested.x[at, 0], tested.x[at, 2], y)
        if onnx_path is not None:
            stage_figures["rmse_bias_corrected"] = rmse(pred[at], y)
            stage_figures["coverage_corrected_band"] = coverage(
                pred[at] - half[at], pred[at] + half[at], y
            )
        stage_figures["by_site"] = {
            str(site): _scores(tested.x[here], tested.y[here], ml[here], base[here])
            for site in np.unique(sites[at])
            for here in [at & (sites == site)]
        }
        figures[f"{stage}%"] = stage_figures
    index = test_pick[0]
    day = _view(store, index, seed).stages[STAGES.index(stages[0])]
    ensemble_years = analog_years(store.season(index), train_years, analogs or 12, seed)
    added, seconds = _memory(store_path, crop, index, ensemble_years, day, onnx_path)
    figures["rss_added_mb"] = added
    figures["seconds_per_ensemble"] = seconds
    figures["ensemble_runs_timed"] = len(ensemble_years)
    if onnx_path is not None:
        figures["bias_model_bytes"] = onnx_path.stat().st_size
    (out_dir / f"analog-{crop}-{tag}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures
