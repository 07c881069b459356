"""A toy soil under a probe: enough physics for values that move plausibly.

Soil temperature follows a daily cycle; moisture dries exponentially towards a
floor and jumps after rain; EC follows moisture (more pore water, more ions in
solution); pH sits near 6.2. Every value is a pure function of the seed and the
time, so two runs with one seed agree whatever their update rate, and a test can
ask what the probe reads at any instant.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

HOUR_S = 3600.0
DAY_S = 86400.0

QUANTITIES = ("moisture", "temperature", "ec", "ph")
"""The point names this toy produces values for."""


@dataclass(frozen=True, slots=True)
class SoilParams:
    dry_moisture: float = 12.0
    """% VWC the soil dries towards without rain."""
    saturation: float = 45.0
    drying_time_s: float = 4 * DAY_S
    """Time constant of drying: a rain's extra water is down to 37 % after it."""
    rain_chance_per_hour: float = 1 / 60
    rain_min: float = 4.0
    rain_max: float = 14.0
    """Jump in % VWC from one rain."""
    mean_temperature: float = 16.0
    daily_amplitude: float = 5.0
    warmest_hour: float = 16.0
    """Local solar hour of the warmest soil (it lags the afternoon air)."""
    solar_offset_h: float = 9.0
    """Local solar time minus UTC; 9 h for central Japan."""
    ec_base: float = 150.0
    ec_per_moisture: float = 30.0
    """µS/cm per % VWC."""
    ph: float = 6.2


@dataclass(frozen=True, slots=True)
class SoilReading:
    moisture: float
    temperature: float
    ec: float
    ph: float

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in QUANTITIES}


class SoilProbe:
    def __init__(self, seed: int, params: SoilParams | None = None) -> None:
        self.seed = seed
        self.params = params or SoilParams()
        # Rain beyond five drying times adds under 1 % of its jump: not worth summing.
        self._window_hours = math.ceil(5 * self.params.drying_time_s / HOUR_S)

    def at(self, ts: float) -> SoilReading:
        p = self.params
        moisture = min(p.saturation, p.dry_moisture + self._rain_water(ts))
        solar_hour = (ts / HOUR_S + p.solar_offset_h) % 24
        phase = 2 * math.pi * (solar_hour - p.warmest_hour) / 24
        noise = random.Random(f"{self.seed}:noise:{math.floor(ts)}")
        temperature = p.mean_temperature + p.daily_amplitude * math.cos(phase)
        temperature += noise.gauss(0, 0.05)
        ec = p.ec_base + p.ec_per_moisture * moisture + noise.gauss(0, 5)
        ph = p.ph + noise.gauss(0, 0.05)
        return SoilReading(
            moisture=moisture,
            temperature=temperature,
            ec=max(0.0, ec),
            ph=min(9.0, max(3.0, ph)),
        )

    def rain_jump(self, hour: int) -> float:
        """Water (% VWC) from the rain starting in hour ``hour`` since the epoch (0: none)."""
        return _rain_jump(self.seed, self.params, hour)

    def _rain_water(self, ts: float) -> float:
        now_hour = math.floor(ts / HOUR_S)
        total = 0.0
        for hour in range(now_hour - self._window_hours, now_hour + 1):
            jump = self.rain_jump(hour)
            if jump:
                total += jump * math.exp(-(ts - hour * HOUR_S) / self.params.drying_time_s)
        return total


@lru_cache(maxsize=4096)
def _rain_jump(seed: int, params: SoilParams, hour: int) -> float:
    # One generator per hour, seeded by (seed, hour): the weather of an hour
    # does not depend on which hours were looked at before.
    rng = random.Random(f"{seed}:rain:{hour}")
    if rng.random() >= params.rain_chance_per_hour:
        return 0.0
    return rng.uniform(params.rain_min, params.rain_max)
