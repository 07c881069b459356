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
from models.crops import crop_spec
from models.features import MIN_DAYS, season_features
from models.training.scenarios import SITES, DatasetConfig, Season
from models.training.seasons import SEASON_COLUMNS, SeasonStore
from models.training.sensors import observe, season_rng

EVAL_FRACTIONS: tuple[float, ...] = (0.3, 0.6, 0.9)


@dataclass(frozen=True, slots=True)
class SeasonRows:
    season: Season
    yield_t_ha: float
    length_days: int
    days: npt.NDArray[np.int64]
    fractions: npt.NDArray[np.float64]
    eval_tag: npt.NDArray[np.int64]
    """30, 60 or 90 for the rows at that share of the season, else 0."""
    features: npt.NDArray[np.float32]


def sample_days(length: int, rng: np.random.Generator, extra: int) -> tuple[list[int], list[int]]:
    """The days of one season that become rows, and each one's evaluation tag."""
    days = [max(MIN_DAYS, round(f * length)) for f in EVAL_FRACTIONS]
    tags = [round(f * 100) for f in EVAL_FRACTIONS]
    pool = np.arange(MIN_DAYS, length + 1)
    for d in rng.choice(pool, size=min(extra, pool.size), replace=False):
        days.append(int(d))
        tags.append(0)
    return days, tags


def season_rows(store: SeasonStore, i: int, config: DatasetConfig) -> SeasonRows:
    """Sensor error, sampled days and features of season ``i``: deterministic per season."""
    season = store.season(i)
    rng = season_rng(config.seed, season.key)
    observed = observe(store.series(i), rng)
    length = int(store.length[i])
    days, tags = sample_days(length, rng, config.random_days)
    context = FieldContext(AQUACROP_SOIL[season.soil], season.strategy.value)
    latitude = SITES[season.site].lat
    rows = season_features(observed, crop_spec(store.crop), days, context, latitude)
    return SeasonRows(
        season,
        float(store.yield_t_ha[i]),
        length,
        rows.days,
        rows.days / length,
        np.asarray(tags, dtype=np.int64),
        rows.values.astype(np.float32),
    )


@dataclass(frozen=True, slots=True)
class Dataset:
    crop: str
    features: npt.NDArray[np.float32]
    row_season: npt.NDArray[np.int64]
    row_day: npt.NDArray[np.int64]
    row_fraction: npt.NDArray[np.float64]
    row_eval: npt.NDArray[np.int64]
    season_yield: npt.NDArray[np.float64]
    season_length: npt.NDArray[np.int64]
    season_year: npt.NDArray[np.int64]
    season_info: dict[str, list[str]]
    """Per season: site, soil, strategy, planted (ISO date)."""

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
        for name in SEASON_COLUMNS:
            h.update("\x1f".join(self.season_info[name]).encode())
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
        np.concatenate([p.fractions for p in parts]),
        np.concatenate([p.eval_tag for p in parts]),
        np.asarray([p.yield_t_ha for p in parts], dtype=np.float64),
        np.asarray([p.length_days for p in parts], dtype=np.int64),
        np.asarray([p.season.year for p in parts], dtype=np.int64),
        {
            "site": [p.season.site for p in parts],
            "soil": [p.season.soil for p in parts],
            "strategy": [p.season.strategy.value for p in parts],
            "planted": [p.season.planted.isoformat() for p in parts],
        },
    )


def featurize(store: SeasonStore, config: DatasetConfig) -> Dataset:
    """The training rows of every stored season."""
    return assemble(store.crop, [season_rows(store, i, config) for i in range(store.seasons)])
