"""The crops Kakashi forecasts, with the crop-model parameters the features need.

Temperature limits and season lengths are AquaCrop's default crop files
(AquaCrop-OS / aquacrop 3.x ``crop_params``): maize and paddy rice run on a
calendar-day season, wheat on a thermal-time (GDD) season because its length
differs by months between a Tunisian and an English winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from models.gdd import carried_forward


class SeasonBasis(StrEnum):
    DAYS = "days"
    GDD = "gdd"


@dataclass(frozen=True, slots=True)
class CropSpec:
    name: str
    """As in the site configuration's ``crop`` key."""
    aquacrop_name: str
    tbase_c: float
    """Growing degree days accrue above this temperature."""
    tupp_c: float
    """…and no faster above this one."""
    basis: SeasonBasis
    season_length: float
    """Planting to maturity, in days or in °C·d according to ``basis``."""
    flowering: tuple[float, float]
    """Start and end of flowering as shares of the season: the critical period,
    when water stress costs the most grain."""
    cold_pollination: tuple[float, float]
    """Daily minimum (°C) below which pollination starts to fail, and at which it fails
    completely (AquaCrop's Tmin_up, Tmin_lo)."""
    heat_pollination: tuple[float, float]
    """Daily maximum (°C) above which pollination starts to fail, and at which it fails
    completely (AquaCrop's Tmax_up, Tmax_lo)."""

    def phase_of_days(self, gdd: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Per day: 0 before flowering, 1 flowering, 2 grain fill (from daily GDD)."""
        result: npt.NDArray[np.int64] = np.searchsorted(
            np.asarray(self.flowering) * self.season_length, self.elapsed(gdd), side="right"
        )
        return result

    def elapsed(self, gdd: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per day: the season elapsed at its start, in the basis's unit."""
        step = self.elapsed_per_day(gdd)
        result: npt.NDArray[np.float64] = np.cumsum(step) - step
        return result

    def elapsed_per_day(self, gdd: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per day: the season it passes, in the basis's unit (one day, or its degree
        days; a day without temperature counts as the last day with it)."""
        if self.basis is SeasonBasis.DAYS:
            return np.ones(gdd.size, dtype=np.float64)
        return carried_forward(gdd)

    def progress(self, days_since_planting: float, gdd_cum: float) -> float:
        """Fraction of the nominal season elapsed, 0..1 (1 past maturity)."""
        return float(self.progresses(np.asarray([days_since_planting]), np.asarray([gdd_cum]))[0])

    def progresses(
        self, days_since_planting: npt.NDArray[np.float64], gdd_cum: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """``progress`` of many days at once (NaN where the elapsed measure is NaN)."""
        elapsed = days_since_planting if self.basis is SeasonBasis.DAYS else gdd_cum
        result: npt.NDArray[np.float64] = np.clip(elapsed / self.season_length, 0.0, 1.0)
        return result


CROPS: dict[str, CropSpec] = {
    spec.name: spec
    for spec in (
        # Flowering: AquaCrop's HIstart and Flowering durations over maturity
        # (maize 66+13 of 132 d, wheat 1250+200 of 2400 °C·d, rice 65+19 of 104 d).
        # Pollination limits: the same crop files' Tmin_up/Tmin_lo, Tmax_up/Tmax_lo.
        CropSpec(
            "maize",
            "Maize",
            8.0,
            30.0,
            SeasonBasis.DAYS,
            132.0,
            (66 / 132, 79 / 132),
            (10, 5),
            (40, 45),
        ),
        CropSpec(
            "wheat",
            "WheatGDD",
            0.0,
            26.0,
            SeasonBasis.GDD,
            2400.0,
            (1250 / 2400, 1450 / 2400),
            (5, 0),
            (35, 40),
        ),
        CropSpec(
            "rice",
            "PaddyRice",
            8.0,
            30.0,
            SeasonBasis.DAYS,
            104.0,
            (65 / 104, 84 / 104),
            (8, 3),
            (35, 40),
        ),
    )
}


def crop_spec(name: str) -> CropSpec:
    try:
        return CROPS[name]
    except KeyError:
        known = ", ".join(sorted(CROPS))
        raise KeyError(f"crop {name!r} has no yield model; forecast crops: {known}") from None
