"""``kakashi model train``: fit, calibrate and evaluate on held-out years, then export.

Per crop:
1. split seasons by campaign year: one year in four is the test set, unseen
   by fitting and by calibration alike;
2. five folds over the training years give out-of-fold predictions, under
   every combination of sensor groups, from which the conformal corrections
   are computed;
3. the final model is fitted on all training years and evaluated on the
   test years against climatology (mean training yield of the same site,
   soil and irrigation strategy);
4. where the crop has several sites, each site is also held out whole
   (trained on the others' training years, tested on its test years);
5. the model is exported to ONNX with its metadata and checked against
   LightGBM on the test rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import multiprocessing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.calibration import ALL_PATTERNS, FULL_PATTERN, Calibration, pattern_key
from models.crops import crop_spec
from models.features import (
    FEATURE_NAMES,
    FEATURES,
    GROUP_COLUMNS,
    NEAR_SITE_DEG,
    OPTIONAL_GROUPS,
    Group,
    near_a_training_site,
)
from models.training.conformal import Trial, calibrate, calibration_level, scores, stage_of
from models.training.dataset import Dataset, featurize, row_progress
from models.training.evaluate import climatology as climatology_of
from models.training.evaluate import coverage, stage_table
from models.training.fit import BoostParams, QuantileModel, fit_quantiles, mask_groups
from models.training.scenarios import SITES, DatasetConfig
from models.training.seasons import SeasonStore, dataset_path, store_seed
from models.training.split import Campaigns, YearSplit, rotations

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TrainedCrop:
    crop: str
    model: QuantileModel
    calibration: Calibration
    evaluation: dict[str, Any]
    ranges: dict[str, tuple[float, float]]
    training_data: dict[str, Any]
    check_rows: FloatArray
    """Test rows (some with sensors removed) used to check the exported file."""


def _groups(data: Dataset, *names: str) -> list[tuple[str, ...]]:
    columns = [data.season_info[n] for n in names]
    return list(zip(*columns, strict=True))


def _out_of_fold(
    x: FloatArray,
    y: FloatArray,
    seasons: Campaigns,
    split: YearSplit,
    params: BoostParams,
) -> dict[str, FloatArray]:
    """Per sensor set: raw quantiles of each real row (``seasons.real``), from a model
    fitted without its fold's years, spliced seasons with weather of them included."""
    own, donor = split.folds(seasons.own), split.folds(seasons.donor)
    real = seasons.real
    raw: dict[str, FloatArray] = {
        pattern_key(p): np.empty((int(real.sum()), 3)) for p in ALL_PATTERNS
    }
    for k in np.unique(own[real]):
        fit_rows = (own != k) & (donor != k)
        held = real & (own == k)
        model = fit_quantiles(x[fit_rows], y[fit_rows], params)
        for pattern in ALL_PATTERNS:
            raw[pattern_key(pattern)][held[real]] = model.predict(mask_groups(x[held], pattern))
    return raw


def _trial(
    x: FloatArray,
    y: FloatArray,
    progress: FloatArray,
    rows: Campaigns,
    split: YearSplit,
    params: BoostParams,
) -> Trial:
    """Calibrate on the split's training years as the final model is; score its test years."""
    fitted = ~split.touches_test(rows)
    held = split.is_test(rows.own) & rows.real
    oof = _out_of_fold(x[fitted], y[fitted], rows[fitted], split, params)
    scored = fitted & rows.real
    model = fit_quantiles(x[fitted], y[fitted], params)
    return Trial(
        {key: scores(raw, y[scored]) for key, raw in oof.items()},
        stage_of(progress[scored]),
        {
            pattern_key(p): scores(model.predict(mask_groups(x[held], p)), y[held])
            for p in ALL_PATTERNS
        },
        stage_of(progress[held]),
    )


def _calibrate(
    x: FloatArray,
    y: FloatArray,
    progress: FloatArray,
    rows: Campaigns,
    split: YearSplit,
    params: BoostParams,
) -> Calibration:
    """The calibration of a model fitted on ``split``'s training years: its level from
    trials within those years only, its corrections from their out-of-fold scores."""
    train = ~split.touches_test(rows)
    inner = rotations(rows.own[train], params.seed)
    trials = [_trial(x[train], y[train], progress[train], rows[train], s, params) for s in inner]
    level = calibration_level(trials)
    log.info(
        "calibration level %.2f (from %d trials within the training years)", level, len(trials)
    )
    oof = _out_of_fold(x[train], y[train], rows[train], split, params)
    scored = train & rows.real
    return calibrate(oof, y[scored], progress[scored], level)


def gateway_view(x: FloatArray, lo: FloatArray, hi: FloatArray, location_known: bool) -> FloatArray:
    """``x`` as the forecaster feeds it to a model trained on the range lo..hi: the
    location group removed unless the site is near a training site, and an optional
    group with a value outside the range removed (a probe wetter than any in training)."""
    out = x.copy()
    if not location_known:
        out[:, list(GROUP_COLUMNS[Group.LOCATION])] = np.nan
    for g in OPTIONAL_GROUPS:
        own = [i for i, f in enumerate(FEATURES) if f.group is g]
        with np.errstate(invalid="ignore"):
            outside = np.any((x[:, own] < lo[own]) | (x[:, own] > hi[own]), axis=1)
        out[np.ix_(outside, np.asarray(GROUP_COLUMNS[g], dtype=np.int64))] = np.nan
    return out


def _held_out_sites(
    data: Dataset, split: YearSplit, seasons: Campaigns, params: BoostParams
) -> dict[str, Any]:
    sites = sorted(set(data.season_info["site"]))
    if len(sites) < 2:
        return {}
    site_of_row = np.asarray(data.season_info["site"])[data.row_season]
    test_row = split.touches_test(seasons)[data.row_season]
    real_row = seasons.real[data.row_season]
    x = data.features.astype(np.float64)
    y = data.row_yield
    season_keys = _groups(data, "soil", "strategy")
    row_keys = [season_keys[i] for i in data.row_season]
    result: dict[str, Any] = {}
    for site in sites:
        fit_rows = (site_of_row != site) & ~test_row
        eval_rows = (site_of_row == site) & test_row & (data.row_eval > 0)
        model = fit_quantiles(x[fit_rows], y[fit_rows], params, quantiles=(0.5,))
        lo, hi = np.nanmin(x[fit_rows], axis=0), np.nanmax(x[fit_rows], axis=0)
        known = near_a_training_site(SITES[site].lat, [SITES[s].lat for s in sites if s != site])
        p50 = model.predict(gateway_view(x[eval_rows], lo, hi, known))[:, 0]
        base = climatology_of(
            [row_keys[i] for i in np.flatnonzero(fit_rows & real_row)],
            y[fit_rows & real_row],
            [row_keys[i] for i in np.flatnonzero(eval_rows)],
        )
        result[site] = stage_table(p50, base, y[eval_rows], data.row_eval[eval_rows])
        log.info("held-out site %s done", site)
    return result


@dataclass(frozen=True, slots=True)
class HeldOut:
    """One rotation's forecasts of its test years, at the evaluation stages."""

    rows: npt.NDArray[np.int64]
    """Indices of the dataset rows forecast."""
    baseline: FloatArray
    """Climatology of the rotation's training years: same site, soil and strategy."""
    pooled: FloatArray
    """The same without the site."""
    bands: dict[str, tuple[FloatArray, FloatArray, FloatArray]]
    """Per sensor set: calibrated p10, central, p90."""
    raw_bands: dict[str, tuple[FloatArray, FloatArray]]
    """Per sensor set: the raw quantile models' p10 and p90."""


def _rotation(
    data: Dataset,
    x: FloatArray,
    progress: FloatArray,
    seasons: Campaigns,
    split: YearSplit,
    params: BoostParams,
) -> tuple[QuantileModel, Calibration, HeldOut]:
    """Fit and calibrate on the split's training years; forecast its test years."""
    y = data.row_yield
    is_test_season = split.touches_test(seasons)
    test_row = is_test_season[data.row_season]
    calibration = _calibrate(x, y, progress, seasons[data.row_season], split, params)
    model = fit_quantiles(x[~test_row], y[~test_row], params)
    rows = np.flatnonzero(test_row & (data.row_eval > 0))
    train_seasons = np.flatnonzero(~is_test_season & seasons.real)

    def climatology(*names: str) -> FloatArray:
        keys = _groups(data, *names)
        return climatology_of(
            [keys[i] for i in train_seasons],
            data.season_yield[train_seasons],
            [keys[i] for i in data.row_season[rows]],
        )

    bands: dict[str, tuple[FloatArray, FloatArray, FloatArray]] = {}
    raw_bands: dict[str, tuple[FloatArray, FloatArray]] = {}
    for pattern in ALL_PATTERNS:
        raw = model.predict(mask_groups(x[rows], pattern))
        key = pattern_key(pattern)
        calibrated = [
            calibration.apply((a, b, c), key, p)
            for (a, b, c), p in zip(raw, progress[rows], strict=True)
        ]
        bands[key] = (
            np.asarray([b.p10 for b in calibrated]),
            np.asarray([b.p50 for b in calibrated]),
            np.asarray([b.p90 for b in calibrated]),
        )
        raw_bands[key] = (raw[:, 0], raw[:, 2])
    held = HeldOut(
        rows,
        climatology("site", "soil", "strategy"),
        climatology("soil", "strategy"),
        bands,
        raw_bands,
    )
    return model, calibration, held


def _figures(data: Dataset, held: list[HeldOut]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stage table with every input, and figures per sensor set, over ``held`` pooled."""
    rows = np.concatenate([h.rows for h in held])
    y, stage = data.row_yield[rows], data.row_eval[rows]
    baseline = np.concatenate([h.baseline for h in held])
    pooled = np.concatenate([h.pooled for h in held])
    by_pattern: dict[str, Any] = {}
    full_table: dict[str, Any] = {}
    for pattern in ALL_PATTERNS:
        key = pattern_key(pattern)
        lo, mid, hi = (np.concatenate([h.bands[key][k] for h in held]) for k in range(3))
        raw_lo, raw_hi = (np.concatenate([h.raw_bands[key][k] for h in held]) for k in range(2))
        table = stage_table(mid, baseline, y, stage, (lo, hi), pooled)
        by_pattern[key] = {
            "rmse_60": table["60%"]["rmse"],
            "coverage_p10_p90": coverage(lo, hi, y),
            "coverage_raw_quantiles": coverage(raw_lo, raw_hi, y),
            "mean_band_width": float(np.mean(hi - lo)),
        }
        if pattern == FULL_PATTERN:
            full_table = table
    return full_table, by_pattern


def train_crop(data: Dataset, params: BoostParams, seed: int, workers: int = 1) -> TrainedCrop:
    spec = crop_spec(data.crop)
    seasons = Campaigns.of(data.season_info)
    splits = rotations(seasons.own, seed)
    x = data.features.astype(np.float64)
    progress = row_progress(x, spec)
    jobs = [(data, x, progress, seasons, split, params) for split in splits]
    if workers > 1:
        # Rotations are independent; each worker fits with one thread.
        with multiprocessing.get_context("spawn").Pool(min(workers, len(jobs))) as pool:
            results = pool.starmap(_rotation, jobs)
    else:
        results = [_rotation(*job) for job in jobs]
    for n, split in enumerate(splits):
        log.info("rotation %d of %d done (test years %s)", n + 1, len(splits), split.test_years)
    # The shipped model is the first rotation's, fitted without its test years.
    model, calibration, _ = results[0]
    held = [forecasts for _, _, forecasts in results]
    split = splits[0]
    train_x = x[~split.touches_test(seasons)[data.row_season]]
    full_table, by_pattern = _figures(data, held)
    by_rotation = [_figures(data, [h])[0] for h in held]
    evaluation = {
        "method": (
            f"held-out weather years (campaigns), every site at once, in {len(splits)} "
            "rotations: each holds out one campaign in four and is fitted and calibrated "
            "without it, so every year is forecast once by a model that never saw it; "
            "figures pooled over the rotations. Conformal band corrections from 5-fold "
            "out-of-fold predictions on each rotation's training years only. The shipped "
            "model is the first rotation's (test_years); shipped_model has its own figures, "
            "by_rotation each rotation's"
        ),
        "test_years": list(split.test_years),
        "train_years": list(split.train_years),
        "rotations": [list(s.test_years) for s in splits],
        "test_seasons": int(seasons.real.sum()),
        "spliced_seasons": (
            f"{int((~seasons.real).sum())} spliced seasons (models.training.splice) train "
            "only, and only where neither of their years is held out"
        ),
        "baseline": (
            "climatology: mean yield of the training years with the same site, soil and "
            "irrigation strategy (rmse_climatology); the same without the site "
            "(rmse_climatology_pooled)"
        ),
        "all_sensors": full_table,
        "coverage_p10_p90": by_pattern[pattern_key(FULL_PATTERN)]["coverage_p10_p90"],
        "by_sensor_set": by_pattern,
        "shipped_model": by_rotation[0],
        "by_rotation": by_rotation,
        "held_out_sites": _held_out_sites(data, split, seasons, params),
        "error_is_against": "AquaCrop simulated yields, not measured fields",
    }
    lo_r = np.nanmin(train_x, axis=0)
    hi_r = np.nanmax(train_x, axis=0)
    ranges = {n: (float(a), float(b)) for n, a, b in zip(FEATURE_NAMES, lo_r, hi_r, strict=True)}
    # Latitude is judged by nearness to a training site (the forecaster's
    # NEAR_SITE_DEG), not by the span between the extreme sites: widen its range
    # by that much, or a gateway a little poleward of the outermost site (or at
    # rice's one site, whose range is a single float32-rounded value) loses it.
    lo_lat, hi_lat = ranges["latitude_abs"]
    ranges["latitude_abs"] = (max(lo_lat - NEAR_SITE_DEG, 0.0), min(hi_lat + NEAR_SITE_DEG, 90.0))
    info = data.season_info
    training_data = {
        "description": (
            f"AquaCrop-OSPy {data.crop} seasons: sites {sorted(set(info['site']))}, soils "
            f"{sorted(set(info['soil']))}, irrigation {sorted(set(info['strategy']))}, "
            f"{len(set(info['planted']))} planting days, with simulated sensor error and gaps"
            + (
                f"; and {int((~seasons.real).sum())} spliced seasons (one year's weather, "
                "then another's from a drawn day)"
                if not seasons.real.all()
                else ""
            )
        ),
        "sha256": data.digest(),
        "seasons": int(seasons.real.sum()),
        "spliced_seasons": int((~seasons.real).sum()),
        # The forecaster uses a site's location only near one of these.
        "site_latitudes": {s: SITES[s].lat for s in sorted(set(info["site"]))},
        "rows": int(data.features.shape[0]),
        "yield_t_ha": [float(data.season_yield.min()), float(data.season_yield.max())],
    }
    rng = np.random.default_rng(seed)
    shipped_rows = held[0].rows
    pick = rng.choice(shipped_rows, size=min(8, shipped_rows.size), replace=False)
    checks = np.concatenate([x[pick], mask_groups(x[pick], frozenset())])
    return TrainedCrop(data.crop, model, calibration, evaluation, ranges, training_data, checks)


def crop_params(crop: str, params: BoostParams) -> BoostParams:
    """Rice's band models do not see CO2: with 11 years, a CO2 that names each of
    them let its band models learn years, and the calibrated band held 92 % of
    held-out outcomes; blind, 83 %, centred on its p50 in the last years as well
    (docs/forecasting.md, Against the goals)."""
    return replace(params, band_sees_rising=False) if crop == "rice" else params


def shipped_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "shipped"


def train_main(args: argparse.Namespace) -> int:
    from models.training.export import export_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out_dir: Path = args.out_dir or shipped_dir()
    crops = args.crop or ["maize", "wheat", "rice"]
    params = BoostParams() if args.trees is None else BoostParams(trees=args.trees)
    for crop in crops:
        store = SeasonStore.load(dataset_path(args.data_dir, crop), crop)
        data = featurize(store, DatasetConfig(seed=store_seed(dataset_path(args.data_dir, crop))))
        trained = train_crop(data, crop_params(crop, params), params.seed, args.workers)
        path = export_model(trained, out_dir, args.version, dt.date.today())
        report = out_dir / f"{path.stem}.evaluation.json"
        report.write_text(json.dumps(trained.evaluation, indent=2) + "\n")
        mid = trained.evaluation["all_sensors"].get("60%", {})
        print(
            f"{crop}: {path} ({path.stat().st_size / 1e6:.2f} MB); at 60 %: RMSE "
            f"{mid.get('rmse', float('nan')):.2f} t/ha vs climatology "
            f"{mid.get('rmse_climatology', float('nan')):.2f}; coverage "
            f"{trained.evaluation['coverage_p10_p90']:.0%}"
        )
    return 0
