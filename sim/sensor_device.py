"""A soil probe or weather station: the physics, as its profile says the device reports it.

Before each read (``RegisterBank.before_read``) the device takes the world's
value of every point it models, adds what a real sensor adds (a fixed
calibration bias per device and a small noise per second, both seeded),
applies its own calibration offsets and coefficients if the profile has
them (a gateway writing ``moisture_calibration`` sees it in the next read,
as on the DFRobot probe), converts to the point's unit and encodes it.
Faults freeze the values (``stuck``) or replace one (``spike``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from drivers.profile import Function, Point
from sim import rng
from sim.point_values import (
    CONSTANT_POINTS,
    SOIL_POINTS,
    WEATHER_POINTS,
    WRITABLE_DEFAULTS,
    convert,
)
from sim.register_bank import RegisterBank
from sim.soil_sensing import SoilSample
from sim.weather_now import WeatherNow

log = logging.getLogger(__name__)

Values = dict[str, tuple[float, str]]
"""Point name → (value, unit) from the physics."""

# (absolute or relative, noise sd, bias sd) per quantity.
_ERRORS: dict[str, tuple[bool, float, float]] = {
    "moisture": (False, 0.3, 1.0),
    "temperature": (False, 0.1, 0.2),
    "ec": (True, 0.02, 0.05),
    "ph": (False, 0.05, 0.1),
    "nitrogen": (True, 0.03, 0.05),
    "phosphorus": (True, 0.03, 0.05),
    "potassium": (True, 0.03, 0.05),
    "permittivity": (True, 0.01, 0.02),
    "air_temperature": (False, 0.1, 0.2),
    "humidity": (False, 0.8, 1.5),
    "pressure": (False, 20.0, 50.0),
    "light": (True, 0.02, 0.03),
    "global_radiation": (True, 0.02, 0.03),
}
_CALIBRATIONS = {
    "moisture": "moisture_calibration",
    "temperature": "temperature_calibration",
    "ec": "ec_calibration",
    "ph": "ph_calibration",
}
_COEFFICIENTS = {"salinity": "salinity_coefficient", "tds": "tds_coefficient"}


def soil_values(sample: SoilSample) -> Values:
    return {name: (getter(sample), unit) for name, (getter, unit) in SOIL_POINTS.items()}


def weather_values(now: WeatherNow) -> Values:
    return {name: (getter(now), unit) for name, (getter, unit) in WEATHER_POINTS.items()}


class SensorDevice:
    def __init__(
        self,
        device_id: str,
        bank: RegisterBank,
        source: Callable[[float], Values],
        now: Callable[[], float],
        seed: int,
    ) -> None:
        self.id = device_id
        self.bank = bank
        self._source = source
        self._now = now
        self.seed = seed
        self.stuck = False
        self.spikes: dict[str, float] = {}
        """Point name → the value it reads while a spike lasts."""
        self.refreshed_at: float | None = None
        self._second: int | None = None
        self._bias: dict[str, float] = {}
        self._warned: set[str] = set()
        self._points = [p for p in bank.profile.points if not p.writable]
        for point in bank.profile.points:
            initial = WRITABLE_DEFAULTS.get(point.name, CONSTANT_POINTS.get(point.name))
            if initial is not None:
                self._set(point, initial)
        bank.before_read = self.refresh
        bank.after_write = self._setting_written
        self.refresh()

    def _setting_written(self, function: Function, address: int, values: list[int]) -> None:
        self._second = None  # a new calibration shows in the very next read

    def refresh(self) -> None:
        """Take this second's sample (a sensor samples once a second; reads within
        the same second get the same values, so a busy poller costs no physics)."""
        if self.stuck and self.refreshed_at is not None:
            return
        second = math.floor(self._now())
        if second == self._second:
            return
        self._second = second
        ts = float(second)
        values = self._source(ts)
        for point in self._points:
            spike = self.spikes.get(point.name)
            if spike is not None:
                self._set(point, spike)
                continue
            found = values.get(point.name)
            if found is None:
                continue
            value, unit = found
            value = self._measured(point.name, value, second)
            coefficient = _COEFFICIENTS.get(point.name)
            if coefficient is not None and "ec" in values:
                ec = self._measured("ec", values["ec"][0], second)
                value = ec * self._setting(coefficient, value / ec if ec else 0.0)
            value += self._setting(_CALIBRATIONS.get(point.name, ""), 0.0)
            try:
                value = convert(value, unit, point.unit)
            except ValueError:
                self._warn(point.name, f"unit {unit!r} cannot be sent as {point.unit!r}")
                continue
            self._set(point, _within(point, value))
        self.refreshed_at = ts

    def set_faults(self, stuck: bool, spikes: dict[str, float]) -> None:
        """Freeze or spike the readings; takes effect at the next read."""
        self.stuck = stuck
        self.spikes = dict(spikes)
        self._second = None

    def _measured(self, name: str, value: float, second: int) -> float:
        errors = _ERRORS.get(name)
        if errors is None:
            return value
        relative, noise_sd, bias_sd = errors
        bias = self._bias.get(name)
        if bias is None:
            bias = self._bias[name] = bias_sd * rng.normal(self.seed, "bias", self.id, name)
        noise = noise_sd * rng.normal(self.seed, "noise", self.id, name, second)
        return value * (1 + bias + noise) if relative else value + bias + noise

    def _setting(self, name: str, default: float) -> float:
        if not name:
            return default
        try:
            point = self.bank.profile.point(name)
        except KeyError:
            return default
        value, _ = point.decode(self.bank.get(point))
        return float(value) if isinstance(value, int | float) else default

    def _set(self, point: Point, value: float) -> None:
        try:
            self.bank.set(point.name, value)
        except ValueError as exc:
            self._warn(point.name, f"{exc}; keeping the previous value")

    def _warn(self, name: str, message: str) -> None:
        if name not in self._warned:
            self._warned.add(name)
            log.warning("%s: point %s: %s", self.id, name, message)


def _within(point: Point, value: float) -> float:
    """Clamp to what a real sensor can report: its measuring range, if the profile gives one."""
    if point.valid_range is None:
        return value
    low, high = point.valid_range
    return min(high, max(low, value))
