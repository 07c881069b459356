"""Power a vehicle draws, by the published models the planner also uses.

Drones: Dorling, Heinrichs, Messier and Magierowski (2017), "Vehicle Routing
Problems for Drone Delivery", IEEE Trans. SMC: Systems 47(1), eq. (2): the
ideal power of an h-rotor craft of frame mass W carrying battery and payload
m is P = (W + m)^(3/2) · sqrt(g³ / (2 ρ ζ h)), ζ the disc area of one rotor;
divided here by an overall efficiency. It is drawn whenever the drone flies
(climb, cruise, descent), which is why a heavy parcel shortens the range as
(W + m)^1.5. Carts: rolling resistance on level ground through a drivetrain
efficiency, P = m g C_rr v / η, plus the electronics' constant draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GRAVITY = 9.80665
AIR_DENSITY = 1.225


@dataclass(frozen=True, slots=True)
class DroneEnergy:
    frame_kg: float
    battery_kg: float
    rotors: int
    rotor_diameter_m: float
    efficiency: float

    def power_w(self, payload_kg: float) -> float:
        zeta = math.pi * (self.rotor_diameter_m / 2) ** 2
        mass = self.frame_kg + self.battery_kg + payload_kg
        ideal: float = mass**1.5 * math.sqrt(GRAVITY**3 / (2 * AIR_DENSITY * zeta * self.rotors))
        return ideal / self.efficiency


@dataclass(frozen=True, slots=True)
class CartEnergy:
    empty_mass_kg: float
    rolling_resistance: float
    drivetrain_efficiency: float
    aux_power_w: float

    def power_w(self, payload_kg: float, speed_ms: float) -> float:
        mass = self.empty_mass_kg + payload_kg
        drive = mass * GRAVITY * self.rolling_resistance * speed_ms / self.drivetrain_efficiency
        return drive + self.aux_power_w
