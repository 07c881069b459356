"""A battery pack: state of charge, open-circuit voltage, sag under load, heat, wear.

The pack's open-circuit voltage is its cells' OCV curve (piecewise linear in
state of charge) times the cell count; under a power draw P the terminal
voltage V solves V = OCV − R·P/V, so the current is P/V and rises as the
pack empties. Heat follows dT/dt = (T_ambient − T)/τ + I²R/C with I the
current at the nominal voltage, solved exactly over each step. A cycle is
counted per capacity's worth of energy out; health falls 20 % over the rated
800 cycles (docs/devices.md, ``service_required``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from sim import rng


@dataclass(frozen=True, slots=True)
class Chemistry:
    name: str
    ocv: tuple[tuple[float, float], ...]
    """(state of charge 0..1, cell volts at rest), ascending."""
    cutoff_v: float
    full_v: float


LFP = Chemistry(
    "LiFePO4",
    ((0.0, 2.80), (0.05, 3.05), (0.10, 3.20), (0.30, 3.26), (0.60, 3.29), (0.90, 3.33),
     (0.98, 3.40), (1.0, 3.55)),
    2.50, 3.65,
)  # fmt: skip
NMC = Chemistry(
    "Li-ion NMC",
    ((0.0, 3.30), (0.05, 3.50), (0.10, 3.60), (0.30, 3.72), (0.50, 3.80), (0.70, 3.92),
     (0.90, 4.08), (1.0, 4.18)),
    3.00, 4.20,
)  # fmt: skip

RATED_CYCLES = 800
KNEE_SOC = 0.9
"""Chargers hold constant power up to here, then taper (constant-voltage stage)."""
THERMAL_TIME_CONSTANT_S = 1800.0
HEAT_CAPACITY_J_PER_K_PER_WH = 3.5
"""Pack heat capacity per Wh of capacity (about 1 kJ/(kg·K) at 250-300 Wh/kg)."""


@dataclass
class Pack:
    chemistry: Chemistry
    cells: int
    capacity_wh: float
    soc: float
    resistance_ohm: float
    temperature_c: float = 25.0
    cycles: float = 0.0
    current_a: float = 0.0
    """Positive while charging, negative while discharging (the profiles' convention)."""
    cell_offsets_v: tuple[float, ...] = field(default=())

    @classmethod
    def build(
        cls, chemistry: Chemistry, cells: int, capacity_wh: float, soc: float, seed: int, name: str
    ) -> Pack:
        # Each cell sits a few millivolts off its neighbours, as in any real pack.
        offsets = tuple(0.004 * rng.normal(seed, "cell", name, i) for i in range(cells))
        nominal_v = cells * (3.3 if chemistry is LFP else 3.7)
        # A pack that sags about 3 % at a 1C draw.
        resistance = 0.03 * nominal_v**2 / capacity_wh
        cycles = 40.0 + 200.0 * rng.uniform(seed, "cycles", name)
        return cls(
            chemistry, cells, capacity_wh, soc, resistance, cycles=cycles, cell_offsets_v=offsets
        )

    @property
    def energy_wh(self) -> float:
        return self.soc * self.capacity_wh * self.health

    @property
    def nominal_v(self) -> float:
        return self.cells * (3.3 if self.chemistry is LFP else 3.7)

    @property
    def health(self) -> float:
        return max(0.5, 1.0 - 0.2 * self.cycles / RATED_CYCLES)

    def cell_ocv(self) -> float:
        points = self.chemistry.ocv
        s = min(1.0, max(0.0, self.soc))
        for (s0, v0), (s1, v1) in itertools.pairwise(points):
            if s <= s1:
                return v0 + (v1 - v0) * (s - s0) / (s1 - s0)
        return points[-1][1]

    def ocv(self) -> float:
        return self.cell_ocv() * self.cells

    def voltage(self) -> float:
        """Terminal voltage at the present current."""
        return self.ocv() + self.current_a * self.resistance_ohm

    def cell_voltages(self) -> list[float]:
        sag = self.current_a * self.resistance_ohm / self.cells
        return [self.cell_ocv() + sag + o for o in self.cell_offsets_v]

    def draw(self, power_w: float, seconds: float, ambient_c: float) -> None:
        """Deliver ``power_w`` for ``seconds`` (power ≤ 0 rests the pack)."""
        if power_w <= 0 or self.soc <= 0:
            self.current_a = 0.0
            self._heat(seconds, ambient_c, 0.0)
            return
        used_wh = power_w * seconds / 3600.0
        self.soc = max(0.0, self.soc - used_wh / (self.capacity_wh * self.health))
        self.cycles += used_wh / self.capacity_wh
        # The current at the end of the step, consistent with the voltage read then.
        ocv = self.ocv()
        disc = ocv * ocv - 4 * self.resistance_ohm * power_w
        volts = (ocv + math.sqrt(disc)) / 2 if disc > 0 else ocv / 2
        self.current_a = -power_w / volts
        self._heat(seconds, ambient_c, power_w)

    def charge(self, power_w: float, seconds: float, ambient_c: float) -> None:
        """Charge at up to ``power_w``, tapering linearly to nothing above 90 % SOC.

        Solved exactly (constant power to 90 %, then an exponential approach to
        full), so the result does not depend on how time is cut into steps.
        """
        rate = self._charge_rate(power_w)
        left = seconds
        if self.soc < KNEE_SOC and rate > 0:
            step = min(left, (KNEE_SOC - self.soc) / rate)
            self.soc = min(KNEE_SOC, self.soc + rate * step)
            left -= step
        if left > 0 and self.soc >= KNEE_SOC:
            # d(soc)/dt = rate·(1 − soc)/(1 − knee) above the knee.
            self.soc = 1.0 - (1.0 - self.soc) * math.exp(-rate * left / (1.0 - KNEE_SOC))
        power = power_w * self._taper()
        self.current_a = power / (self.ocv() + 0.02 * self.cells) if power > 0 else 0.0
        # The charger's rated power heats the pack even in the taper: a small
        # overestimate that keeps the heat constant over the step, hence exact.
        self._heat(seconds, ambient_c, power_w)

    def seconds_to_charge(self, power_w: float, target_soc: float) -> float:
        """How long charging at ``power_w`` takes to reach ``target_soc`` (< 1)."""
        rate = self._charge_rate(power_w)
        if self.soc >= target_soc:
            return 0.0
        if rate <= 0:
            return math.inf
        seconds = 0.0
        soc = self.soc
        if soc < KNEE_SOC:
            if target_soc <= KNEE_SOC:
                return (target_soc - soc) / rate
            seconds += (KNEE_SOC - soc) / rate
            soc = KNEE_SOC
        return seconds + (1.0 - KNEE_SOC) / rate * math.log((1.0 - soc) / (1.0 - target_soc))

    def _charge_rate(self, power_w: float) -> float:
        """State of charge gained per second at full charging power."""
        return power_w / 3600.0 / (self.capacity_wh * self.health)

    def _taper(self) -> float:
        return 1.0 if self.soc < KNEE_SOC else max(0.0, (1.0 - self.soc) / (1.0 - KNEE_SOC))

    def set_soc(self, soc: float) -> None:
        self.soc = min(1.0, max(0.0, soc))

    def _heat(self, seconds: float, ambient_c: float, power_w: float) -> None:
        # Joule heat from the current at the nominal voltage: constant while the
        # power is, so the exact solution below does not depend on the step.
        heat_capacity = HEAT_CAPACITY_J_PER_K_PER_WH * self.capacity_wh
        current = power_w / self.nominal_v
        joule = current**2 * self.resistance_ohm / heat_capacity
        # Exact for constant ambient and current over the step.
        target = ambient_c + joule * THERMAL_TIME_CONSTANT_S
        decay = math.exp(-seconds / THERMAL_TIME_CONSTANT_S)
        self.temperature_c = target + (self.temperature_c - target) * decay
