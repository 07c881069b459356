"""One season through AquaCrop: the daily record a gateway would have seen, and the yield.

aquacrop and pandas are imported here only; call from the training commands.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from models.crops import crop_spec
from models.daily import DailySeries
from models.training.scenarios import CROP_PLANS, SITES, Season, Strategy

LEAD_DAYS = 30
"""The soil is simulated bare for a month before planting, so each season starts
from the moisture its own weather left, not from a fixed guess."""
SHALLOW_COMPARTMENT = 1  # AquaCrop's default profile: 0.1 m compartments; 0.1-0.2 m
DEEP_COMPARTMENT = 4  # 0.4-0.5 m


@dataclass(frozen=True, slots=True)
class SimulatedSeason:
    season: Season
    daily: DailySeries
    """Exact simulated values, planting day to harvest (no sensor error yet)."""
    yield_t_ha: float
    """Dry yield at harvest."""
    length_days: int
    """Planting to harvest."""


def _aquacrop() -> Any:
    # Imported on use: the gateway never has it, and mypy in a venv without the
    # train extra must still pass.
    import aquacrop  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return aquacrop


@functools.cache
def site_weather(site: str) -> Any:
    """The site's weather as AquaCrop reads it: MinTemp, MaxTemp, Precipitation, ReferenceET."""
    from aquacrop.utils import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        get_filepath,
        prepare_weather,
    )

    return prepare_weather(get_filepath(SITES[site].weather_file))


def weather_span(site: str) -> tuple[dt.date, dt.date]:
    dates = site_weather(site)["Date"]
    return dates.iloc[0].date(), dates.iloc[-1].date()


def _irrigation(strategy: Strategy) -> Any:
    ac = _aquacrop()
    if strategy is Strategy.RAINFED:
        return ac.IrrigationManagement(irrigation_method=0)
    if strategy is Strategy.DEFICIT:
        return ac.IrrigationManagement(irrigation_method=1, SMT=[35] * 4)
    if strategy is Strategy.FULL:
        return ac.IrrigationManagement(irrigation_method=1, SMT=[70] * 4)
    return ac.IrrigationManagement(irrigation_method=4, NetIrrSMT=90)


def season_window(season: Season) -> tuple[dt.date, dt.date]:
    """First and last day simulated: the lead month, then the longest season allowed."""
    plan = CROP_PLANS[season.crop]
    return (
        season.planted - dt.timedelta(days=LEAD_DAYS),
        season.planted + dt.timedelta(days=plan.max_season_days),
    )


def run_aquacrop(season: Season, weather: Any) -> Any:
    """AquaCrop run to harvest on ``weather`` (AquaCrop's columns, covering the window)."""
    os.environ.setdefault("DEVELOPMENT", "")  # aquacrop reads it at import
    ac = _aquacrop()
    plan = CROP_PLANS[season.crop]
    spec = crop_spec(season.crop)
    start, end = season_window(season)
    field = ac.FieldMngt(bunds=True, z_bund=plan.bunds_m) if plan.bunds_m > 0 else ac.FieldMngt()
    model = ac.AquaCropModel(
        start.strftime("%Y/%m/%d"),
        end.strftime("%Y/%m/%d"),
        weather,
        ac.Soil(season.soil),
        ac.Crop(spec.aquacrop_name, planting_date=season.planted.strftime("%m/%d")),
        ac.InitialWaterContent(value=["FC"]),
        irrigation_management=_irrigation(season.strategy),
        field_management=field,
        off_season=True,
    )
    model.run_model(till_termination=True)
    return model


def simulate(season: Season, weather: Any = None) -> SimulatedSeason:
    """Run AquaCrop for one season on ``weather`` (AquaCrop's columns and a Date
    column covering the window; default: the site's own); raise RuntimeError if it
    never reached harvest."""
    start, end = season_window(season)
    if weather is None:
        weather = site_weather(season.site)
    model = run_aquacrop(season, weather)
    stats = model.get_simulation_results()
    if len(stats) == 0:
        raise RuntimeError(f"season {season.key}: AquaCrop reached no harvest by {end}")
    first = LEAD_DAYS
    harvest_step = int(stats["Harvest Date (Step)"].iloc[0])
    length = harvest_step - first + 1
    if length < 30:
        raise RuntimeError(f"season {season.key}: harvest after {length} days, crop failed early")
    rows = slice(first, first + length)
    weather = weather.set_index("Date").loc[start.isoformat() : end.isoformat()].iloc[rows]
    storage = model.get_water_storage().iloc[rows]
    flux = model.get_water_flux().iloc[rows]
    daily = replace(
        DailySeries.empty(season.planted, length),
        tmin=weather["MinTemp"].to_numpy(np.float64),
        tmax=weather["MaxTemp"].to_numpy(np.float64),
        rain=weather["Precipitation"].to_numpy(np.float64),
        et0=weather["ReferenceET"].to_numpy(np.float64),
        irrigation=flux["IrrDay"].to_numpy(np.float64),
        sm_shallow=100.0 * storage[f"th{SHALLOW_COMPARTMENT + 1}"].to_numpy(np.float64),
        sm_deep=100.0 * storage[f"th{DEEP_COMPARTMENT + 1}"].to_numpy(np.float64),
    )
    return SimulatedSeason(season, daily, float(stats["Dry yield (tonne/ha)"].iloc[0]), length)
