"""What a soil probe buried in a field measures, at any depth and instant.

Water content comes from the field's AquaCrop compartments (interpolated
between compartment centres), moving from yesterday's end-of-day state to
today's: a gain arrives during the day's rain spell (or the morning
irrigation), later the deeper the probe; a loss happens over the daylight
hours, when the crop transpires. Temperature is the classic solution of heat
conduction in a uniform soil under a periodic surface temperature; bulk EC
follows pore-water salinity and water content (Archie-type); permittivity is
Topp's equation inverted; N, P and K fall as the crop takes them up.
docs/simulator.md gives every equation.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

from sim.aquacrop_season import COMPARTMENT_M, DayResult
from sim.field import FieldModel
from sim.solar import daylight_hours
from sim.weather_now import WeatherClock

DAMPING_DEPTH_M = 0.10
"""Daily damping depth sqrt(2κ/ω) for κ ≈ 0.4 mm²/s, a moist mineral soil."""
WARMEST_SURFACE_SOLAR_H = 14.0
CANOPY_SHADING = 0.5
"""Share of the surface's daily temperature swing a full canopy takes away."""
WETTING_FRONT_H_PER_M = 4.0
"""Hours the wetting front takes to go down one metre (sets a deep probe's lag)."""
IRRIGATION_START_H, IRRIGATION_HOURS = 6.0, 1.0
ARCHIE_M = 2.0
UPTAKE_FRACTIONS = {"nitrogen": 0.015, "phosphorus": 0.003, "potassium": 0.015}
"""Nutrient taken up per unit of dry biomass."""
MG_KG_PER_KG_HA = 0.256
"""1 kg/ha spread through 0.3 m of soil at 1.3 t/m³ is 0.256 mg/kg."""


@dataclass(frozen=True, slots=True)
class SoilChemistry:
    ec_pore_fc_ds_m: float = 1.0
    """Pore-water EC at field capacity, dS/m."""
    ec_surface_us_cm: float = 60.0
    """Conduction along particle surfaces (clay), µS/cm, independent of water."""
    ph: float = 6.2
    nitrogen_mg_kg: float = 60.0
    phosphorus_mg_kg: float = 25.0
    potassium_mg_kg: float = 150.0


@dataclass(frozen=True, slots=True)
class SoilSample:
    moisture_pct: float
    temperature_c: float
    ec_us_cm: float
    ph: float
    nitrogen_mg_kg: float
    phosphorus_mg_kg: float
    potassium_mg_kg: float
    permittivity: float


class SoilSensing:
    def __init__(self, field: FieldModel, weather: WeatherClock, chemistry: SoilChemistry) -> None:
        self.field = field
        self.weather = weather
        self.chemistry = chemistry
        self._mean_temperature = lru_cache(maxsize=256)(self._smoothed_mean)

    def sample(self, ts: float, depth_m: float) -> SoilSample:
        day = self.weather.local_date(ts)
        today = self.field.day(day)
        yesterday = self.field.day(day - dt.timedelta(days=1))
        hour = self.weather.local_hour(ts)
        before = water_content_at(yesterday.th, depth_m)
        after = water_content_at(today.th, depth_m)
        theta = before + (after - before) * self._progress(today, after > before, depth_m, hour)
        fc = water_content_at(self.field.layers.th_fc, depth_m)
        chem = self.chemistry
        # Salt mass is conserved as the soil wets and dries: ECw = ECw_fc·θ_fc/θ, and
        # Archie's law ECb = ECw·θ^m gives ECb = ECw_fc·θ_fc·θ^(m-1) (+ surface conduction).
        ec_bulk = chem.ec_surface_us_cm + 1000.0 * chem.ec_pore_fc_ds_m * fc * theta ** (
            ARCHIE_M - 1
        )
        uptake = today.biomass_t_ha * 1000.0 * MG_KG_PER_KG_HA if today.growing else 0.0
        return SoilSample(
            moisture_pct=100.0 * theta,
            temperature_c=self._temperature(ts, day, depth_m, today),
            ec_us_cm=ec_bulk,
            ph=chem.ph,
            nitrogen_mg_kg=max(0.0, chem.nitrogen_mg_kg - UPTAKE_FRACTIONS["nitrogen"] * uptake),
            phosphorus_mg_kg=max(
                0.0, chem.phosphorus_mg_kg - UPTAKE_FRACTIONS["phosphorus"] * uptake
            ),
            potassium_mg_kg=max(0.0, chem.potassium_mg_kg - UPTAKE_FRACTIONS["potassium"] * uptake),
            permittivity=topp_permittivity(theta),
        )

    def _progress(self, today: DayResult, gaining: bool, depth_m: float, hour: float) -> float:
        """Share of the day's change in water content that has happened by ``hour``."""
        if gaining:
            weather = self.weather.daily(today.day)
            if weather.rain_mm > 0:
                hours = min(max(weather.rain_hours, 0.25), 24.0)
                start = min(weather.rain_start_h, 24.0 - hours)
            else:
                start, hours = IRRIGATION_START_H, IRRIGATION_HOURS
            start = min(start + WETTING_FRONT_H_PER_M * depth_m, 24.0 - hours)
            return _ramp(hour, start, start + hours)
        half = _half_daylight_h(self.weather.generator.site.lat_deg, today.day)
        return _ramp(hour, 12.0 - half, 12.0 + half)

    def _temperature(self, ts: float, day: dt.date, depth_m: float, today: DayResult) -> float:
        weather = self.weather.daily(day)
        mean = self._mean_temperature(day, round(depth_m, 2))
        amplitude = (weather.tmax_c - weather.tmin_c) / 2.0
        amplitude *= 1.0 - CANOPY_SHADING * today.canopy_cover
        hour = self.weather.local_hour(ts)
        z = depth_m / DAMPING_DEPTH_M
        phase = 2.0 * math.pi * (hour - WARMEST_SURFACE_SOLAR_H) / 24.0 + math.pi / 2 - z
        return mean + amplitude * math.exp(-z) * math.sin(phase)

    def _smoothed_mean(self, day: dt.date, depth_m: float) -> float:
        """Mean air temperature of the past days, remembered longer the deeper the soil."""
        tau = 1.0 + 15.0 * depth_m
        total = weight_sum = 0.0
        for k in range(min(30, int(3 * tau) + 1)):
            w = self.weather.daily(day - dt.timedelta(days=k))
            weight = math.exp(-k / tau)
            total += weight * (w.tmin_c + w.tmax_c) / 2.0
            weight_sum += weight
        return total / weight_sum


def water_content_at(th: tuple[float, ...], depth_m: float) -> float:
    """Water content at ``depth_m``, linear between compartment centres."""
    position = depth_m / COMPARTMENT_M - 0.5
    if position <= 0:
        return th[0]
    if position >= len(th) - 1:
        return th[-1]
    i = int(position)
    f = position - i
    return th[i] + (th[i + 1] - th[i]) * f


def topp_permittivity(theta: float) -> float:
    """Relative permittivity ε with Topp et al. (1980)'s θ(ε), solved by bisection."""

    def topp(eps: float) -> float:
        return -5.3e-2 + 2.92e-2 * eps - 5.5e-4 * eps**2 + 4.3e-6 * eps**3

    lo, hi = 1.0, 81.0
    target = min(max(theta, topp(lo)), topp(hi))
    for _ in range(40):
        mid = (lo + hi) / 2
        if topp(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _ramp(hour: float, start: float, end: float) -> float:
    if hour <= start:
        return 0.0
    if hour >= end:
        return 1.0
    return (1.0 - math.cos(math.pi * (hour - start) / (end - start))) / 2.0


def _half_daylight_h(lat_deg: float, day: dt.date) -> float:
    return daylight_hours(lat_deg, day.timetuple().tm_yday) / 2.0
