"""Season-to-date features of one field on day D, from its ``DailySeries``.

A feature on day D uses days 0..D-1 only (D whole days since planting).
Gaps are tolerated up to a point: a group of features is available when at
least ``MIN_COVERAGE`` of the days so far, and at least half of the recent
window, have data; sums are then scaled up to the days that had none. A group
short of that is missing (NaN), and the model widens its band for it. The
calendar, temperature and ET0 groups are required: without them there is no
forecast. Soil moisture also enters as the drop from the season's wettest
day, in which a probe's calibration offset (a few % vol) cancels, and, when
the operator gave the soil texture, as a share of that texture's available
water. The site's latitude and the planting date place the season in its
climate: the one thing the per-site climatology baseline knows and a model
pooled over sites otherwise does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from models.co2 import co2_ppm
from models.context import FieldContext
from models.crops import CropSpec
from models.daily import DailySeries
from models.gdd import daily_gdd
from models.pollination import cold_failure, flower_share, heat_failure
from models.water_balance import root_zone_balance

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MIN_COVERAGE = 0.8
"""Share of the season's days a group needs before its features are trusted."""
RECENT_DAYS = 14
"""Window of the recent-weather features; soil features use ``SOIL_RECENT_DAYS``."""
SOIL_RECENT_DAYS = 7
HEAT_C = 35.0
"""Daily maximum counted as a heat day: above it pollination of maize and rice suffers."""
MIN_DAYS = 7
"""No forecast before a week of the season has been seen."""
DRY_SHARE = 0.5
"""A probe day counts as dry below this share of the texture's available water:
AquaCrop's maize and wheat close their stomata from about half of it depleted."""
NEAR_SITE_DEG = 1.0
"""The location group is used only at a site within this many degrees of latitude
of a site the model was trained on: a model pooled over a few sites has learnt
those sites' climates, not the climate of the latitudes between them (held out
whole, Tunis wheat was forecast worse with its latitude than without it)."""
SEASON_ORIGIN: dict[bool, tuple[int, int]] = {True: (2, 1), False: (8, 1)}
"""(month, day) the planting day is counted from, north (True) and south of the
equator: a late-winter day on which none of the trained crops is sown, so each
sowing window is one unbroken range (rabi rice sown 20 Dec-20 Jan included) and
the same season has about the same value in both hemispheres."""


class Group(StrEnum):
    CALENDAR = "calendar"
    TEMPERATURE = "temperature"
    ET0 = "et0"
    RAIN = "rain"
    IRRIGATION = "irrigation"
    SOIL_SHALLOW = "soil_shallow"
    SOIL_DEEP = "soil_deep"
    FIELD = "field"
    LOCATION = "location"


REQUIRED_GROUPS: frozenset[Group] = frozenset({Group.CALENDAR, Group.TEMPERATURE, Group.ET0})
OPTIONAL_GROUPS: tuple[Group, ...] = (
    Group.RAIN,
    Group.IRRIGATION,
    Group.SOIL_SHALLOW,
    Group.SOIL_DEEP,
    Group.FIELD,
    Group.LOCATION,
)


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    name: str
    unit: str
    group: Group
    lo: float
    hi: float
    """Physical bounds; the model file declares the narrower range it was trained on."""
    description: str
    needs: tuple[Group, ...] = ()
    """Other groups the feature is computed from: missing when any of them is."""
    held: bool = False
    """Outside the model's trained range, held at its nearest end (with a note)
    instead of refusing the forecast or dropping the group: a gateway's calendar
    runs on past the training years, and trees treat any value beyond their last
    split as that split anyway."""
    rising: bool = False
    """Yield may only rise with it (a monotone constraint in training): a value that
    names a year must not let the trees learn single years' weather by it."""


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("days_since_planting", "d", Group.CALENDAR, 0, 400, "whole days since planting"),
    FeatureSpec("gdd_cum", "°C·d", Group.CALENDAR, 0, 8000, "growing degree days since planting"),
    FeatureSpec(
        "co2_ppm",
        "ppm",
        Group.CALENDAR,
        250,
        1000,
        "atmospheric CO2 of the planting year (models/co2.py)",
        held=True,
        rising=True,
    ),
    FeatureSpec("tmax_mean", "°C", Group.TEMPERATURE, -40, 55, "mean daily maximum, season"),
    FeatureSpec("tmin_mean", "°C", Group.TEMPERATURE, -50, 45, "mean daily minimum, season"),
    FeatureSpec("tmax_recent", "°C", Group.TEMPERATURE, -40, 55, "mean daily maximum, last 14 d"),
    FeatureSpec("heat_days", "d", Group.TEMPERATURE, 0, 400, "days with maximum >= 35 °C"),
    FeatureSpec(
        "pollination_cold", "%", Group.TEMPERATURE, 0, 100, "flowers lost to cold nights so far"
    ),
    FeatureSpec(
        "pollination_heat", "%", Group.TEMPERATURE, 0, 100, "flowers lost to hot days so far"
    ),
    FeatureSpec("et0_cum", "mm", Group.ET0, 0, 4000, "reference evapotranspiration, season"),
    FeatureSpec("et0_recent", "mm", Group.ET0, 0, 300, "reference evapotranspiration, last 14 d"),
    FeatureSpec("rain_cum", "mm", Group.RAIN, 0, 6000, "rain, season"),
    FeatureSpec("rain_recent", "mm", Group.RAIN, 0, 2000, "rain, last 14 d"),
    FeatureSpec("irrigation_cum", "mm", Group.IRRIGATION, 0, 4000, "irrigation applied, season"),
    FeatureSpec("irrigation_recent", "mm", Group.IRRIGATION, 0, 1500, "irrigation, last 14 d"),
    FeatureSpec("sm_shallow_mean", "%", Group.SOIL_SHALLOW, 0, 100, "15 cm moisture, season"),
    FeatureSpec("sm_shallow_recent", "%", Group.SOIL_SHALLOW, 0, 100, "15 cm moisture, last 7 d"),
    FeatureSpec("sm_shallow_min", "%", Group.SOIL_SHALLOW, 0, 100, "driest day at 15 cm"),
    FeatureSpec("sm_shallow_max", "%", Group.SOIL_SHALLOW, 0, 100, "wettest day at 15 cm"),
    FeatureSpec("sm_shallow_drop", "%", Group.SOIL_SHALLOW, -100, 100, "wettest day - last 7 d"),
    FeatureSpec("sm_deep_mean", "%", Group.SOIL_DEEP, 0, 100, "45 cm moisture, season"),
    FeatureSpec("sm_deep_recent", "%", Group.SOIL_DEEP, 0, 100, "45 cm moisture, last 7 d"),
    FeatureSpec("sm_deep_min", "%", Group.SOIL_DEEP, 0, 100, "driest day at 45 cm"),
    FeatureSpec("sm_deep_max", "%", Group.SOIL_DEEP, 0, 100, "wettest day at 45 cm"),
    FeatureSpec("sm_deep_drop", "%", Group.SOIL_DEEP, -100, 100, "wettest day - last 7 d"),
    # The same water, by crop stage (0 for a stage not reached yet): stress at
    # flowering costs grain that no later rain gives back.
    FeatureSpec("wb_vegetative", "mm", Group.RAIN, -3000, 3000, "rain - ET0 before flowering"),
    FeatureSpec("wb_flowering", "mm", Group.RAIN, -3000, 3000, "rain - ET0 during flowering"),
    FeatureSpec("wb_grainfill", "mm", Group.RAIN, -3000, 3000, "rain - ET0 after flowering"),
    FeatureSpec("irrigation_flowering", "mm", Group.IRRIGATION, 0, 3000, "during flowering"),
    FeatureSpec("irrigation_grainfill", "mm", Group.IRRIGATION, 0, 3000, "after flowering"),
    FeatureSpec("sm_shallow_drop_flowering", "%", Group.SOIL_SHALLOW, -100, 100, "mean drop"),
    FeatureSpec("sm_shallow_drop_grainfill", "%", Group.SOIL_SHALLOW, -100, 100, "mean drop"),
    FeatureSpec("sm_deep_drop_flowering", "%", Group.SOIL_DEEP, -100, 100, "mean drop"),
    FeatureSpec("sm_deep_drop_grainfill", "%", Group.SOIL_DEEP, -100, 100, "mean drop"),
    FeatureSpec("soil_wp", "%", Group.FIELD, 0, 100, "wilting point of the soil texture"),
    FeatureSpec("soil_fc", "%", Group.FIELD, 0, 100, "field capacity of the soil texture"),
    FeatureSpec(
        "irrigation_trigger", "%", Group.FIELD, 0, 100, "irrigate below this % of available water"
    ),
    # The probes read against the texture's own wilting point and field capacity:
    # 25 % vol is wet for a sandy loam and near wilting for a clay loam.
    FeatureSpec(
        "sm_shallow_aw",
        "%",
        Group.SOIL_SHALLOW,
        -300,
        400,
        "15 cm, last 7 d, as % of available water (0 wilting point, 100 field capacity)",
        (Group.FIELD,),
    ),
    FeatureSpec(
        "sm_deep_aw",
        "%",
        Group.SOIL_DEEP,
        -300,
        400,
        "45 cm, last 7 d, as % of available water",
        (Group.FIELD,),
    ),
    FeatureSpec(
        "sm_shallow_dry_days",
        "d",
        Group.SOIL_SHALLOW,
        0,
        400,
        "days with 15 cm below half the available water",
        (Group.FIELD,),
    ),
    FeatureSpec(
        "sm_deep_dry_days",
        "d",
        Group.SOIL_DEEP,
        0,
        400,
        "days with 45 cm below half the available water",
        (Group.FIELD,),
    ),
    # The root zone below the probes, from the water that came and went
    # (models/water_balance.py): rain and irrigation against the crop's demand.
    FeatureSpec(
        "rootzone_depletion",
        "%",
        Group.RAIN,
        0,
        100,
        "root zone water below field capacity, % of available water (water balance)",
        (Group.IRRIGATION, Group.FIELD),
    ),
    FeatureSpec(
        "water_demand_met",
        "%",
        Group.RAIN,
        0,
        100,
        "share of the crop's water demand the root zone met, season (water balance)",
        (Group.IRRIGATION, Group.FIELD),
    ),
    FeatureSpec(
        "water_demand_met_flowering",
        "%",
        Group.RAIN,
        0,
        100,
        "the same during flowering (100 before it)",
        (Group.IRRIGATION, Group.FIELD),
    ),
    FeatureSpec("latitude_abs", "°", Group.LOCATION, 0, 90, "site latitude, north or south"),
    FeatureSpec(
        "planting_day",
        "d",
        Group.LOCATION,
        0,
        366,
        "planting date as days since 1 Feb (north) or 1 Aug (south)",
    ),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
GROUP_COLUMNS: dict[Group, tuple[int, ...]] = {
    g: tuple(i for i, f in enumerate(FEATURES) if g == f.group or g in f.needs) for g in Group
}
"""Columns that go missing with each group (a feature of two groups is under both)."""


@dataclass(frozen=True, slots=True)
class FeatureRows:
    """Features of one season on several days."""

    days: npt.NDArray[np.int64]
    values: FloatArray
    """Shape (len(days), len(FEATURES)); NaN where a group is missing."""
    available: BoolArray
    """Shape (len(days), len(Group)), column order of ``Group``."""

    def groups_at(self, row: int) -> frozenset[Group]:
        return frozenset(g for g, ok in zip(Group, self.available[row], strict=True) if ok)


def _sums_before(values: FloatArray) -> FloatArray:
    """Running sum whose index d covers days < d (index 0 is 0)."""
    result: FloatArray = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    return result


@dataclass(frozen=True, slots=True)
class _Prefix:
    """Running count and sum of the observed days of one variable; index k covers days < k."""

    count: FloatArray
    total: FloatArray

    @classmethod
    def of(cls, values: FloatArray) -> _Prefix:
        seen = ~np.isnan(values)
        count = _sums_before(seen)
        total = _sums_before(np.where(seen, values, 0.0))
        return cls(count, total)

    def covered(self, days: npt.NDArray[np.int64], window: int) -> BoolArray:
        start = np.maximum(days - window, 0)
        recent = self.count[days] - self.count[start]
        ok: BoolArray = (self.count[days] >= MIN_COVERAGE * days) & (recent >= 0.5 * (days - start))
        return ok

    def scaled_sum(self, days: npt.NDArray[np.int64], window: int | None = None) -> FloatArray:
        """Sum over the window (whole season if None), scaled up for days without data."""
        start = np.zeros_like(days) if window is None else np.maximum(days - window, 0)
        n = self.count[days] - self.count[start]
        s = self.total[days] - self.total[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            result: FloatArray = np.where(n > 0, s * (days - start) / n, np.nan)
        return result

    def mean(self, days: npt.NDArray[np.int64], window: int | None = None) -> FloatArray:
        start = np.zeros_like(days) if window is None else np.maximum(days - window, 0)
        n = self.count[days] - self.count[start]
        s = self.total[days] - self.total[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            result: FloatArray = np.where(n > 0, s / n, np.nan)
        return result


def _running_min(values: FloatArray, days: npt.NDArray[np.int64]) -> FloatArray:
    filled = np.where(np.isnan(values), np.inf, values)
    running = np.minimum.accumulate(filled)
    out = running[days - 1]
    result: FloatArray = np.where(np.isinf(out), np.nan, out)
    return result


def _running_max(values: FloatArray, days: npt.NDArray[np.int64]) -> FloatArray:
    return -_running_min(-values, days)


def _stage_sum(
    values: FloatArray, stage: npt.NDArray[np.int64], k: int, days: npt.NDArray[np.int64]
) -> FloatArray:
    """Sum over days < D of stage k (gaps count as nothing)."""
    prefix = _sums_before(np.where(stage == k, np.nan_to_num(values), 0.0))
    result: FloatArray = prefix[days]
    return result


def _stage_mean(
    values: FloatArray, stage: npt.NDArray[np.int64], k: int, days: npt.NDArray[np.int64]
) -> FloatArray:
    """Mean over days < D of stage k that have data; 0 before the stage starts."""
    seen = (stage == k) & ~np.isnan(values)
    count = _sums_before(seen)[days]
    total = _sums_before(np.where(seen, values, 0.0))[days]
    result: FloatArray = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    return result


def _drop_from_wettest(values: FloatArray) -> FloatArray:
    """Per day: the wettest day so far (that day included) minus this day."""
    filled = np.where(np.isnan(values), -np.inf, values)
    running = np.maximum.accumulate(filled)
    result: FloatArray = np.where(np.isinf(running), np.nan, running) - values
    return result


def planting_day(planted: dt.date, latitude: float) -> float:
    """Days from the hemisphere's ``SEASON_ORIGIN`` to the planting date (0..364).

    Counted on a calendar without leap days, so 1 July is the same day every year
    (29 February counts as the 28th): otherwise a sowing date falls one day later in
    a leap year, and a model whose training years happen to miss the leap years
    refuses it as outside its range.
    """
    month, day = SEASON_ORIGIN[latitude >= 0.0]
    sown = dt.date(_NO_LEAP_YEAR, planted.month, min(planted.day, 28 if planted.month == 2 else 31))
    origin = dt.date(_NO_LEAP_YEAR, month, day)
    if origin > sown:
        origin = dt.date(_NO_LEAP_YEAR - 1, month, day)
    return float((sown - origin).days)


_NO_LEAP_YEAR = 2002
"""A year that, like the one before it, has no 29 February."""


def near_a_training_site(latitude: float, trained: Iterable[float]) -> bool:
    """Whether a model trained at sites of latitudes ``trained`` knows this site's climate."""
    return any(abs(latitude - t) <= NEAR_SITE_DEG for t in trained)


def _available_water(values: FloatArray, wp: float, fc: float) -> FloatArray:
    """Volumetric moisture as % of the texture's available water (may leave 0..100:
    a probe's offset, or standing water above field capacity)."""
    result: FloatArray = 100.0 * (values - wp) / (fc - wp)
    return result


def season_features(
    series: DailySeries,
    crop: CropSpec,
    days: npt.ArrayLike,
    context: FieldContext | None = None,
    latitude: float | None = None,
) -> FeatureRows:
    """Features on each of ``days`` (1 <= D <= series.days); ``context`` if the operator
    gave the field's soil and irrigation practice; ``latitude`` of the site (degrees,
    south negative), without which the location group is missing."""
    d = np.asarray(days, dtype=np.int64)
    if d.ndim != 1 or d.size == 0:
        raise ValueError(f"days must be a non-empty 1-d list, got shape {d.shape}")
    if d.min() < 1 or d.max() > series.days:
        raise ValueError(
            f"days must be within 1..{series.days} (days of data since {series.planted}), "
            f"got {int(d.min())}..{int(d.max())}"
        )
    # A day's temperature counts only when both extremes are known.
    both = np.isnan(series.tmin) | np.isnan(series.tmax)
    tmin = np.where(both, np.nan, series.tmin)
    tmax = np.where(both, np.nan, series.tmax)
    t_min, t_max = _Prefix.of(tmin), _Prefix.of(tmax)
    daily_heat = daily_gdd(tmin, tmax, crop.tbase_c, crop.tupp_c)
    gdd = _Prefix.of(daily_heat)
    heat = _Prefix.of(np.where(np.isnan(tmax), np.nan, (tmax >= HEAT_C).astype(np.float64)))
    et0 = _Prefix.of(series.et0)
    rain = _Prefix.of(series.rain)
    irrigation = _Prefix.of(series.irrigation)
    shallow = _Prefix.of(series.sm_shallow)
    deep = _Prefix.of(series.sm_deep)

    stage = crop.phase_of_days(daily_heat)
    flowers = flower_share(crop, daily_heat)
    lost_cold = _sums_before(100.0 * flowers * cold_failure(crop, tmin))
    lost_heat = _sums_before(100.0 * flowers * heat_failure(crop, tmax))
    water = series.rain - series.et0
    shallow_drop = _drop_from_wettest(series.sm_shallow)
    deep_drop = _drop_from_wettest(series.sm_deep)
    temperature_ok = t_max.covered(d, RECENT_DAYS)
    available = {
        Group.CALENDAR: np.ones(d.size, dtype=np.bool_),
        Group.TEMPERATURE: temperature_ok,
        Group.ET0: et0.covered(d, RECENT_DAYS),
        Group.RAIN: rain.covered(d, RECENT_DAYS),
        Group.IRRIGATION: irrigation.covered(d, RECENT_DAYS),
        Group.SOIL_SHALLOW: shallow.covered(d, SOIL_RECENT_DAYS),
        Group.SOIL_DEEP: deep.covered(d, SOIL_RECENT_DAYS),
        Group.FIELD: np.full(d.size, context is not None),
        Group.LOCATION: np.full(d.size, latitude is not None),
    }
    wp, fc, trigger = context.values() if context is not None else (np.nan,) * 3
    # NaN without a context: the FIELD mask below removes them as well.
    shallow_aw = _available_water(series.sm_shallow, wp, fc)
    deep_aw = _available_water(series.sm_deep, wp, fc)
    shallow_dry = _Prefix.of(np.where(np.isnan(shallow_aw), np.nan, shallow_aw < 100 * DRY_SHARE))
    deep_dry = _Prefix.of(np.where(np.isnan(deep_aw), np.nan, deep_aw < 100 * DRY_SHARE))
    # Without the soil texture the bucket has no size: FIELD's mask removes these.
    balance = root_zone_balance(
        crop,
        crop.elapsed(daily_heat),
        series.et0,
        series.rain + series.irrigation,
        *((wp, fc) if context is not None else (0.0, 1.0)),
    )
    supplied = _sums_before(balance.stress * balance.demand)
    demanded = _sums_before(balance.demand)
    lat = np.nan if latitude is None else latitude
    columns: dict[str, FloatArray] = {
        "days_since_planting": d.astype(np.float64),
        "gdd_cum": np.where(temperature_ok, gdd.scaled_sum(d), np.nan),
        "co2_ppm": np.full(d.size, co2_ppm(series.planted)),
        "tmax_mean": t_max.mean(d),
        "tmin_mean": t_min.mean(d),
        "tmax_recent": t_max.mean(d, RECENT_DAYS),
        "heat_days": heat.scaled_sum(d),
        "pollination_cold": lost_cold[d],
        "pollination_heat": lost_heat[d],
        "et0_cum": et0.scaled_sum(d),
        "et0_recent": et0.scaled_sum(d, RECENT_DAYS),
        "rain_cum": rain.scaled_sum(d),
        "rain_recent": rain.scaled_sum(d, RECENT_DAYS),
        "irrigation_cum": irrigation.scaled_sum(d),
        "irrigation_recent": irrigation.scaled_sum(d, RECENT_DAYS),
        "sm_shallow_mean": shallow.mean(d),
        "sm_shallow_recent": shallow.mean(d, SOIL_RECENT_DAYS),
        "sm_shallow_min": _running_min(series.sm_shallow, d),
        "sm_shallow_max": _running_max(series.sm_shallow, d),
        "sm_shallow_drop": _running_max(series.sm_shallow, d) - shallow.mean(d, SOIL_RECENT_DAYS),
        "sm_deep_mean": deep.mean(d),
        "sm_deep_recent": deep.mean(d, SOIL_RECENT_DAYS),
        "sm_deep_min": _running_min(series.sm_deep, d),
        "sm_deep_max": _running_max(series.sm_deep, d),
        "sm_deep_drop": _running_max(series.sm_deep, d) - deep.mean(d, SOIL_RECENT_DAYS),
        "wb_vegetative": _stage_sum(water, stage, 0, d),
        "wb_flowering": _stage_sum(water, stage, 1, d),
        "wb_grainfill": _stage_sum(water, stage, 2, d),
        "irrigation_flowering": _stage_sum(series.irrigation, stage, 1, d),
        "irrigation_grainfill": _stage_sum(series.irrigation, stage, 2, d),
        "sm_shallow_drop_flowering": _stage_mean(shallow_drop, stage, 1, d),
        "sm_shallow_drop_grainfill": _stage_mean(shallow_drop, stage, 2, d),
        "sm_deep_drop_flowering": _stage_mean(deep_drop, stage, 1, d),
        "sm_deep_drop_grainfill": _stage_mean(deep_drop, stage, 2, d),
        "soil_wp": np.full(d.size, wp),
        "soil_fc": np.full(d.size, fc),
        "irrigation_trigger": np.full(d.size, trigger),
        "sm_shallow_aw": _Prefix.of(shallow_aw).mean(d, SOIL_RECENT_DAYS),
        "sm_deep_aw": _Prefix.of(deep_aw).mean(d, SOIL_RECENT_DAYS),
        "sm_shallow_dry_days": shallow_dry.scaled_sum(d),
        "sm_deep_dry_days": deep_dry.scaled_sum(d),
        "rootzone_depletion": np.concatenate(([0.0], balance.depletion))[d],
        "water_demand_met": 100.0 * supplied[d] / np.maximum(demanded[d], 1e-9),
        "water_demand_met_flowering": 100.0
        - _stage_mean(100.0 * (1.0 - balance.stress), stage, 1, d),
        "latitude_abs": np.full(d.size, abs(lat)),
        "planting_day": np.full(
            d.size, np.nan if latitude is None else planting_day(series.planted, latitude)
        ),
    }
    values = np.column_stack([columns[name] for name in FEATURE_NAMES])
    mask = np.column_stack([available[g] for g in Group])
    for g, cols in GROUP_COLUMNS.items():
        values[np.ix_(~available[g], np.asarray(cols, dtype=np.int64))] = np.nan
    return FeatureRows(d, values, mask)
