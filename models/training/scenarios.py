"""The grid of simulated seasons: sites x crops x soils x planting dates x irrigation x years.

Sites are the daily weather series that ship inside the ``aquacrop`` package.
Planting windows follow each region's usual calendar (Córdoba is the
Argentinian one: its file has summer in January).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Strategy(StrEnum):
    """Irrigation strategies, as AquaCrop's irrigation methods."""

    RAINFED = "rainfed"
    DEFICIT = "deficit"  # irrigate when the root zone falls below 35 % of available water
    FULL = "full"  # … below 70 %
    FLOODED = "flooded"  # keep the root zone wet (net irrigation), paddy practice


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    weather_file: str
    """Name of the file inside ``aquacrop/data``."""
    lat: float


SITES: dict[str, Site] = {
    s.name: s
    for s in (
        Site("champion", "champion_climate.txt", 40.4),  # Champion, Nebraska, USA
        Site("cordoba", "cordoba_climate.txt", -31.4),  # Córdoba, Argentina
        Site("hyderabad", "hyderabad_climate.txt", 17.4),  # Hyderabad, India
        Site("tunis", "tunis_climate.txt", 36.8),  # Tunis, Tunisia
        Site("cambridge", "cambridge_climate.txt", 52.2),  # Cambridgeshire, UK
        Site("northumberland", "northumberland_climate.txt", 55.2),  # Northumberland, UK
    )
}


SPLICES_WHEAT = 4
"""Spliced seasons per real wheat season (12,060 runs, about 45 minutes on two
cores); two gave 0.608x climatology at 60 %, four 0.592x (docs/forecasting.md,
Spliced seasons)."""
SPLICES_MAIZE = 2
"""One round for maize (4,158 runs, 7 minutes on two cores): 0.594x -> 0.557x.
Rice (11 years at one site) is not spliced yet."""


@dataclass(frozen=True, slots=True)
class Planting:
    site: str
    month: int
    day: int


@dataclass(frozen=True, slots=True)
class CropPlan:
    """Where and how one crop is simulated."""

    crop: str
    plantings: tuple[Planting, ...]
    soils: tuple[str, ...]
    strategies: tuple[Strategy, ...]
    max_season_days: int
    """Simulation window after planting; weather must cover it."""
    bunds_m: float = 0.0
    """Bund height (paddies keep standing water)."""
    splices: int = 0
    """Spliced seasons per real one (``models.training.splice``)."""


def _plantings(site: str, *dates: tuple[int, int]) -> tuple[Planting, ...]:
    return tuple(Planting(site, m, d) for m, d in dates)


CROP_PLANS: dict[str, CropPlan] = {
    "maize": CropPlan(
        "maize",
        _plantings("champion", (4, 25), (5, 10), (5, 25))
        + _plantings("cordoba", (10, 1), (10, 25), (11, 20))
        + _plantings("hyderabad", (6, 20), (7, 5), (7, 20)),
        ("SandyLoam", "Loam", "ClayLoam"),
        (Strategy.RAINFED, Strategy.DEFICIT, Strategy.FULL),
        max_season_days=200,
        splices=SPLICES_MAIZE,
    ),
    "wheat": CropPlan(
        "wheat",
        _plantings("tunis", (11, 1), (11, 20), (12, 10))
        + _plantings("cambridge", (9, 25), (10, 15), (11, 5))
        + _plantings("northumberland", (9, 25), (10, 10), (10, 25))
        + _plantings("cordoba", (5, 20), (6, 10), (7, 1)),
        ("SandyLoam", "Loam", "ClayLoam"),
        (Strategy.RAINFED, Strategy.DEFICIT, Strategy.FULL),
        max_season_days=340,
        splices=SPLICES_WHEAT,
    ),
    "rice": CropPlan(
        "rice",
        # Kharif (monsoon) and rabi (dry season, irrigated) rice in Telangana.
        _plantings("hyderabad", (6, 25), (7, 10), (7, 25), (12, 20), (1, 5), (1, 20)),
        ("Paddy", "Clay", "ClayLoam"),
        (Strategy.DEFICIT, Strategy.FULL, Strategy.FLOODED),
        max_season_days=160,
        bunds_m=0.2,
    ),
}


@dataclass(frozen=True, slots=True)
class Season:
    crop: str
    site: str
    soil: str
    strategy: Strategy
    planted: dt.date
    donor: int | None = None
    """For a spliced season: the planting year whose weather follows ``splice_day``."""
    splice_day: int = 0
    """Days after planting on which the donor year's weather takes over."""

    @property
    def key(self) -> str:
        """Stable name, also the seed of this season's sensor noise."""
        key = f"{self.crop}/{self.site}/{self.soil}/{self.strategy}/{self.planted.isoformat()}"
        return key if self.donor is None else f"{key}+{self.donor}@{self.splice_day}"

    @property
    def year(self) -> int:
        """The weather year: the season's planting year."""
        return self.planted.year


def same_day_in(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year`` (29 February and later days of a month fall
    back to the 28th, which every year has)."""
    return dt.date(year, day.month, min(day.day, 28))


@dataclass(frozen=True, slots=True)
class DatasetConfig:
    crops: tuple[str, ...] = ("maize", "wheat", "rice")
    sites: tuple[str, ...] | None = None
    """None: every site of each crop's plan."""
    max_years: int | None = None
    """Keep only the first N weather years of each site (tiny test datasets)."""
    soils: tuple[str, ...] | None = None
    strategies: tuple[Strategy, ...] | None = None
    plantings_per_site: int | None = None
    random_days: int = 12
    """Days sampled per season besides 30, 60 and 90 % of it."""
    seed: int = 20240501
    splices: int | None = None
    """Spliced seasons per real one; None: each crop plan's own."""


def seasons_for(
    plan: CropPlan,
    config: DatasetConfig,
    weather_span: dict[str, tuple[dt.date, dt.date]],
    lead_days: int,
) -> list[Season]:
    """Every season of ``plan`` whose whole simulation window the site's weather covers."""
    out: list[Season] = []
    per_site: dict[str, int] = {}
    for planting in plan.plantings:
        if config.sites is not None and planting.site not in config.sites:
            continue
        per_site[planting.site] = per_site.get(planting.site, 0) + 1
        if config.plantings_per_site is not None and (
            per_site[planting.site] > config.plantings_per_site
        ):
            continue
        first, last = weather_span[planting.site]
        years = [
            y
            for y in range(first.year, last.year + 1)
            if dt.date(y, planting.month, planting.day) - dt.timedelta(days=lead_days) >= first
            and dt.date(y, planting.month, planting.day) + dt.timedelta(days=plan.max_season_days)
            <= last
        ]
        if config.max_years is not None:
            years = years[: config.max_years]
        for soil in config.soils or plan.soils:
            for strategy in config.strategies or plan.strategies:
                for y in years:
                    out.append(
                        Season(
                            plan.crop,
                            planting.site,
                            soil,
                            strategy,
                            dt.date(y, planting.month, planting.day),
                        )
                    )
    return out
