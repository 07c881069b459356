"""A field's season as daily values: the one input both training and the gateway build.

Training fills it from AquaCrop's output, the gateway from stored readings;
features are computed from it by one function, so the model sees at run time
exactly what it was trained on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Variable(StrEnum):
    """Daily variables, day 0 being the planting day. NaN means no usable data that day."""

    TMIN = "tmin"  # °C
    TMAX = "tmax"  # °C
    RAIN = "rain"  # mm/day
    ET0 = "et0"  # mm/day, FAO-56 grass reference evapotranspiration
    IRRIGATION = "irrigation"  # mm/day applied
    SM_SHALLOW = "sm_shallow"  # % volumetric water content, probe at 15 cm
    SM_DEEP = "sm_deep"  # % volumetric water content, probe at 45 cm


@dataclass(frozen=True, slots=True)
class DailySeries:
    planted: dt.date
    tmin: FloatArray
    tmax: FloatArray
    rain: FloatArray
    et0: FloatArray
    irrigation: FloatArray
    sm_shallow: FloatArray
    sm_deep: FloatArray

    def __post_init__(self) -> None:
        lengths = {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "planted"}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"daily series of unequal length: {lengths}")

    @property
    def days(self) -> int:
        return len(self.tmin)

    def get(self, variable: Variable) -> FloatArray:
        values: FloatArray = getattr(self, variable.value)
        return values

    @classmethod
    def empty(cls, planted: dt.date, days: int) -> DailySeries:
        """All variables missing; fill with ``dataclasses.replace``."""
        return cls(planted, *(np.full(days, np.nan) for _ in Variable))
