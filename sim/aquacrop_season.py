"""One AquaCrop run, advanced a day at a time, with irrigation decided from outside.

This is the only module that touches ``aquacrop``. AquaCrop (FAO's crop water
productivity model, here its Python port AquaCrop-OSPy, Foster et al. 2017;
Kelly and Foster 2021) is built to run a whole simulation at once; the
simulator steps it one day at a time with ``run_model(num_steps=1,
initialize_model=False)`` and reads each day's state from the model's
per-step output rows. Two private attributes are used, both stable in the
pinned 3.1 series: ``_outputs`` (the arrays ``run_model`` fills each step) and
``_param_struct.IrrMngt`` (set to method 5, "depth given each day", for a day
on which someone asked for irrigation, as AquaCrop-OSPy's own examples of
externally decided irrigation do).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.crops import CROPS, Irrigation
from sim.weather import DailyWeather

COMPARTMENT_M = 0.1
COMPARTMENTS = 12
"""AquaCrop's default profile: twelve 0.1 m compartments, 1.2 m in all."""

_SMT = {Irrigation.DEFICIT: 35.0, Irrigation.FULL: 70.0}
_FLOODED_NET_SMT = 90.0

# Columns of AquaCrop's per-step output arrays (aquacrop/timestep/run_single_timestep.py).
_FLUX_IRR, _FLUX_INFL, _FLUX_RUNOFF, _FLUX_DEEP_PERC = 6, 7, 8, 9
_FLUX_ES, _FLUX_TR = 13, 15
_GROWTH_DAP, _GROWTH_ZROOT, _GROWTH_CC = 2, 5, 6
_GROWTH_BIOMASS, _GROWTH_HI_ADJ, _GROWTH_DRY_YIELD, _GROWTH_YIELD_POT = 8, 11, 12, 14


def _aquacrop() -> Any:
    # aquacrop reads DEVELOPMENT at import to choose between compiled and
    # pure-Python kernels; unset, it tries to compile ahead of time.
    os.environ.setdefault("DEVELOPMENT", "")
    try:
        import aquacrop  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as exc:
        raise RuntimeError(
            "field physics needs AquaCrop: pip install 'aquacrop>=3.1,<3.2'"
        ) from exc
    return aquacrop


@dataclass(frozen=True, slots=True)
class SoilLayers:
    """Hydraulic properties per compartment, m³/m³, from AquaCrop's soil class."""

    th_wp: tuple[float, ...]
    th_fc: tuple[float, ...]
    th_s: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class DayResult:
    day: dt.date
    th: tuple[float, ...]
    """Volumetric water content of each compartment at the end of the day."""
    growing: bool
    dap: int
    """Days after planting (0 outside a season)."""
    canopy_cover: float
    root_depth_m: float
    biomass_t_ha: float
    harvest_index: float
    dry_yield_t_ha: float
    """Yield the crop would give if harvested now (AquaCrop's running dry yield)."""
    yield_potential_t_ha: float
    rain_mm: float
    irrigation_mm: float
    infiltration_mm: float
    runoff_mm: float
    drainage_mm: float
    soil_evaporation_mm: float
    transpiration_mm: float
    harvested: bool
    """The crop was harvested (matured, died or reached its season's end) this day."""


def soil_layers(soil: str) -> SoilLayers:
    ac = _aquacrop()
    profile = ac.Soil(soil).profile
    return SoilLayers(
        tuple(float(v) for v in profile["th_wp"]),
        tuple(float(v) for v in profile["th_fc"]),
        tuple(float(v) for v in profile["th_s"]),
    )


class AquaCropSeason:
    """One AquaCrop model from ``start`` (fallow) through one planting to its harvest."""

    def __init__(
        self,
        *,
        crop: str,
        soil: str,
        irrigation: Irrigation,
        start: dt.date,
        planting: dt.date,
        weather: Sequence[DailyWeather],
        initial_th: Sequence[float] | None = None,
    ) -> None:
        if not start <= planting:
            raise ValueError(f"a season starts before its planting: {start} > {planting}")
        ac = _aquacrop()
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]  # aquacrop's own dependency

        spec = CROPS[crop]
        end = planting + dt.timedelta(days=spec.max_season_days)
        needed = (end - start).days + 1
        if len(weather) < needed or weather[0].day != start:
            raise ValueError(f"weather must cover {start}..{end}")
        frame = pd.DataFrame(
            {
                "MinTemp": [w.tmin_c for w in weather[:needed]],
                "MaxTemp": [w.tmax_c for w in weather[:needed]],
                "Precipitation": [w.rain_mm for w in weather[:needed]],
                "ReferenceET": [w.et0_mm for w in weather[:needed]],
                "Date": pd.to_datetime([w.day for w in weather[:needed]]),
            }
        )
        self._rain = [w.rain_mm for w in weather[:needed]]
        if initial_th is None:
            initial = ac.InitialWaterContent(value=["FC"])
        else:
            depths = [COMPARTMENT_M * (i + 0.5) for i in range(len(initial_th))]
            initial = ac.InitialWaterContent(
                wc_type="Num", method="Depth", depth_layer=depths, value=list(initial_th)
            )
        field = (
            ac.FieldMngt(bunds=True, z_bund=spec.bunds_m) if spec.bunds_m > 0 else ac.FieldMngt()
        )
        # Harvest is left to maturity; the end date bounds a crop that never matures.
        crop_object = ac.Crop(spec.aquacrop_name, planting_date=planting.strftime("%m/%d"))
        self._model = ac.AquaCropModel(
            start.strftime("%Y/%m/%d"),
            end.strftime("%Y/%m/%d"),
            frame,
            ac.Soil(soil),
            crop_object,
            initial,
            irrigation_management=_management(ac, irrigation),
            field_management=field,
            off_season=True,
        )
        # Initialised here, stepped by step(): run_model(initialize_model=True)
        # would also run the first day, before anyone could ask to irrigate it.
        self._model._initialize()
        self.start = start
        self.planting = planting
        self.end = end
        self.next_day = start
        self.finished = False
        self.final_yield_t_ha: float | None = None
        """Dry yield at harvest, once harvested."""

    def step(self, irrigation_mm: float = 0.0) -> DayResult:
        """Advance one day with ``irrigation_mm`` asked for today; return the day's state."""
        if self.finished:
            raise RuntimeError("the season is over")
        management = self._model._param_struct.IrrMngt
        saved = (management.irrigation_method, management.depth, management.MaxIrr)
        if irrigation_mm > 0:
            management.irrigation_method = 5
            management.depth = irrigation_mm
            management.MaxIrr = max(management.MaxIrr, irrigation_mm)
        harvests_before = len(self._model._outputs.final_stats)
        try:
            self._model.run_model(num_steps=1, initialize_model=False)
        finally:
            management.irrigation_method, management.depth, management.MaxIrr = saved
        stats = self._model._outputs.final_stats
        harvested = len(stats) > harvests_before
        if harvested:
            self.final_yield_t_ha = float(stats["Dry yield (tonne/ha)"].iloc[-1])
        result = self._read(self.next_day, harvested)
        self.next_day += dt.timedelta(days=1)
        if self._model._clock_struct.model_is_finished:
            self.finished = True
        return result

    def _read(self, day: dt.date, harvested: bool) -> DayResult:
        outputs = self._model._outputs
        row = (day - self.start).days
        storage = _row(outputs.water_storage, row)
        flux = _row(outputs.water_flux, row)
        growth = _row(outputs.crop_growth, row)
        growing = bool(storage[1])
        return DayResult(
            day=day,
            th=tuple(float(v) for v in storage[3:]),
            growing=growing,
            dap=int(growth[_GROWTH_DAP]) if growing else 0,
            canopy_cover=float(growth[_GROWTH_CC]),
            root_depth_m=float(growth[_GROWTH_ZROOT]),
            biomass_t_ha=float(growth[_GROWTH_BIOMASS]) / 100.0,  # g/m² → t/ha
            harvest_index=float(growth[_GROWTH_HI_ADJ]),
            dry_yield_t_ha=float(growth[_GROWTH_DRY_YIELD]),
            yield_potential_t_ha=float(growth[_GROWTH_YIELD_POT]),
            rain_mm=self._rain[row],
            irrigation_mm=float(flux[_FLUX_IRR]),
            infiltration_mm=float(flux[_FLUX_INFL]),
            runoff_mm=float(flux[_FLUX_RUNOFF]),
            drainage_mm=float(flux[_FLUX_DEEP_PERC]),
            soil_evaporation_mm=float(flux[_FLUX_ES]),
            transpiration_mm=float(flux[_FLUX_TR]),
            harvested=harvested,
        )


def _management(ac: Any, irrigation: Irrigation) -> Any:
    if irrigation is Irrigation.RAINFED:
        return ac.IrrigationManagement(irrigation_method=0)
    if irrigation is Irrigation.FLOODED:
        return ac.IrrigationManagement(irrigation_method=4, NetIrrSMT=_FLOODED_NET_SMT)
    return ac.IrrigationManagement(irrigation_method=1, SMT=[_SMT[irrigation]] * 4)


def _row(table: Any, row: int) -> list[float]:
    # Arrays while the model runs; AquaCrop turns them into DataFrames (same
    # columns, same order) on the step that finishes the model.
    values = table.iloc[row] if hasattr(table, "iloc") else table[row]
    return [float(v) for v in values]
