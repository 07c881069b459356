"""Multirotor energy: how much battery a drone spends per metre for a payload.

Dorling, Heinrichs, Messier and Magierowski (2017), "Vehicle Routing Problems
for Drone Delivery", IEEE Trans. Systems, Man, and Cybernetics: Systems 47(1),
70-85, eq. (2) gives the ideal power of an h-rotor craft of frame mass W
carrying battery and payload m:

    P(m) = (W + m)^(3/2) * sqrt(g^3 / (2 * rho * zeta * h))

with rho the air density and zeta the disc area of one rotor. The model is
momentum theory for hover, which the paper uses for cruise as well. Real
motors and propellers deliver only part of the electrical power as thrust, so
Kakashi divides by an overall `efficiency` (electrical to induced power). At a
constant cruise speed v the energy per metre is P(m) / v: it grows with
payload as (W + m)^1.5, which is what makes a heavy parcel shorten the range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GRAVITY = 9.80665  # m/s^2
JOULES_PER_WH = 3600.0


@dataclass(frozen=True, slots=True)
class MultirotorEnergy:
    """Parameters of Dorling et al.'s power model for one drone type."""

    frame_kg: float
    battery_kg: float
    rotors: int
    rotor_diameter_m: float
    efficiency: float = 0.7
    air_density: float = 1.225  # kg/m^3, ISA sea level

    def power_w(self, payload_kg: float) -> float:
        zeta = math.pi * (self.rotor_diameter_m / 2) ** 2
        mass = self.frame_kg + self.battery_kg + payload_kg
        ideal: float = mass**1.5 * math.sqrt(
            GRAVITY**3 / (2 * self.air_density * zeta * self.rotors)
        )
        return ideal / self.efficiency

    def joules_per_m(self, payload_kg: float, speed_mps: float) -> float:
        return self.power_w(payload_kg) / speed_mps

    def leg_wh(self, distance_m: float, payload_kg: float, speed_mps: float) -> float:
        return distance_m * self.joules_per_m(payload_kg, speed_mps) / JOULES_PER_WH
