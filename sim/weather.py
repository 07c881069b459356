"""Daily weather from a seasonal stochastic generator (a Richardson-type weather generator).

Rain occurrence is a first-order two-state Markov chain whose wet-day
probability matches the month's wet days; wet-day amounts are gamma
distributed with the month's mean intensity. Temperatures are the daily normal
shifted by the day's wet/dry state plus AR(1) anomalies; radiation follows the
Ångström relation from a sunshine fraction that is lower on wet days; vapour
pressure follows relative humidity; wind is log-normal. ET0 is FAO-56
Penman–Monteith. The equations and parameters are in docs/simulator.md.

Each calendar year is drawn from its own stream ``(seed, "weather", year)``,
starting from the stationary state on 1 January, so any day can be computed
without simulating the years before it, and the same seed gives the same year.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

from sim import rng
from sim.climate import ClimateNormals, daily_normal, days_in_month
from sim.et0 import et0_penman_monteith, pressure_kpa, saturation_vapour_pressure
from sim.solar import daylight_hours, extraterrestrial_radiation

WET_PERSISTENCE = 0.3
"""Lag-1 autocorrelation of wet/dry days, typical of temperate and monsoon climates."""
RAIN_GAMMA_SHAPE = 0.75
"""Shape of wet-day amounts: < 1, so many light days and a few heavy ones."""
TEMPERATURE_SD_C = 2.0
TEMPERATURE_AR = 0.65
"""Lag-1 autocorrelation of daily temperature anomalies."""
WET_DAY_TMAX_DROP_C = 3.0
WET_DAY_TMIN_RISE_C = 1.0
WET_DAY_RH_RISE = 12.0
WET_DAY_SUNSHINE_FACTOR = 0.25
ANGSTROM_A = 0.25
ANGSTROM_B = 0.50
WIND_LOG_SD = 0.35
PRESSURE_SD_HPA = 5.0
PRESSURE_AR = 0.7
WET_DAY_PRESSURE_DROP_HPA = 6.0


@dataclass(frozen=True, slots=True)
class DailyWeather:
    day: dt.date
    tmin_c: float
    tmax_c: float
    rain_mm: float
    rh_pct: float
    """Daily mean relative humidity."""
    ea_kpa: float
    """Actual vapour pressure, constant through the day."""
    wind_ms: float
    """Mean wind speed at 2 m."""
    wind_dir_deg: float
    """Prevailing direction the wind comes from."""
    rs_mj: float
    """Global (shortwave) radiation, MJ m⁻² day⁻¹."""
    sunshine: float
    """Relative sunshine duration n/N."""
    pressure_hpa: float
    """Station pressure."""
    et0_mm: float
    rain_start_h: float
    """Local hour the day's rain begins (meaningless on a dry day)."""
    rain_hours: float
    """How long it rains, hours."""


@dataclass(frozen=True, slots=True)
class Site:
    lat_deg: float
    lon_deg: float
    elevation_m: float


class WeatherGenerator:
    def __init__(self, seed: int, site: Site, climate: ClimateNormals) -> None:
        self.seed = seed
        self.site = site
        self.climate = climate
        self._year = lru_cache(maxsize=4)(self._generate_year)

    def day(self, day: dt.date) -> DailyWeather:
        return self._year(day.year)[day.timetuple().tm_yday - 1]

    def days(self, first: dt.date, count: int) -> list[DailyWeather]:
        return [self.day(first + dt.timedelta(days=i)) for i in range(count)]

    def _generate_year(self, year: int) -> tuple[DailyWeather, ...]:
        r = rng.stream(self.seed, "weather", year)
        c = self.climate
        first = dt.date(year, 1, 1)
        count = (dt.date(year + 1, 1, 1) - first).days
        # Stationary start: wet with the January wet-day probability, anomalies from N(0, 1).
        wet = r.random() < _wet_fraction(c, first)
        anomaly_max, anomaly_min = r.gauss(0, 1), r.gauss(0, 1)
        anomaly_p = r.gauss(0, 1)
        out: list[DailyWeather] = []
        for i in range(count):
            day = first + dt.timedelta(days=i)
            pi = _wet_fraction(c, day)
            p_wet_after_wet = pi + WET_PERSISTENCE * (1 - pi)
            p_wet_after_dry = pi * (1 - WET_PERSISTENCE)
            wet = r.random() < (p_wet_after_wet if wet else p_wet_after_dry)
            anomaly_max = _ar1(r.gauss(0, 1), anomaly_max, TEMPERATURE_AR)
            anomaly_min = _ar1(r.gauss(0, 1), anomaly_min, TEMPERATURE_AR)
            anomaly_p = _ar1(r.gauss(0, 1), anomaly_p, PRESSURE_AR)
            # Independent draws are taken every day, wet or not, so a change in
            # one quantity's parameters never shifts the others' random numbers.
            amount_draw = r.gammavariate(RAIN_GAMMA_SHAPE, 1.0)
            sun_draw = r.gauss(0, 0.12)
            wind_draw = r.gauss(0, 1)
            dir_draw = r.random()
            start_draw, hours_draw = r.random(), r.random()
            out.append(
                self._day(
                    day,
                    wet,
                    pi,
                    anomaly_max,
                    anomaly_min,
                    anomaly_p,
                    amount_draw,
                    sun_draw,
                    wind_draw,
                    dir_draw,
                    start_draw,
                    hours_draw,
                )
            )
        return tuple(out)

    def _day(
        self,
        day: dt.date,
        wet: bool,
        pi: float,
        anomaly_max: float,
        anomaly_min: float,
        anomaly_p: float,
        amount_draw: float,
        sun_draw: float,
        wind_draw: float,
        dir_draw: float,
        start_draw: float,
        hours_draw: float,
    ) -> DailyWeather:
        c, s = self.climate, self.site
        doy = day.timetuple().tm_yday
        # Wet days are cooler by day and warmer by night; the shifts are weighted
        # so that the month's mean stays the normal.
        tmax_shift = -WET_DAY_TMAX_DROP_C * (1 - pi) if wet else WET_DAY_TMAX_DROP_C * pi
        tmin_shift = WET_DAY_TMIN_RISE_C * (1 - pi) if wet else -WET_DAY_TMIN_RISE_C * pi
        tmax = daily_normal(c.tmax_c, day) + tmax_shift + TEMPERATURE_SD_C * anomaly_max
        tmin = daily_normal(c.tmin_c, day) + tmin_shift + TEMPERATURE_SD_C * anomaly_min
        if tmax < tmin + 1.0:
            mid = (tmax + tmin) / 2
            tmax, tmin = mid + 0.5, mid - 0.5
        rain = 0.0
        if wet:
            mean_amount = daily_normal(c.rain_mm, day) / max(daily_normal(c.wet_days, day), 0.5)
            # Wet days are at least 1 mm, like the wet-day counts of climate normals.
            rain = 1.0 + max(0.0, mean_amount - 1.0) * amount_draw / RAIN_GAMMA_SHAPE
        sunshine_mean = daily_normal(c.sunshine, day)
        dry_sunshine = sunshine_mean / (1 - (1 - WET_DAY_SUNSHINE_FACTOR) * pi)
        sunshine = dry_sunshine * (WET_DAY_SUNSHINE_FACTOR if wet else 1.0) + sun_draw
        sunshine = min(1.0, max(0.0, sunshine))
        ra = extraterrestrial_radiation(s.lat_deg, doy)
        rs = (ANGSTROM_A + ANGSTROM_B * sunshine) * ra
        rh_mean = daily_normal(c.rh_pct, day)
        rh = rh_mean + (WET_DAY_RH_RISE * (1 - pi) if wet else -WET_DAY_RH_RISE * pi)
        rh = min(98.0, max(15.0, rh))
        es = (saturation_vapour_pressure(tmax) + saturation_vapour_pressure(tmin)) / 2
        # The dew point stays just below the night's minimum (FAO-56 §3, eq. 48 takes
        # it equal to tmin in humid climates), so dawn humidity peaks near 97 %.
        ea = min(rh / 100 * es, 0.97 * saturation_vapour_pressure(tmin))
        wind = daily_normal(c.wind_ms, day) * math.exp(WIND_LOG_SD * wind_draw - WIND_LOG_SD**2 / 2)
        pressure = (
            pressure_kpa(s.elevation_m) * 10
            + PRESSURE_SD_HPA * anomaly_p
            - (WET_DAY_PRESSURE_DROP_HPA if wet else 0.0)
        )
        et0 = et0_penman_monteith(
            tmin_c=tmin,
            tmax_c=tmax,
            rs_mj=rs,
            ea_kpa=ea,
            u2_ms=wind,
            lat_deg=s.lat_deg,
            elevation_m=s.elevation_m,
            doy=doy,
        )
        return DailyWeather(
            day=day,
            tmin_c=tmin,
            tmax_c=tmax,
            rain_mm=rain,
            rh_pct=rh,
            ea_kpa=ea,
            wind_ms=wind,
            wind_dir_deg=360.0 * dir_draw,
            rs_mj=rs,
            sunshine=sunshine,
            pressure_hpa=pressure,
            et0_mm=et0,
            rain_start_h=24.0 * start_draw,
            rain_hours=2.0 + 10.0 * hours_draw,
        )


def _wet_fraction(c: ClimateNormals, day: dt.date) -> float:
    return min(0.95, max(0.0, daily_normal(c.wet_days, day) / days_in_month(day)))


def _ar1(innovation: float, previous: float, rho: float) -> float:
    """Next value of a unit-variance AR(1) process."""
    return rho * previous + math.sqrt(1 - rho * rho) * innovation


def daylight(site: Site, day: dt.date) -> float:
    return daylight_hours(site.lat_deg, day.timetuple().tm_yday)
