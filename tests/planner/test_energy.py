from __future__ import annotations

import pytest

from planner.energy import MultirotorEnergy

MODEL = MultirotorEnergy(frame_kg=3.0, battery_kg=2.0, rotors=4, rotor_diameter_m=0.4)


def test_power_grows_with_total_mass_to_the_power_one_and_a_half() -> None:
    # Dorling et al. 2017, eq. (2): P is proportional to (W + m)^(3/2).
    ratio = MODEL.power_w(5.0) / MODEL.power_w(0.0)
    assert ratio == pytest.approx((10.0 / 5.0) ** 1.5)


def test_leg_energy_is_power_times_flight_time() -> None:
    wh = MODEL.leg_wh(10_000.0, 1.0, 10.0)
    assert wh == pytest.approx(MODEL.power_w(1.0) * 1000.0 / 3600.0)
    assert MODEL.leg_wh(20_000.0, 1.0, 10.0) == pytest.approx(2 * wh)


def test_heavier_payload_costs_more_per_metre() -> None:
    assert MODEL.joules_per_m(2.0, 12.0) > MODEL.joules_per_m(0.5, 12.0)
