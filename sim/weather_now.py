"""The weather at an instant, shared out from the day's values.

Temperature follows a two-part cosine (the WAVE scheme): from the minimum at
sunrise to the maximum at 14:00 solar time, then down to the next day's
minimum at the next sunrise. Vapour pressure is the day's, so relative
humidity peaks at dawn and dips in the afternoon as it does in the field.
Radiation is the day's total in proportion to the sine of the sun's elevation;
rain falls at a constant rate over the day's rain spell; wind picks up in the
afternoon. docs/simulator.md gives the equations.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sim import rng
from sim.et0 import saturation_vapour_pressure
from sim.solar import (
    daily_sin_elevation_integral_h,
    sin_elevation,
    solar_hour,
    sunrise_solar_h,
)
from sim.weather import DailyWeather, WeatherGenerator

WARMEST_SOLAR_H = 14.0
LUX_PER_WM2 = 120.0
"""Luminous efficacy of daylight, lm/W (about 100 to 130 depending on the sky)."""
GUST_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class WeatherNow:
    ts: float
    air_temperature_c: float
    humidity_pct: float
    pressure_pa: float
    radiation_wm2: float
    light_lux: float
    wind_speed_ms: float
    wind_gust_ms: float
    wind_lull_ms: float
    wind_direction_deg: float
    rain_rate_mm_h: float
    rain_total_mm: float
    """Rain since the weather began (a rain gauge's running total)."""


class WeatherClock:
    """Instantaneous weather of a site, from a daily generator."""

    def __init__(self, generator: WeatherGenerator, timezone: ZoneInfo, origin: dt.date) -> None:
        self.generator = generator
        self.timezone = timezone
        self.origin = origin
        """Rain totals count from local midnight starting this day."""
        self._rain_before: dict[dt.date, float] = {origin: 0.0}

    def local_date(self, ts: float) -> dt.date:
        return dt.datetime.fromtimestamp(ts, self.timezone).date()

    def local_hour(self, ts: float) -> float:
        local = dt.datetime.fromtimestamp(ts, self.timezone)
        return local.hour + local.minute / 60 + (local.second + local.microsecond / 1e6) / 3600

    def daily(self, day: dt.date) -> DailyWeather:
        return self.generator.day(day)

    def at(self, ts: float) -> WeatherNow:
        site = self.generator.site
        day = self.local_date(ts)
        today = self.generator.day(day)
        doy = day.timetuple().tm_yday
        utc = dt.datetime.fromtimestamp(ts, dt.UTC)
        utc_h = utc.hour + utc.minute / 60 + utc.second / 3600
        solar_h = solar_hour(utc_h, site.lon_deg, doy)
        temperature = self._temperature(day, solar_h)
        humidity = min(100.0, 100.0 * today.ea_kpa / saturation_vapour_pressure(temperature))
        radiation = self._radiation(today, solar_h)
        local_h = self.local_hour(ts)
        rate = _rain_rate(today, local_h)
        afternoon = 1.0 + 0.35 * math.cos(2 * math.pi * (solar_h - WARMEST_SOLAR_H) / 24)
        minute = math.floor(ts / 60)
        # Gusts and lulls vary minute by minute around the hour's mean.
        wobble = 0.15 * rng.normal(self.generator.seed, "wind", minute)
        wind = max(0.0, today.wind_ms * afternoon * (1.0 + wobble))
        direction = (
            today.wind_dir_deg + 25.0 * rng.normal(self.generator.seed, "dir", minute)
        ) % 360
        return WeatherNow(
            ts=ts,
            air_temperature_c=temperature,
            humidity_pct=humidity,
            pressure_pa=today.pressure_hpa * 100.0,
            radiation_wm2=radiation,
            light_lux=radiation * LUX_PER_WM2,
            wind_speed_ms=wind,
            wind_gust_ms=wind * GUST_FACTOR,
            wind_lull_ms=wind / GUST_FACTOR,
            wind_direction_deg=direction,
            rain_rate_mm_h=rate,
            rain_total_mm=self.rain_total(day) + _rain_so_far(today, local_h),
        )

    def rain_total(self, day: dt.date) -> float:
        """Rain from the origin up to local midnight starting ``day``."""
        if day <= self.origin:
            return 0.0
        known = max(d for d in self._rain_before if d <= day)
        total = self._rain_before[known]
        while known < day:
            total += self.generator.day(known).rain_mm
            known += dt.timedelta(days=1)
            self._rain_before[known] = total
        return total

    def _temperature(self, day: dt.date, solar_h: float) -> float:
        site = self.generator.site
        doy = day.timetuple().tm_yday
        sunrise = sunrise_solar_h(site.lat_deg, doy)
        today = self.generator.day(day)
        if solar_h < sunrise:
            yesterday = self.generator.day(day - dt.timedelta(days=1))
            span = sunrise + 24.0 - WARMEST_SOLAR_H
            fraction = (solar_h + 24.0 - WARMEST_SOLAR_H) / span
            return _cosine_between(yesterday.tmax_c, today.tmin_c, fraction)
        if solar_h <= WARMEST_SOLAR_H:
            fraction = (solar_h - sunrise) / max(WARMEST_SOLAR_H - sunrise, 0.5)
            return _cosine_between(today.tmin_c, today.tmax_c, fraction)
        tomorrow = self.generator.day(day + dt.timedelta(days=1))
        span = sunrise + 24.0 - WARMEST_SOLAR_H
        return _cosine_between(today.tmax_c, tomorrow.tmin_c, (solar_h - WARMEST_SOLAR_H) / span)

    def _radiation(self, today: DailyWeather, solar_h: float) -> float:
        site = self.generator.site
        doy = today.day.timetuple().tm_yday
        elevation = sin_elevation(site.lat_deg, doy, solar_h)
        integral_h = daily_sin_elevation_integral_h(site.lat_deg, doy)
        if elevation <= 0 or integral_h <= 0:
            return 0.0
        # MJ/day → W/m²: the day's joules over the day's sin-weighted seconds.
        return today.rs_mj * 1e6 * elevation / (integral_h * 3600.0)


def _cosine_between(start: float, end: float, fraction: float) -> float:
    f = min(1.0, max(0.0, fraction))
    return start + (end - start) * (1 - math.cos(math.pi * f)) / 2


def _rain_spell(day: DailyWeather) -> tuple[float, float]:
    """Start hour and length of the day's rain spell, kept within the local day."""
    hours = min(max(day.rain_hours, 0.25), 24.0)
    return min(day.rain_start_h, 24.0 - hours), hours


def _rain_rate(day: DailyWeather, local_h: float) -> float:
    if day.rain_mm <= 0:
        return 0.0
    start, hours = _rain_spell(day)
    return day.rain_mm / hours if start <= local_h < start + hours else 0.0


def _rain_so_far(day: DailyWeather, local_h: float) -> float:
    if day.rain_mm <= 0:
        return 0.0
    start, hours = _rain_spell(day)
    return day.rain_mm * min(1.0, max(0.0, (local_h - start) / hours))
