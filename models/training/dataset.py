"""Training rows from simulated seasons: sensor error, sampled days, features.

Deterministic: each season draws its sensor error and its sampled days from a
generator seeded by the season's own key, so rows do not depend on the order
seasons are processed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.context import AQUACROP_SOIL, FieldContext
from models.crops import CropSpec, crop_spec
from models.daily import DailySeries
from models.features import FEATURE_NAMES, MIN_DAYS, season_features
from models.training.scenarios import SITES, DatasetConfig, Season
from models.training.seasons import SeasonStore, hash_labels, real_seasons, season_labels
from models.training.sensors import observe, season_rng

EVAL_FRACTIONS: tuple[float, ...] = (0.3, 0.6, 0.9)


@dataclass(frozen=True, slots=True)
class SeasonRows:
    season: Season
    yield_t_ha: float
    length_days: int
    days: npt.NDArray[np.int64]
    eval_tag: npt.NDArray[np.int64]
    """30, 60 or 90 for the rows at that share of the season, else 0."""
    features: npt.NDArray[np.float32]


def stage_days(progress: npt.NDArray[np.float64]) -> list[int]:
    """The days on which the season's progress, as the gateway reports it, first
    reaches each of ``EVAL_FRACTIONS``; ``progress[k]`` is that of day k + 1.

    The gateway knows only how far the nominal season has gone (days, or degree
    days for wheat), not when this season will end: a maize crop that dies of
    drought on day 90 still shows 60 % on day 79. A season that ended before a
    fraction (its crop died) is counted on its last day.
    """
    length = progress.size
    days = []
    for f in EVAL_FRACTIONS:
        reached = np.flatnonzero(progress >= f - 1e-9)
        days.append(max(MIN_DAYS, int(reached[0]) + 1 if reached.size else length))
    return days


def sample_days(
    stages: list[int], length: int, rng: np.random.Generator, extra: int
) -> tuple[list[int], list[int]]:
    """The days of one season that become rows, and each one's evaluation tag."""
    days = list(stages)
    tags = [round(f * 100) for f in EVAL_FRACTIONS]
    pool = np.arange(MIN_DAYS, length + 1)
    for d in rng.choice(pool, size=min(extra, pool.size), replace=False):
        days.append(int(d))
        tags.append(0)
    return days, tags


@dataclass(frozen=True, slots=True)
class SeasonView:
    """What the gateway would have seen of one season, every day of it."""

    observed: DailySeries
    every_day: npt.NDArray[np.float64]
    """Feature rows; row k is day k + 1."""
    stages: list[int]
    """The days at EVAL_FRACTIONS of the season (``stage_days``)."""


def season_view(store: SeasonStore, i: int, rng: np.random.Generator) -> SeasonView:
    """Season ``i`` through the gateway's sensors: its error drawn from ``rng``."""
    season = store.season(i)
    observed = observe(store.series(i), rng)
    spec = crop_spec(store.crop)
    context = FieldContext(AQUACROP_SOIL[season.soil], season.strategy.value)
    latitude = SITES[season.site].lat
    days = np.arange(1, int(store.length[i]) + 1)
    every_day = season_features(observed, spec, days, context, latitude).values
    return SeasonView(observed, every_day, stage_days(row_progress(every_day, spec)))


def season_rows(store: SeasonStore, i: int, config: DatasetConfig) -> SeasonRows:
    """Sensor error, sampled days and features of season ``i``: deterministic per season."""
    season = store.season(i)
    rng = season_rng(config.seed, season.key)
    view = season_view(store, i, rng)
    length = int(store.length[i])
    days, tags = sample_days(view.stages, length, rng, config.random_days)
    if season.donor is not None:
        tags = [0] * len(tags)  # spliced seasons train; figures are of real ones
    picked = np.asarray(days, dtype=np.int64)
    return SeasonRows(
        season,
        float(store.yield_t_ha[i]),
        length,
        picked,
        np.asarray(tags, dtype=np.int64),
        view.every_day[picked - 1].astype(np.float32),
    )


def row_progress(x: npt.NDArray[np.float64], spec: CropSpec) -> npt.NDArray[np.float64]:
    """Each feature row's season progress, as the forecaster computes it (0..1)."""
    return spec.progresses(
        x[:, FEATURE_NAMES.index("days_since_planting")], x[:, FEATURE_NAMES.index("gdd_cum")]
    )


@dataclass(frozen=True, slots=True)
class Dataset:
    crop: str
    features: npt.NDArray[np.float32]
    row_season: npt.NDArray[np.int64]
    row_day: npt.NDArray[np.int64]
    row_eval: npt.NDArray[np.int64]
    season_yield: npt.NDArray[np.float64]
    season_length: npt.NDArray[np.int64]
    season_year: npt.NDArray[np.int64]
    season_info: dict[str, list[str]]
    """Per season: site, soil, strategy, planted (ISO date), donor, splice_day."""

    def real(self) -> npt.NDArray[np.bool_]:
        """Which seasons are real, not spliced (``models.training.splice``)."""
        return real_seasons(self.season_info)

    @property
    def row_yield(self) -> npt.NDArray[np.float64]:
        result: npt.NDArray[np.float64] = self.season_yield[self.row_season]
        return result

    def digest(self) -> str:
        """SHA-256 over every array, in a fixed order: the dataset's identity."""
        h = hashlib.sha256()
        for arr in (
            self.features,
            self.row_season,
            self.row_day,
            self.row_eval,
            self.season_yield,
            self.season_length,
            self.season_year,
        ):
            h.update(np.ascontiguousarray(arr).tobytes())
        hash_labels(h, self.season_info)
        return h.hexdigest()


def assemble(crop: str, parts: Sequence[SeasonRows]) -> Dataset:
    if not parts:
        raise ValueError(f"crop {crop!r}: no season was simulated successfully")
    counts = [p.days.size for p in parts]
    return Dataset(
        crop,
        np.concatenate([p.features for p in parts]),
        np.repeat(np.arange(len(parts), dtype=np.int64), counts),
        np.concatenate([p.days for p in parts]),
        np.concatenate([p.eval_tag for p in parts]),
        np.asarray([p.yield_t_ha for p in parts], dtype=np.float64),
        np.asarray([p.length_days for p in parts], dtype=np.int64),
        np.asarray([p.season.year for p in parts], dtype=np.int64),
        season_labels([p.season for p in parts]),
    )


def featurize(store: SeasonStore, config: DatasetConfig) -> Dataset:
    """The training rows of every stored season."""
    return assemble(store.crop, [season_rows(store, i, config) for i in range(store.seasons)])
