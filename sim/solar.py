"""Sun geometry for daily and instantaneous radiation (FAO-56, Allen et al. 1998, ch. 3).

Equation numbers refer to FAO Irrigation and Drainage Paper 56. Angles are in
radians inside, degrees at the interface.
"""

from __future__ import annotations

import math

SOLAR_CONSTANT = 0.0820
"""G_sc, MJ m⁻² min⁻¹ (eq. 21)."""


def inverse_distance(doy: int) -> float:
    """d_r, the inverse relative Earth–Sun distance (eq. 23)."""
    return 1.0 + 0.033 * math.cos(2.0 * math.pi * doy / 365.0)


def declination(doy: int) -> float:
    """δ, solar declination in radians (eq. 24)."""
    return 0.409 * math.sin(2.0 * math.pi * doy / 365.0 - 1.39)


def sunset_hour_angle(lat_deg: float, doy: int) -> float:
    """ω_s in radians (eq. 25), clamped for polar day and night."""
    phi = math.radians(lat_deg)
    x = -math.tan(phi) * math.tan(declination(doy))
    return math.acos(min(1.0, max(-1.0, x)))


def extraterrestrial_radiation(lat_deg: float, doy: int) -> float:
    """R_a, MJ m⁻² day⁻¹ (eq. 21)."""
    phi = math.radians(lat_deg)
    delta = declination(doy)
    ws = sunset_hour_angle(lat_deg, doy)
    return (
        24.0
        * 60.0
        / math.pi
        * SOLAR_CONSTANT
        * inverse_distance(doy)
        * (ws * math.sin(phi) * math.sin(delta) + math.cos(phi) * math.cos(delta) * math.sin(ws))
    )


def daylight_hours(lat_deg: float, doy: int) -> float:
    """N, maximum possible sunshine duration in hours (eq. 34)."""
    return 24.0 / math.pi * sunset_hour_angle(lat_deg, doy)


def equation_of_time_h(doy: int) -> float:
    """S_c, the seasonal correction for solar time, in hours (eqs. 32, 33)."""
    b = 2.0 * math.pi * (doy - 81) / 364.0
    return 0.1645 * math.sin(2 * b) - 0.1255 * math.cos(b) - 0.025 * math.sin(b)


def solar_hour(utc_hour: float, lon_deg: float, doy: int) -> float:
    """Local apparent solar time in hours (0..24) for a UTC hour of day."""
    return (utc_hour + lon_deg / 15.0 + equation_of_time_h(doy)) % 24.0


def sin_elevation(lat_deg: float, doy: int, solar_h: float) -> float:
    """Sine of the sun's elevation at local solar time ``solar_h`` (negative at night)."""
    phi = math.radians(lat_deg)
    delta = declination(doy)
    omega = math.pi / 12.0 * (solar_h - 12.0)
    return math.sin(phi) * math.sin(delta) + math.cos(phi) * math.cos(delta) * math.cos(omega)


def daily_sin_elevation_integral_h(lat_deg: float, doy: int) -> float:
    """∫ max(0, sin elevation) dt over one day, in hours (closed form over -ω_s..ω_s).

    Instantaneous radiation is the day's total shared out in proportion to
    sin(elevation), so dividing by this integral keeps the daily sum exact.
    """
    phi = math.radians(lat_deg)
    delta = declination(doy)
    ws = sunset_hour_angle(lat_deg, doy)
    return (
        12.0
        / math.pi
        * 2.0
        * (ws * math.sin(phi) * math.sin(delta) + math.cos(phi) * math.cos(delta) * math.sin(ws))
    )


def sunrise_solar_h(lat_deg: float, doy: int) -> float:
    return 12.0 - daylight_hours(lat_deg, doy) / 2.0
