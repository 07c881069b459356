"""Forecast one field: stored readings -> daily series -> features -> model -> calibrated band.

It never raises for bad or missing data: it returns no forecast with the
reasons (no model for the crop, no planting date, too early, temperature
missing, a required feature outside the model's training range), or a
forecast with notes on what was dropped. A missing or implausible optional
sensor group is removed, and the band is calibrated for the sensors left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from models.calibration import pattern_key
from models.context import FieldContext
from models.crops import CROPS, CropSpec, SeasonBasis
from models.daily import DailySeries
from models.features import (
    FEATURE_NAMES,
    FEATURES,
    GROUP_COLUMNS,
    MIN_DAYS,
    NEAR_SITE_DEG,
    RECENT_DAYS,
    REQUIRED_GROUPS,
    Group,
    near_a_training_site,
    season_features,
)
from models.forecast import Forecast, ForecastOutcome
from models.gdd import daily_gdd
from models.hourly import HourlySource
from models.model_file import LoadedModel
from models.readings import FieldSensors, SiteLocation, build_daily
from models.registry import ModelRegistry


@dataclass(frozen=True, slots=True)
class FieldInput:
    field: str
    crop: str
    area_ha: float
    planted: dt.date | None
    sensors: FieldSensors
    context: FieldContext | None = None
    """Soil texture and irrigation practice, if the operator gave them."""


def expected_harvest(spec: CropSpec, series: DailySeries, gdd_cum: float) -> dt.date:
    """Planting plus the nominal season; for a thermal-time crop, the GDD still
    needed at the pace of the last two weeks."""
    if spec.basis is SeasonBasis.DAYS:
        return series.planted + dt.timedelta(days=round(spec.season_length))
    recent = daily_gdd(series.tmin, series.tmax, spec.tbase_c, spec.tupp_c)[-RECENT_DAYS:]
    pace = float(np.nanmean(recent)) if np.any(~np.isnan(recent)) else 0.0
    remaining = max(spec.season_length - gdd_cum, 0.0)
    days_left = remaining / pace if pace > 0.5 else 365.0
    return series.planted + dt.timedelta(days=series.days + min(round(days_left), 365))


class Forecaster:
    def __init__(self, registry: ModelRegistry, site: SiteLocation) -> None:
        self.registry = registry
        self.site = site

    def forecast_field(
        self, field: FieldInput, source: HourlySource, now: float
    ) -> ForecastOutcome:
        """Forecast from stored readings, for the local day of ``now``."""
        if field.crop not in CROPS:
            return ForecastOutcome(
                None, (f"field {field.field}: no yield model for crop {field.crop!r}",)
            )
        if field.planted is None:
            return ForecastOutcome(None, (f"field {field.field}: no planting date configured",))
        today = dt.datetime.fromtimestamp(now, self.site.tz).date()
        days = (today - field.planted).days
        if days < MIN_DAYS:
            return ForecastOutcome(
                None,
                (
                    f"field {field.field}: {max(days, 0)} whole days since planting, "
                    f"need {MIN_DAYS}",
                ),
            )
        built = build_daily(source, field.sensors, field.planted, days, self.site)
        series = built.series
        notes = []
        rainfed = field.context is not None and field.context.irrigation == "rainfed"
        if field.sensors.irrigation is None and rainfed:
            # A rainfed field is irrigated with nothing: that is a measurement, and
            # it is what the training seasons' meter read on rainfed fields.
            series = replace(series, irrigation=np.zeros(series.days))
            notes.append(f"field {field.field}: irrigation taken as none (rainfed, no meter)")
        if built.hargreaves_days:
            notes.append(
                f"field {field.field}: ET0 from temperature only (no radiation) on "
                f"{built.hargreaves_days} of {days} days"
            )
        outcome = self.forecast_series(field.field, field.crop, series, now, field.context)
        every = tuple(notes) + outcome.notes
        made = outcome.forecast
        return ForecastOutcome(None if made is None else replace(made, notes=every), every)

    def forecast_series(
        self,
        field: str,
        crop: str,
        series: DailySeries,
        now: float,
        context: FieldContext | None = None,
    ) -> ForecastOutcome:
        """Forecast from a daily series whose last day is the last whole day seen."""
        model = self.registry.active(crop)
        if model is None:
            return ForecastOutcome(None, (f"field {field}: no valid model file for crop {crop!r}",))
        if series.days < MIN_DAYS:
            return ForecastOutcome(
                None, (f"field {field}: {series.days} days of season, need {MIN_DAYS}",)
            )
        spec = CROPS[crop]
        rows = season_features(series, spec, [series.days], context, self.site.lat)
        groups = set(rows.groups_at(0))
        missing = REQUIRED_GROUPS - groups
        if missing:
            seen = int(np.sum(~np.isnan(series.tmax) & ~np.isnan(series.tmin)))
            return ForecastOutcome(
                None,
                (
                    f"field {field}: required inputs {sorted(g.value for g in missing)} missing: "
                    f"air temperature on {seen} of {series.days} days, need 80 % of days "
                    "and half of the last two weeks",
                ),
            )
        x = rows.values[0].copy()
        absent = (set(Group) - REQUIRED_GROUPS) - groups
        far = _drop_unknown_location(field, model, x, groups, self.site.lat)
        checked = _check_ranges(field, model, x, groups)
        if isinstance(checked, str):
            return ForecastOutcome(None, (checked,))
        notes = (
            tuple(f"field {field}: {_MISSING[g]}; band widened" for g in sorted(absent))
            + far
            + checked
        )
        raw = model.predict_raw(x[np.newaxis, :].astype(np.float32))[0]
        gdd = float(x[FEATURE_NAMES.index("gdd_cum")])
        progress = spec.progress(series.days, gdd)
        band = model.info.calibration.apply(
            (float(raw[0]), float(raw[1]), float(raw[2])), pattern_key(groups), progress
        )
        forecast = Forecast(
            field=field,
            ts=now,
            p10=band.p10,
            p50=band.p50,
            p90=band.p90,
            model_version=model.info.label,
            features_used=tuple(
                f.name for f, v in zip(FEATURES, x, strict=True) if not np.isnan(v)
            ),
            progress=progress,
            expected_harvest=expected_harvest(spec, series, gdd),
            notes=notes,
        )
        return ForecastOutcome(forecast, notes)


_MISSING: dict[Group, str] = {
    Group.FIELD: "soil texture and irrigation practice not given",
    Group.RAIN: "no usable rain gauge data",
    Group.IRRIGATION: "no usable irrigation meter data",
    Group.SOIL_SHALLOW: "no usable 15 cm soil moisture",
    Group.SOIL_DEEP: "no usable 45 cm soil moisture",
    Group.LOCATION: "site latitude not known",
}


def _drop_unknown_location(
    field: str, model: LoadedModel, x: npt.NDArray[np.float64], groups: set[Group], lat: float
) -> tuple[str, ...]:
    """Remove the location group (in place) unless the site is near one the model was
    trained at; a file that does not list its sites' latitudes is trusted."""
    trained = model.info.training_data.get("site_latitudes")
    if Group.LOCATION not in groups or not isinstance(trained, dict):
        return ()
    latitudes = [float(v) for v in trained.values()]
    if near_a_training_site(lat, latitudes):
        return ()
    x[list(GROUP_COLUMNS[Group.LOCATION])] = np.nan
    groups.discard(Group.LOCATION)
    sites = ", ".join(f"{name} {float(v):.1f}" for name, v in sorted(trained.items()))
    return (
        f"field {field}: the site's latitude {lat:.1f}° is more than {NEAR_SITE_DEG:g}° from "
        f"every site {model.info.label} was trained at ({sites}); location not used, "
        "band widened",
    )


def _check_ranges(
    field: str, model: LoadedModel, x: npt.NDArray[np.float64], groups: set[Group]
) -> tuple[str, ...] | str:
    """Drop optional groups with a value outside the model's training range (in place;
    a ``held`` feature is moved to the range's end instead); return the notes, or the
    reason to refuse if a required feature is outside it."""
    notes: list[str] = []
    for i, (spec, r) in enumerate(zip(FEATURES, model.info.ranges, strict=True)):
        value = float(x[i])
        if np.isnan(value) or r.lo <= value <= r.hi:
            continue
        problem = (
            f"feature {spec.name} = {value:.2f} {spec.unit} is outside the range "
            f"{r.lo:.2f}..{r.hi:.2f} {spec.unit} that {model.info.label} was trained on"
        )
        if spec.held:
            x[i] = min(max(value, r.lo), r.hi)
            notes.append(f"field {field}: {problem}; held at {x[i]:.2f} {spec.unit}")
            continue
        if spec.group in REQUIRED_GROUPS:
            return f"field {field}: {problem}; no forecast"
        x[list(GROUP_COLUMNS[spec.group])] = np.nan
        groups.discard(spec.group)
        notes.append(f"field {field}: {problem}; {spec.group.value} data dropped, band widened")
    return tuple(notes)
