"""One field through the years: AquaCrop seasons chained end to end, a day at a time.

A field is planted every year on the month and day of its ``planted`` date.
Each AquaCrop run covers the fallow time since the previous harvest, the
planting and the season to harvest; the next run starts the day after with
the soil water the last one left, so soil water is continuous across seasons.
The first run is the season planted last before the simulation starts (or
the scenario's planting, if that is later); it starts 30 days before its
planting, or the day before the simulation starts if that is earlier, from
field capacity, so the soil water a sensor reads on the first day already
carries the weather of the weeks before.

Irrigation asked for a day that is already computed is applied on the next
day that is not: the simulation never rewrites the past.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sim.aquacrop_season import AquaCropSeason, DayResult, SoilLayers, soil_layers
from sim.crops import CROPS, Irrigation
from sim.weather import DailyWeather

SPIN_UP_DAYS = 30
KEPT_DAYS = 3
"""Day results kept in memory: today and the two before (the sensors interpolate)."""


@dataclass(frozen=True, slots=True)
class Harvest:
    field: str
    planted: dt.date
    day: dt.date
    dry_yield_t_ha: float
    area_ha: float

    @property
    def dry_yield_t(self) -> float:
        return self.dry_yield_t_ha * self.area_ha


@dataclass(frozen=True, slots=True)
class SeasonDay:
    """One day of the season in progress, as a gateway's daily series would hold it."""

    day: dt.date
    tmin_c: float
    tmax_c: float
    rain_mm: float
    et0_mm: float
    irrigation_mm: float
    sm_shallow_pct: float
    """Water content 0.1–0.2 m (AquaCrop's second compartment), the models' shallow probe."""
    sm_deep_pct: float
    """Water content 0.4–0.5 m (fifth compartment), the models' deep probe."""
    canopy_cover: float
    biomass_t_ha: float


@dataclass(frozen=True, slots=True)
class Outlook:
    """What the season in progress will yield if nothing else is asked of the field."""

    planted: dt.date
    harvest_day: dt.date
    dry_yield_t_ha: float


@dataclass(frozen=True, slots=True)
class FieldSpec:
    id: str
    crop: str
    soil: str
    irrigation: Irrigation
    planted: dt.date
    area_ha: float


WeatherDays = Callable[[dt.date, int], list[DailyWeather]]
"""``(first_day, count)`` → that many consecutive days of weather."""


class FieldModel:
    def __init__(self, spec: FieldSpec, weather: WeatherDays, first_day: dt.date) -> None:
        """Simulate from ``first_day`` (exclusive of nothing: its state is available)."""
        if spec.crop not in CROPS:
            raise ValueError(f"field {spec.id}: unknown crop {spec.crop!r}")
        self.spec = spec
        self._weather = weather
        self.layers: SoilLayers = soil_layers(spec.soil)
        self.harvests: list[Harvest] = []
        self.season_days: list[SeasonDay] = []
        """The days of the season in progress, or of the last one until the next planting."""
        self._days: dict[dt.date, DayResult] = {}
        self._irrigation: dict[dt.date, float] = {}
        planting = _last_planting(spec.planted, first_day)
        start = min(planting - dt.timedelta(days=SPIN_UP_DAYS), first_day - dt.timedelta(days=1))
        self._season = self._new_season(start, planting, None)
        self.computed_until = start - dt.timedelta(days=1)

    def irrigate(self, day: dt.date, mm: float) -> dt.date:
        """Ask for ``mm`` of irrigation on ``day``; returns the day it will be applied."""
        if not mm > 0:
            raise ValueError(f"irrigation depth must be > 0 mm, found {mm}")
        when = max(day, self.computed_until + dt.timedelta(days=1))
        self._irrigation[when] = self._irrigation.get(when, 0.0) + mm
        return when

    def advance_to(self, day: dt.date) -> None:
        """Compute every day up to and including ``day``."""
        while self.computed_until < day:
            self._step()

    def day(self, day: dt.date) -> DayResult:
        """The state at the end of ``day`` (computed on demand; kept for recent days only)."""
        self.advance_to(day)
        try:
            return self._days[day]
        except KeyError:
            raise KeyError(f"field {self.spec.id}: {day} is no longer kept") from None

    def outlook(self) -> Outlook | None:
        """Run a copy of the season in progress to its harvest under the weather to come
        and the irrigation already asked for (None once it is harvested). The weather is
        a function of the seed, so this is the harvest the simulation will reach unless
        more irrigation is asked for: the answer a yield forecast can be checked against."""
        season = self._season
        if season.finished or (self.harvests and self.harvests[-1].planted == season.planting):
            return None
        trial = copy.deepcopy(season)
        pending = dict(self._irrigation)
        day = self.computed_until
        while not trial.finished:
            day += dt.timedelta(days=1)
            result = trial.step(pending.pop(day, 0.0))
            if result.harvested and trial.final_yield_t_ha is not None:
                return Outlook(season.planting, day, trial.final_yield_t_ha)
        return None

    @property
    def season_planted(self) -> dt.date:
        """Planting date of the season in progress (or coming)."""
        return self._season.planting

    def _step(self) -> None:
        if self._season.finished:
            last = self.computed_until
            planting = _next_planting(self.spec.planted, last + dt.timedelta(days=1))
            previous = self._days[last]
            self._season = self._new_season(last + dt.timedelta(days=1), planting, previous.th)
        today = self.computed_until + dt.timedelta(days=1)
        result = self._season.step(self._irrigation.pop(today, 0.0))
        if result.harvested and self._season.final_yield_t_ha is not None:
            self.harvests.append(
                Harvest(
                    self.spec.id,
                    self._season.planting,
                    today,
                    self._season.final_yield_t_ha,
                    self.spec.area_ha,
                )
            )
        self._days[today] = result
        self._days.pop(today - dt.timedelta(days=KEPT_DAYS), None)
        self.computed_until = today
        self._record(result)

    def _record(self, result: DayResult) -> None:
        if result.dap == 1:
            self.season_days = []
        if not result.growing:
            return
        weather = self._weather(result.day, 1)[0]
        self.season_days.append(
            SeasonDay(
                result.day,
                weather.tmin_c,
                weather.tmax_c,
                result.rain_mm,
                weather.et0_mm,
                result.irrigation_mm,
                100.0 * result.th[1],
                100.0 * result.th[4],
                result.canopy_cover,
                result.biomass_t_ha,
            )
        )

    def _new_season(
        self, start: dt.date, planting: dt.date, initial_th: tuple[float, ...] | None
    ) -> AquaCropSeason:
        length = (planting - start).days + CROPS[self.spec.crop].max_season_days + 1
        return AquaCropSeason(
            crop=self.spec.crop,
            soil=self.spec.soil,
            irrigation=self.spec.irrigation,
            start=start,
            planting=planting,
            weather=self._weather(start, length),
            initial_th=initial_th,
        )


def _repeat(planted: dt.date, year: int) -> dt.date:
    # 29 February plants on the 28th in common years.
    return dt.date(year, planted.month, min(planted.day, 28 if planted.month == 2 else 31))


def _last_planting(planted: dt.date, on_or_before: dt.date) -> dt.date:
    """The last yearly repeat of ``planted`` on or before ``on_or_before``, or ``planted``
    itself when that is later."""
    if planted >= on_or_before:
        return planted
    candidate = _repeat(planted, on_or_before.year)
    return candidate if candidate <= on_or_before else _repeat(planted, on_or_before.year - 1)


def _next_planting(planted: dt.date, not_before: dt.date) -> dt.date:
    """The first yearly repeat of ``planted`` on or after ``not_before`` (or ``planted``
    itself when that is later)."""
    if planted >= not_before:
        return planted
    candidate = _repeat(planted, not_before.year)
    return candidate if candidate >= not_before else _repeat(planted, not_before.year + 1)
