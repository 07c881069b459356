"""Which seasons train, calibrate and test: whole weather years, never random rows.

A season belongs to its campaign: the year of the day 60 days before planting,
so every planting of one sowing window (a Tunisian wheat sown in November or
December, a rabi rice sown in December or January) shares one campaign. The
test campaigns are held out at every site at once: neighbouring sites share a
year's weather (Cambridgeshire and Northumberland in 2003), and holding out a
year at one of them only would leak it through the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.training.scenarios import same_day_in

CAMPAIGN_OFFSET_DAYS = 60
TEST_EVERY = 4
"""One campaign in four is held out for testing."""
CALIBRATION_FOLDS = 5


def campaign(planted: dt.date) -> int:
    return (planted - dt.timedelta(days=CAMPAIGN_OFFSET_DAYS)).year


def campaigns(planted_iso: list[str]) -> npt.NDArray[np.int64]:
    return np.asarray([campaign(dt.date.fromisoformat(p)) for p in planted_iso], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Campaigns:
    """Each season's campaign, and that of the donor year whose weather follows its
    splice day (``models.training.splice``); a real season's donor is itself."""

    own: npt.NDArray[np.int64]
    donor: npt.NDArray[np.int64]

    @classmethod
    def of(cls, info: dict[str, list[str]]) -> Campaigns:
        """From a dataset's season labels (planted, donor)."""
        own = campaigns(info["planted"])
        donor = [
            campaign(same_day_in(p, int(d))) if d else c
            for d, p, c in zip(
                info["donor"], map(dt.date.fromisoformat, info["planted"]), own, strict=True
            )
        ]
        return cls(own, np.asarray(donor, dtype=np.int64))

    def __getitem__(self, index: npt.NDArray[np.int64] | npt.NDArray[np.bool_]) -> Campaigns:
        return Campaigns(self.own[index], self.donor[index])

    @property
    def real(self) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = self.own == self.donor
        return result


@dataclass(frozen=True, slots=True)
class YearSplit:
    test_years: tuple[int, ...]
    train_years: tuple[int, ...]
    fold_of_year: dict[int, int]
    """Cross-calibration fold of every training year."""

    def is_test(self, years: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = np.isin(years, self.test_years)
        return result

    def touches_test(self, seasons: Campaigns) -> npt.NDArray[np.bool_]:
        """Seasons with weather from a test year: a spliced one counts if either of
        its years is held out."""
        result: npt.NDArray[np.bool_] = self.is_test(seasons.own) | self.is_test(seasons.donor)
        return result

    def folds(self, years: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Fold of each training season's year; -1 for test seasons."""
        return np.asarray([self.fold_of_year.get(int(y), -1) for y in years], dtype=np.int64)


def split_years(years: npt.NDArray[np.int64], seed: int, rotation: int = 0) -> YearSplit:
    """Every TEST_EVERY-th campaign (from a seeded offset, moved on by ``rotation``) is a
    test year.

    Spacing them evenly rather than drawing at random guarantees that a site
    with a short record (Hyderabad: ten campaigns) still has test years, and
    that test years span the record instead of clustering.
    """
    unique = sorted({int(y) for y in years})
    if len(unique) < TEST_EVERY:
        raise ValueError(f"need at least {TEST_EVERY} weather years to hold some out, got {unique}")
    offset = (int(np.random.default_rng(seed).integers(TEST_EVERY)) + rotation) % TEST_EVERY
    test = tuple(y for i, y in enumerate(unique) if (i + offset) % TEST_EVERY == 0)
    train = tuple(y for y in unique if y not in test)
    folds = {y: i % CALIBRATION_FOLDS for i, y in enumerate(train)}
    return YearSplit(test, train, folds)


def rotations(years: npt.NDArray[np.int64], seed: int) -> list[YearSplit]:
    """The TEST_EVERY splits whose test years together are every campaign once; the
    seeded split first.

    Three test years (rice at Hyderabad) say little about a band meant to hold
    80 % of outcomes: evaluated over all four rotations, every year counts.
    """
    return [split_years(years, seed, r) for r in range(TEST_EVERY)]
