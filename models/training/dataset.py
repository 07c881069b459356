"""``kakashi model build-dataset``: simulate every season of the grid, keep features and yields.

The result is one compressed ``.npz`` per crop with a JSON manifest, cached
under ``var/`` (not committed). Building is deterministic for a given
configuration and seed: each season draws its sensor noise and sampled days
from a generator seeded by the season's own key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.crops import crop_spec
from models.features import FEATURE_NAMES, MIN_DAYS, season_features
from models.training.scenarios import CROP_PLANS, DatasetConfig, Season, seasons_for
from models.training.sensors import observe, season_rng
from models.training.simulate import LEAD_DAYS, SimulatedSeason, simulate, weather_span

log = logging.getLogger(__name__)

EVAL_FRACTIONS: tuple[float, ...] = (0.3, 0.6, 0.9)
SEASON_COLUMNS: tuple[str, ...] = ("site", "soil", "strategy", "planted")


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


def season_rows(simulated: SimulatedSeason, config: DatasetConfig) -> SeasonRows:
    rng = season_rng(config.seed, simulated.season.key)
    observed = observe(simulated.daily, rng)
    days, tags = sample_days(simulated.length_days, rng, config.random_days)
    rows = season_features(observed, crop_spec(simulated.season.crop), days)
    return SeasonRows(
        simulated.season,
        simulated.yield_t_ha,
        simulated.length_days,
        rows.days,
        rows.days / simulated.length_days,
        np.asarray(tags, dtype=np.int64),
        rows.values.astype(np.float32),
    )


def _build_one(args: tuple[Season, DatasetConfig]) -> SeasonRows | str:
    season, config = args
    try:
        return season_rows(simulate(season), config)
    except (RuntimeError, AssertionError, ValueError) as exc:
        # AquaCrop asserts when a season cannot mature in its window; such a
        # season is reported and left out, never patched up.
        return f"{season.key}: {exc}"


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

    def season_column(self, name: str) -> npt.NDArray[np.str_]:
        return np.asarray(self.season_info[name])

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

    def save(self, path: Path, manifest: dict[str, object]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {
            "features": self.features,
            "row_season": self.row_season,
            "row_day": self.row_day,
            "row_fraction": self.row_fraction,
            "row_eval": self.row_eval,
            "season_yield": self.season_yield,
            "season_length": self.season_length,
            "season_year": self.season_year,
        }
        arrays.update({f"season_{k}": np.asarray(v) for k, v in self.season_info.items()})
        np.savez_compressed(path, **arrays)
        document = {"crop": self.crop, "sha256": self.digest(), **manifest}
        path.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path, crop: str) -> Dataset:
        if not path.exists():
            raise FileNotFoundError(
                f"dataset {path} for crop {crop!r} not found: run `kakashi model build-dataset`"
            )
        with np.load(path) as z:
            names = tuple(str(n) for n in z.files)
            dataset = cls(
                crop,
                z["features"],
                z["row_season"],
                z["row_day"],
                z["row_fraction"],
                z["row_eval"],
                z["season_yield"],
                z["season_length"],
                z["season_year"],
                {k: [str(x) for x in z[f"season_{k}"]] for k in SEASON_COLUMNS},
            )
        if dataset.features.shape[1] != len(FEATURE_NAMES):
            raise ValueError(
                f"dataset {path}: {dataset.features.shape[1]} feature columns, this version of "
                f"models/features.py has {len(FEATURE_NAMES)}: rebuild it ({names})"
            )
        return dataset


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


def crop_seasons(crop: str, config: DatasetConfig) -> list[Season]:
    plan = CROP_PLANS[crop]
    sites = {p.site for p in plan.plantings}
    return seasons_for(plan, config, {s: weather_span(s) for s in sites}, LEAD_DAYS)


def _run(jobs: list[tuple[Season, DatasetConfig]], workers: int) -> Iterator[SeasonRows | str]:
    if workers <= 1:
        yield from map(_build_one, jobs)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(_build_one, jobs, chunksize=8)


Progress = Callable[[Iterable[SeasonRows | str], int, str], Iterable[SeasonRows | str]]


def build_dataset(
    crop: str,
    config: DatasetConfig,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> tuple[Dataset, list[str]]:
    """Simulate ``crop``'s seasons; return the dataset and the seasons left out, with why."""
    jobs = [(s, config) for s in crop_seasons(crop, config)]
    results: Iterable[SeasonRows | str] = _run(jobs, workers)
    if progress is not None:
        results = progress(results, len(jobs), crop)
    parts: list[SeasonRows] = []
    failures: list[str] = []
    for result in results:
        if isinstance(result, str):
            failures.append(result)
        else:
            parts.append(result)
    return assemble(crop, parts), failures


def dataset_path(directory: Path, crop: str) -> Path:
    return directory / f"dataset-{crop}.npz"


def manifest(config: DatasetConfig, failures: list[str], seasons: int) -> dict[str, object]:
    return {
        "config": asdict(config),
        "seasons": seasons,
        "left_out": failures,
        "source": "AquaCrop-OSPy (aquacrop package), weather series shipped with it",
    }
