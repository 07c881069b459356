"""Which physical quantity each profile point carries, and in which unit it is sent.

Profiles name their points after what they measure (``moisture``,
``air_temperature``, ``wind_speed_avg``), so a simulated device is filled by
name: the soil or the weather gives a value in a base unit, converted to the
unit the profile declares (a Lambrecht station sends hPa, a SenseCAP one Pa).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sim.soil_sensing import SoilSample
from sim.weather_now import WeatherNow

SALINITY_PER_EC = 0.55
"""mg/L of salt per µS/cm (the probes' default salinity coefficient)."""
TDS_PER_EC = 0.5

SoilGetter = Callable[[SoilSample], float]
WeatherGetter = Callable[[WeatherNow], float]

SOIL_POINTS: dict[str, tuple[SoilGetter, str]] = {
    "moisture": (lambda s: s.moisture_pct, "%"),
    "temperature": (lambda s: s.temperature_c, "°C"),
    "ec": (lambda s: s.ec_us_cm, "µS/cm"),
    "ph": (lambda s: s.ph, "pH"),
    "nitrogen": (lambda s: s.nitrogen_mg_kg, "mg/kg"),
    "phosphorus": (lambda s: s.phosphorus_mg_kg, "mg/kg"),
    "potassium": (lambda s: s.potassium_mg_kg, "mg/kg"),
    "salinity": (lambda s: s.ec_us_cm * SALINITY_PER_EC, "mg/L"),
    "tds": (lambda s: s.ec_us_cm * TDS_PER_EC, "mg/L"),
    "permittivity": (lambda s: s.permittivity, "1"),
}

WEATHER_POINTS: dict[str, tuple[WeatherGetter, str]] = {
    "air_temperature": (lambda w: w.air_temperature_c, "°C"),
    "humidity": (lambda w: w.humidity_pct, "%"),
    "pressure": (lambda w: w.pressure_pa, "Pa"),
    "light": (lambda w: w.light_lux, "lux"),
    "global_radiation": (lambda w: w.radiation_wm2, "W/m²"),
    "wind_speed": (lambda w: w.wind_speed_ms, "m/s"),
    "wind_speed_float": (lambda w: w.wind_speed_ms, "m/s"),
    "wind_speed_avg": (lambda w: w.wind_speed_ms, "m/s"),
    "wind_speed_min": (lambda w: w.wind_lull_ms, "m/s"),
    "wind_speed_max": (lambda w: w.wind_gust_ms, "m/s"),
    "wind_direction": (lambda w: w.wind_direction_deg, "°"),
    "wind_direction_avg": (lambda w: w.wind_direction_deg, "°"),
    "wind_direction_min": (lambda w: (w.wind_direction_deg - 20.0) % 360.0, "°"),
    "wind_direction_max": (lambda w: (w.wind_direction_deg + 20.0) % 360.0, "°"),
    "direction": (lambda w: w.wind_direction_deg, "°"),
    "direction_sector": (lambda w: float(round(w.wind_direction_deg / 45.0) % 8), "enum"),
    "precipitation": (lambda w: w.rain_total_mm, "mm"),
    "rain": (lambda w: w.rain_total_mm, "mm"),
}

WRITABLE_DEFAULTS: dict[str, float] = {
    "ec_temperature_coefficient": 2.0,
    "salinity_coefficient": SALINITY_PER_EC,
    "tds_coefficient": TDS_PER_EC,
    "temperature_calibration": 0.0,
    "moisture_calibration": 0.0,
    "ec_calibration": 0.0,
    "ph_calibration": 0.0,
    "soil_type": 0.0,
}
"""Power-up values of settings a probe keeps (the vendors' factory values)."""

CONSTANT_POINTS: dict[str, float] = {"device_type": 1.0}

_FACTORS: dict[tuple[str, str], float] = {
    ("Pa", "hPa"): 0.01,
    ("Pa", "kPa"): 0.001,
    ("Pa", "mbar"): 0.01,
    ("m/s", "km/h"): 3.6,
    ("m/s", "kn"): 1.0 / 0.514444,
    ("W/m²", "W/m2"): 1.0,
    ("µS/cm", "uS/cm"): 1.0,
    ("µS/cm", "mS/cm"): 0.001,
    ("µS/cm", "dS/m"): 0.001,
    ("mg/kg", "ppm"): 1.0,
    ("mg/L", "ppm"): 1.0,
    ("pH", ""): 1.0,
    ("1", ""): 1.0,
    ("enum", ""): 1.0,
}


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; ValueError if unknown."""
    if from_unit == to_unit:
        return value
    factor = _FACTORS.get((from_unit, to_unit))
    if factor is not None:
        return value * factor
    inverse = _FACTORS.get((to_unit, from_unit))
    if inverse is not None:
        return value / inverse
    if from_unit == "°C" and to_unit == "K":
        return value + 273.15
    raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}")


def can_convert(from_unit: str, to_unit: str) -> bool:
    try:
        convert(1.0, from_unit, to_unit)
    except ValueError:
        return False
    return True


def modelled(points: Mapping[str, tuple[object, str]], names: list[str]) -> list[str]:
    return [n for n in names if n in points]
