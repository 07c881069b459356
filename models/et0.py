"""Daily grass reference evapotranspiration from a gateway's own weather station.

FAO-56 Penman-Monteith (Allen et al. 1998, eq. 6) from daily minimum and
maximum temperature, mean humidity, wind and global radiation. What is
missing falls back as FAO-56 itself advises: no humidity -> actual vapour
pressure from the minimum temperature (eq. 48); no wind -> 2 m/s (sec. 3,
"missing wind speed data"); no radiation -> Hargreaves' equation (eq. 52)
from the temperature range and extraterrestrial radiation (eq. 21).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
DEFAULT_WIND_M_S = 2.0
SOLAR_CONSTANT = 0.0820  # MJ m-2 min-1
STEFAN_BOLTZMANN = 4.903e-9  # MJ K-4 m-2 day-1


@dataclass(frozen=True, slots=True)
class DailyWeather:
    """Daily values, one per day; NaN where the station had nothing usable."""

    day_of_year: npt.NDArray[np.int64]
    tmin: FloatArray  # °C
    tmax: FloatArray  # °C
    rh_mean: FloatArray  # %
    wind: FloatArray  # m/s at about 2 m
    radiation: FloatArray  # MJ m-2 day-1 (mean W/m² x 0.0864)
    pressure_kpa: FloatArray


def saturation_vp(t: FloatArray) -> FloatArray:
    """kPa (FAO-56 eq. 11)."""
    result: FloatArray = 0.6108 * np.exp(17.27 * t / (t + 237.3))
    return result


def extraterrestrial_radiation(lat_deg: float, doy: npt.NDArray[np.int64]) -> FloatArray:
    """MJ m-2 day-1 (FAO-56 eqs. 21-25)."""
    phi = np.radians(lat_deg)
    dr = 1 + 0.033 * np.cos(2 * np.pi * doy / 365)
    decl = 0.409 * np.sin(2 * np.pi * doy / 365 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(decl), -1.0, 1.0))
    result: FloatArray = (
        24
        * 60
        / np.pi
        * SOLAR_CONSTANT
        * dr
        * (ws * np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.sin(ws))
    )
    return result


def pressure_at(elevation_m: float) -> float:
    """kPa (FAO-56 eq. 7)."""
    return float(101.3 * ((293 - 0.0065 * elevation_m) / 293) ** 5.26)


def hargreaves(tmin: FloatArray, tmax: FloatArray, ra: FloatArray) -> FloatArray:
    """mm/day (FAO-56 eq. 52)."""
    tmean = (tmin + tmax) / 2
    result: FloatArray = (
        0.0023 * (tmean + 17.8) * np.sqrt(np.maximum(tmax - tmin, 0.0)) * 0.408 * ra
    )
    return result


def reference_et0(
    w: DailyWeather, lat_deg: float, elevation_m: float
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """ET0 in mm/day, and which days used Hargreaves because radiation was missing.

    NaN where the temperature extremes are missing: ET0 is never guessed without them.
    """
    tmean = (w.tmin + w.tmax) / 2
    ra = extraterrestrial_radiation(lat_deg, w.day_of_year)
    pressure = np.where(np.isnan(w.pressure_kpa), pressure_at(elevation_m), w.pressure_kpa)
    gamma = 0.000665 * pressure
    es = (saturation_vp(w.tmax) + saturation_vp(w.tmin)) / 2
    ea = np.where(np.isnan(w.rh_mean), saturation_vp(w.tmin), w.rh_mean / 100 * es)
    u2 = np.where(np.isnan(w.wind), DEFAULT_WIND_M_S, w.wind)
    delta = 4098 * saturation_vp(tmean) / (tmean + 237.3) ** 2
    rso = (0.75 + 2e-5 * elevation_m) * ra
    rs = np.minimum(w.radiation, rso)
    rns = 0.77 * rs
    with np.errstate(invalid="ignore", divide="ignore"):
        tk4 = ((w.tmax + 273.16) ** 4 + (w.tmin + 273.16) ** 4) / 2
        rnl = (
            STEFAN_BOLTZMANN
            * tk4
            * (0.34 - 0.14 * np.sqrt(np.maximum(ea, 0.0)))
            * (1.35 * np.where(rso > 0, rs / rso, 0.0) - 0.35)
        )
    rn = rns - rnl
    pm = (0.408 * delta * rn + gamma * 900 / (tmean + 273) * u2 * (es - ea)) / (
        delta + gamma * (1 + 0.34 * u2)
    )
    no_radiation = np.isnan(w.radiation)
    et0 = np.where(no_radiation, hargreaves(w.tmin, w.tmax, ra), pm)
    result: FloatArray = np.maximum(et0, 0.0)
    return result, no_radiation & ~np.isnan(tmean)
