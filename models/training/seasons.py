"""``kakashi model build-dataset``: simulate every season of the grid and keep it.

Simulation is the slow part (about 25 minutes for all crops on one core), so
it is cached: one compressed ``.npz`` per crop with a JSON manifest under
``var/`` (not committed), holding each season's exact daily series and yield.
Training rows are derived from it in seconds (``models.training.dataset``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.daily import DailySeries, Variable
from models.training.scenarios import CROP_PLANS, DatasetConfig, Season, Strategy, seasons_for
from models.training.simulate import LEAD_DAYS, SimulatedSeason, simulate, weather_span
from models.training.splice import spliced_weather, splices_of

SEASON_COLUMNS: tuple[str, ...] = ("site", "soil", "strategy", "planted")
SPLICE_COLUMNS: tuple[str, ...] = ("donor", "splice_day")
"""Per season, empty for a real one: the donor's planting year and the splice day."""


def _simulate_one(season: Season) -> SimulatedSeason | str:
    try:
        if season.donor is None:
            return simulate(season)
        return simulate(season, spliced_weather(season, season.splice_day, season.donor))
    except (RuntimeError, AssertionError, ValueError) as exc:
        # AquaCrop asserts when a season cannot mature in its window; such a
        # season is reported and left out, never patched up.
        message = str(exc)
        return message if season.key in message else f"{season.key}: {message}"


@dataclass(frozen=True, slots=True)
class SeasonStore:
    """What AquaCrop simulated: each season's exact daily series (NaN-padded) and yield.

    This is the expensive part, cached on disk; sensor error, sampled days and
    features are derived from it in seconds by ``featurize``.
    """

    crop: str
    daily: dict[Variable, npt.NDArray[np.float32]]
    """Per variable, shape (seasons, longest season)."""
    length: npt.NDArray[np.int64]
    yield_t_ha: npt.NDArray[np.float64]
    info: dict[str, list[str]]
    """Per season: site, soil, strategy, planted (ISO date), donor, splice_day."""

    @property
    def seasons(self) -> int:
        return int(self.length.size)

    def real(self) -> npt.NDArray[np.bool_]:
        """Which seasons are real (not spliced)."""
        return real_seasons(self.info)

    def season(self, i: int) -> Season:
        donor = self.info["donor"][i]
        return Season(
            self.crop,
            self.info["site"][i],
            self.info["soil"][i],
            Strategy(self.info["strategy"][i]),
            dt.date.fromisoformat(self.info["planted"][i]),
            int(donor) if donor else None,
            int(self.info["splice_day"][i] or 0),
        )

    def series(self, i: int) -> DailySeries:
        n = int(self.length[i])
        planted = dt.date.fromisoformat(self.info["planted"][i])
        return DailySeries(planted, *(self.daily[v][i, :n].astype(np.float64) for v in Variable))

    def digest(self) -> str:
        """SHA-256 over every array and label, in a fixed order."""
        h = hashlib.sha256()
        for v in Variable:
            h.update(np.ascontiguousarray(self.daily[v]).tobytes())
        h.update(self.length.tobytes())
        h.update(self.yield_t_ha.tobytes())
        hash_labels(h, self.info)
        return h.hexdigest()

    def save(self, path: Path, manifest: dict[str, object]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {f"daily_{v.value}": a for v, a in self.daily.items()}
        arrays["length"] = self.length
        arrays["yield_t_ha"] = self.yield_t_ha
        arrays.update({f"season_{k}": np.asarray(v) for k, v in self.info.items()})
        np.savez_compressed(path, **arrays)
        document = {"crop": self.crop, "sha256": self.digest(), **manifest}
        path.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path, crop: str) -> SeasonStore:
        if not path.exists():
            raise FileNotFoundError(
                f"simulated seasons {path} for crop {crop!r} not found: "
                "run `kakashi model build-dataset` first"
            )
        with np.load(path) as z:
            info = {k: [str(x) for x in z[f"season_{k}"]] for k in SEASON_COLUMNS}
            for k in SPLICE_COLUMNS:
                # Stores built before spliced seasons existed have none.
                info[k] = (
                    [str(x) for x in z[f"season_{k}"]]
                    if f"season_{k}" in z
                    else [""] * len(info["site"])
                )
            return cls(
                crop,
                {v: z[f"daily_{v.value}"] for v in Variable},
                z["length"],
                z["yield_t_ha"],
                info,
            )


def store_of(crop: str, simulated: Sequence[SimulatedSeason]) -> SeasonStore:
    if not simulated:
        raise ValueError(f"crop {crop!r}: no season was simulated successfully")
    longest = max(s.length_days for s in simulated)
    daily = {v: np.full((len(simulated), longest), np.nan, dtype=np.float32) for v in Variable}
    for i, s in enumerate(simulated):
        for v in Variable:
            daily[v][i, : s.length_days] = s.daily.get(v)
    return SeasonStore(
        crop,
        daily,
        np.asarray([s.length_days for s in simulated], dtype=np.int64),
        np.asarray([s.yield_t_ha for s in simulated], dtype=np.float64),
        season_labels([s.season for s in simulated]),
    )


def real_seasons(info: dict[str, list[str]]) -> npt.NDArray[np.bool_]:
    """Which of the seasons labelled ``info`` are real (no donor), not spliced."""
    return np.asarray([d == "" for d in info["donor"]], dtype=np.bool_)


def hash_labels(h: Any, info: dict[str, list[str]]) -> None:
    """Feed the per-season labels to the hash ``h``. The splice columns count only
    when some season is spliced: a store or dataset without any keeps the digest it
    had before they existed (the shipped models name their data by it)."""
    spliced = any(info["donor"])
    for name in SEASON_COLUMNS + (SPLICE_COLUMNS if spliced else ()):
        h.update("\x1f".join(info[name]).encode())


def season_labels(seasons: Sequence[Season]) -> dict[str, list[str]]:
    """The per-season columns a store and a dataset keep (SEASON_COLUMNS, SPLICE_COLUMNS)."""
    return {
        "site": [s.site for s in seasons],
        "soil": [s.soil for s in seasons],
        "strategy": [s.strategy.value for s in seasons],
        "planted": [s.planted.isoformat() for s in seasons],
        "donor": ["" if s.donor is None else str(s.donor) for s in seasons],
        "splice_day": ["" if s.donor is None else str(s.splice_day) for s in seasons],
    }


def crop_seasons(crop: str, config: DatasetConfig) -> list[Season]:
    plan = CROP_PLANS[crop]
    sites = {p.site for p in plan.plantings}
    return seasons_for(plan, config, {s: weather_span(s) for s in sites}, LEAD_DAYS)


def _run(seasons: list[Season], workers: int) -> Iterator[SimulatedSeason | str]:
    if workers <= 1:
        yield from map(_simulate_one, seasons)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(_simulate_one, seasons, chunksize=8)


Progress = Callable[[Iterable[SimulatedSeason | str], int, str], Iterable[SimulatedSeason | str]]


def build_dataset(
    crop: str,
    config: DatasetConfig,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> tuple[SeasonStore, list[str]]:
    """Simulate ``crop``'s seasons, then its spliced seasons (``splice.py``); return
    them and the seasons left out, with why."""
    seasons = crop_seasons(crop, config)
    real, failures = _simulate_all(seasons, workers, progress, crop)
    spliced, left_out = simulate_splices(crop, real, config, workers, progress)
    return store_of(crop, real + spliced), failures + left_out


def simulate_splices(
    crop: str,
    real: Sequence[SimulatedSeason],
    config: DatasetConfig,
    workers: int = 1,
    progress: Progress | None = None,
) -> tuple[list[SimulatedSeason], list[str]]:
    """The spliced seasons of ``real`` ones (``splice.py``): the crop plan's count
    per season unless ``config`` sets one."""
    count = CROP_PLANS[crop].splices if config.splices is None else config.splices
    years = sorted({s.season.planted.year for s in real})
    splices = [
        spliced
        for s in real
        for spliced in splices_of(s.season, s.length_days, years, count, config.seed)
    ]
    if not splices:
        return [], []
    return _simulate_all(splices, workers, progress, f"{crop} spliced")


def _simulate_all(
    seasons: list[Season], workers: int, progress: Progress | None, label: str
) -> tuple[list[SimulatedSeason], list[str]]:
    results: Iterable[SimulatedSeason | str] = _run(seasons, workers)
    if progress is not None:
        results = progress(results, len(seasons), label)
    simulated: list[SimulatedSeason] = []
    failures: list[str] = []
    for result in results:
        if isinstance(result, str):
            failures.append(result)
        else:
            simulated.append(result)
    return simulated, failures


def dataset_path(directory: Path, crop: str) -> Path:
    return directory / f"seasons-{crop}.npz"


def store_seed(path: Path) -> int:
    """The seed the seasons were built with (their manifest), reused for sensor error."""
    document = json.loads(path.with_suffix(".json").read_text())
    seed: int = document["config"]["seed"]
    return seed


def manifest(config: DatasetConfig, failures: list[str], seasons: int) -> dict[str, object]:
    return {
        "config": asdict(config),
        "seasons": seasons,
        "left_out": failures,
        "source": "AquaCrop-OSPy (aquacrop package), weather series shipped with it",
    }
