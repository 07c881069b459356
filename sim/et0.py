"""FAO-56 Penman–Monteith reference evapotranspiration for one day (Allen et al. 1998).

The simulator's own implementation: it shares no code with ``models/``, so a
mistake on either side shows up as a disagreement rather than being mirrored.
Equation numbers refer to FAO Irrigation and Drainage Paper 56.
"""

from __future__ import annotations

import math

from sim.solar import extraterrestrial_radiation

STEFAN_BOLTZMANN = 4.903e-9
"""σ, MJ K⁻⁴ m⁻² day⁻¹."""


def saturation_vapour_pressure(t_c: float) -> float:
    """e°(T), kPa (eq. 11)."""
    value: float = 0.6108 * math.exp(17.27 * t_c / (t_c + 237.3))
    return value


def pressure_kpa(elevation_m: float) -> float:
    """Atmospheric pressure from elevation, kPa (eq. 7)."""
    ratio = (293.0 - 0.0065 * elevation_m) / 293.0
    return 101.3 * math.pow(ratio, 5.26)


def psychrometric_constant(elevation_m: float) -> float:
    """γ, kPa °C⁻¹ (eq. 8)."""
    return 0.665e-3 * pressure_kpa(elevation_m)


def et0_penman_monteith(
    *,
    tmin_c: float,
    tmax_c: float,
    rs_mj: float,
    ea_kpa: float,
    u2_ms: float,
    lat_deg: float,
    elevation_m: float,
    doy: int,
) -> float:
    """ET0 in mm/day (eq. 6) from daily weather; soil heat flux G = 0 for a day (eq. 42)."""
    t_mean = (tmin_c + tmax_c) / 2.0
    delta = 4098.0 * saturation_vapour_pressure(t_mean) / (t_mean + 237.3) ** 2  # eq. 13
    gamma = psychrometric_constant(elevation_m)
    es = (saturation_vapour_pressure(tmax_c) + saturation_vapour_pressure(tmin_c)) / 2.0
    ra = extraterrestrial_radiation(lat_deg, doy)
    rso = (0.75 + 2e-5 * elevation_m) * ra  # eq. 37
    rns = (1.0 - 0.23) * rs_mj  # eq. 38, grass albedo 0.23
    ratio = min(1.0, rs_mj / rso) if rso > 0 else 0.5
    rnl = (
        STEFAN_BOLTZMANN
        * ((tmax_c + 273.16) ** 4 + (tmin_c + 273.16) ** 4)
        / 2.0
        * (0.34 - 0.14 * math.sqrt(max(ea_kpa, 0.0)))
        * (1.35 * ratio - 0.35)
    )  # eq. 39
    rn = rns - rnl
    numerator = 0.408 * delta * rn + gamma * 900.0 / (t_mean + 273.0) * u2_ms * max(
        es - ea_kpa, 0.0
    )
    return max(0.0, numerator / (delta + gamma * (1.0 + 0.34 * u2_ms)))
