"""The root zone's water, from the weather and irrigation: a bucket below the probes.

Two probes at 15 and 45 cm see the top half metre; a maize root zone reaches
2.3 m by flowering, and the water down there decides a rainfed season. This
is FAO-56's single-bucket water balance (Allen et al. 1998, ch. 8): the root
zone deepens through the season, every day the crop draws crop coefficient ×
ET0 (less once the soil is drier than the crop can draw freely from), rain
and irrigation refill it and anything beyond field capacity drains. The
season starts at field capacity, as the training seasons do (a month of
weather before planting, from field capacity, only dries the top).

Crop figures are AquaCrop's crop files where they have one (maximum rooting
depth and when it is reached, the basal crop coefficient at full canopy) and
FAO-56 Table 22 for the share of available water drawn without stress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.crops import CropSpec
from models.gdd import carried_forward

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RootZone:
    root_min_m: float
    root_max_m: float
    full_rooting: float
    """Share of the season at which the roots reach their maximum depth."""
    kc_full: float
    """Crop coefficient at full canopy."""
    full_canopy: tuple[float, float]
    """Shares of the season between which the canopy is full (before: it grows
    from bare soil; after: it senesces to a third)."""
    free_share: float
    """Share of the available water the crop draws before its stomata close."""


ROOT_ZONES: dict[str, RootZone] = {
    # AquaCrop Maize: Zmin 0.3, Zmax 2.3 m at day 108 of 132; Kcb 1.05; senescence d 107.
    "maize": RootZone(0.3, 2.3, 108 / 132, 1.05, (0.45, 107 / 132), 0.55),
    # WheatGDD: Zmax 1.5 m at 864 of 2400 °C·d; Kcb 1.1; senescence at 1700 °C·d.
    "wheat": RootZone(0.3, 1.5, 864 / 2400, 1.1, (0.40, 1700 / 2400), 0.55),
    # PaddyRice: Zmax 0.5 m at day 21 of 104; Kcb 1.1; senescence day 73.
    "rice": RootZone(0.3, 0.5, 21 / 104, 1.1, (0.35, 73 / 104), 0.20),
}


@dataclass(frozen=True, slots=True)
class Balance:
    """Per day (the state at the end of each day)."""

    depletion: FloatArray
    """Water below field capacity in the root zone, as % of its available water."""
    stress: FloatArray
    """Water stress coefficient, 1 unstressed .. 0 at wilting point."""
    demand: FloatArray
    """Unstressed crop water use, mm (crop coefficient × ET0)."""


def _shape(share: FloatArray, zone: RootZone) -> tuple[FloatArray, FloatArray]:
    """Root depth (m) and crop coefficient at each day's share of the season."""
    roots = zone.root_min_m + (zone.root_max_m - zone.root_min_m) * np.clip(
        share / zone.full_rooting, 0.0, 1.0
    )
    start, end = zone.full_canopy
    growing = 0.15 + (zone.kc_full - 0.15) * np.clip(share / start, 0.0, 1.0)
    fading = zone.kc_full - (2 / 3) * zone.kc_full * np.clip((share - end) / (1 - end), 0.0, 1.0)
    return roots, np.where(share < end, growing, fading)


def root_zone_balance(
    crop: CropSpec,
    elapsed: FloatArray,
    et0: FloatArray,
    water_in: FloatArray,
    wilting_point: float,
    field_capacity: float,
) -> Balance:
    """Run the bucket over the season.

    ``elapsed`` is each day's season elapsed at its start (days or °C·d, as
    ``CropSpec.elapsed``); ``water_in`` is rain plus irrigation (mm). A day
    without ET0 takes the last known one; a day without rain adds none.
    """
    zone = ROOT_ZONES[crop.name]
    roots, kc = _shape(elapsed / crop.season_length, zone)
    per_m = 10.0 * (field_capacity - wilting_point)  # mm of available water per m of soil
    et0_filled = carried_forward(et0)
    inflow = np.nan_to_num(water_in)
    n = et0.size
    depletion = np.empty(n)
    stress = np.empty(n)
    dr = 0.0
    for t in range(n):
        taw = per_m * roots[t]
        free = zone.free_share * taw
        ks = 1.0 if dr <= free else max(0.0, (taw - dr) / (taw - free))
        dr = min(max(dr + ks * kc[t] * et0_filled[t] - inflow[t], 0.0), taw)
        depletion[t] = 100.0 * dr / taw
        stress[t] = ks
    return Balance(depletion, stress, kc * et0_filled)
