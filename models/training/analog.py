"""Stretch experiment: AquaCrop on the season so far, analogue years for the rest.

On day D of a season the crop model is run once per analogue year: the
gateway's own weather (with its sensor error) up to day D, then that year's
weather from the same calendar day on. The yields of those runs are an
ensemble; a small LightGBM model (exported to ONNX) corrects its bias from
the ensemble's quantiles and the season stage, and a band around it is
calibrated like the main models' (five folds of years, scaled conformal).

It needs what the main models do not: aquacrop and pandas on the gateway, a
local record of past years' weather, and the field's soil and irrigation
strategy exactly as simulated. Measured here, it is an experiment, not a
shipped forecaster (docs/forecasting.md).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.daily import DailySeries
from models.training.scenarios import Season
from models.training.simulate import run_aquacrop
from models.training.splice import donor_years, spliced_weather

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Job:
    season: Season
    observed: DailySeries
    day: int
    analog_year: int


def run_job(job: Job) -> float:
    """One analogue run's yield (t/ha); NaN if AquaCrop reached no harvest."""
    try:
        weather = spliced_weather(job.season, job.day, job.analog_year, seen=job.observed)
        stats = run_aquacrop(job.season, weather).get_simulation_results()
    except (AssertionError, ValueError, RuntimeError):
        return float("nan")
    return float(stats["Dry yield (tonne/ha)"].iloc[0]) if len(stats) else float("nan")


def analog_years(season: Season, years: Sequence[int], count: int, seed: int) -> list[int]:
    """Up to ``count`` of ``years`` whose weather covers the season's window, never
    the season's own campaign."""
    usable = donor_years(season, years)
    rng = np.random.default_rng([seed, season.planted.toordinal()])
    return sorted(rng.choice(usable, size=min(count, len(usable)), replace=False).tolist())


def ensembles(jobs: list[Job], workers: int) -> FloatArray:
    if workers <= 1:
        return np.asarray([run_job(j) for j in jobs])
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return np.asarray(pool.map(run_job, jobs, chunksize=4))
