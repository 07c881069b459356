"""Vehicle power: Dorling et al.'s multirotor model and rolling resistance."""

from __future__ import annotations

import math

import pytest

from sim.energy import GRAVITY, CartEnergy, DroneEnergy

DRONE = DroneEnergy(frame_kg=5.0, battery_kg=3.5, rotors=6, rotor_diameter_m=0.55, efficiency=0.7)


def test_drone_power_is_dorlings_equation() -> None:
    zeta = math.pi * 0.275**2
    expected = (5.0 + 3.5 + 2.0) ** 1.5 * math.sqrt(GRAVITY**3 / (2 * 1.225 * zeta * 6)) / 0.7
    assert DRONE.power_w(2.0) == pytest.approx(expected)


def test_drone_power_grows_as_mass_to_the_three_halves() -> None:
    empty, loaded = DRONE.power_w(0.0), DRONE.power_w(5.0)
    assert loaded / empty == pytest.approx(((8.5 + 5.0) / 8.5) ** 1.5)


def test_cart_power_is_rolling_resistance_plus_electronics() -> None:
    cart = CartEnergy(
        empty_mass_kg=120.0, rolling_resistance=0.03, drivetrain_efficiency=0.8, aux_power_w=20.0
    )
    assert cart.power_w(0.0, 0.0) == pytest.approx(20.0)
    assert cart.power_w(30.0, 2.0) == pytest.approx(150.0 * GRAVITY * 0.03 * 2.0 / 0.8 + 20.0)
    assert cart.power_w(30.0, 2.0) > cart.power_w(0.0, 2.0)
