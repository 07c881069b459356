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

import datetime as dt
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.daily import DailySeries
from models.training.scenarios import Season
from models.training.simulate import LEAD_DAYS, run_aquacrop, season_window, site_weather
from models.training.split import campaign

FloatArray = npt.NDArray[np.float64]
COLUMNS = ("MinTemp", "MaxTemp", "Precipitation", "ReferenceET")


def blended_weather(season: Season, observed: DailySeries, day: int, analog_year: int) -> Any:
    """The season's simulation window: the real lead month, the gateway's days before
    ``day`` (the file's value where the gateway had a gap), then ``analog_year``."""
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]

    start, end = season_window(season)
    days = (end - start).days + 1
    weather = site_weather(season.site).set_index("Date")
    actual = weather.loc[start.isoformat() : end.isoformat()][list(COLUMNS)].to_numpy()
    shift = dt.date(analog_year, season.planted.month, min(season.planted.day, 28))
    shift -= dt.timedelta(days=LEAD_DAYS)
    analog = weather.loc[shift.isoformat() :][list(COLUMNS)].to_numpy()[:days]
    if len(actual) < days or len(analog) < days:
        raise ValueError(f"{season.key}: weather of {analog_year} does not cover the window")
    seen = np.column_stack([observed.tmin, observed.tmax, observed.rain, observed.et0])[:day]
    blended = analog.copy()
    blended[:LEAD_DAYS] = actual[:LEAD_DAYS]
    blended[LEAD_DAYS : LEAD_DAYS + day] = np.where(
        np.isnan(seen), actual[LEAD_DAYS : LEAD_DAYS + day], seen
    )
    frame = pd.DataFrame(blended, columns=list(COLUMNS))
    frame["Date"] = pd.date_range(start.isoformat(), periods=days, freq="D")
    return frame


@dataclass(frozen=True, slots=True)
class Job:
    season: Season
    observed: DailySeries
    day: int
    analog_year: int


def run_job(job: Job) -> float:
    """One analogue run's yield (t/ha); NaN if AquaCrop reached no harvest."""
    try:
        weather = blended_weather(job.season, job.observed, job.day, job.analog_year)
        stats = run_aquacrop(job.season, weather).get_simulation_results()
    except (AssertionError, ValueError, RuntimeError):
        return float("nan")
    return float(stats["Dry yield (tonne/ha)"].iloc[0]) if len(stats) else float("nan")


def analog_years(season: Season, years: Sequence[int], count: int, seed: int) -> list[int]:
    """Up to ``count`` of ``years`` whose weather covers the season's window, never
    the season's own campaign."""
    first = site_weather(season.site)["Date"].iloc[0].date()
    last = site_weather(season.site)["Date"].iloc[-1].date()
    start, end = season_window(season)
    span = end - start

    def window_of(year: int) -> tuple[dt.date, dt.date]:
        begin = dt.date(year, season.planted.month, min(season.planted.day, 28))
        begin -= dt.timedelta(days=LEAD_DAYS)
        return begin, begin + span

    usable = [
        y
        for y in years
        if y != campaign(season.planted) and first <= window_of(y)[0] and window_of(y)[1] <= last
    ]
    rng = np.random.default_rng([seed, season.planted.toordinal()])
    return sorted(rng.choice(usable, size=min(count, len(usable)), replace=False).tolist())


def ensembles(jobs: list[Job], workers: int) -> FloatArray:
    if workers <= 1:
        return np.asarray([run_job(j) for j in jobs])
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return np.asarray(pool.map(run_job, jobs, chunksize=4))
