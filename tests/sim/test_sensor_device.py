"""Sensor devices: physics through a profile, with a sensor's bias and noise, and their faults."""

from __future__ import annotations

import logging

import pytest

from drivers.profile import Function, load_profile
from drivers.reading import Quality
from sim.register_bank import RegisterBank
from sim.sensor_device import SensorDevice, Values


class Source:
    def __init__(self, values: Values) -> None:
        self.values = values

    def __call__(self, ts: float) -> Values:
        return dict(self.values)


class Clock:
    def __init__(self) -> None:
        self.t = 1.8e9

    def __call__(self) -> float:
        return self.t


SOIL: Values = {
    "moisture": (30.0, "%"),
    "temperature": (20.0, "°C"),
    "ec": (500.0, "µS/cm"),
    "ph": (6.5, "pH"),
    "nitrogen": (60.0, "mg/kg"),
    "phosphorus": (20.0, "mg/kg"),
    "potassium": (150.0, "mg/kg"),
}


def read(bank: RegisterBank, name: str) -> float:
    point = bank.profile.point(name)
    bank.before_read and bank.before_read()
    value, quality = point.decode(bank.get(point))
    assert quality is Quality.GOOD, (name, value, quality)
    assert isinstance(value, float)
    return value


def device(
    profile: str, values: Values, seed: int = 1
) -> tuple[SensorDevice, RegisterBank, Source, Clock]:
    bank = RegisterBank(load_profile(profile))
    source, clock = Source(values), Clock()
    return SensorDevice("probe", bank, source, clock, seed), bank, source, clock


def test_readings_are_the_physics_with_a_sensors_error() -> None:
    _, bank, _, _ = device("dfrobot_sen0605", SOIL)
    assert read(bank, "moisture") == pytest.approx(30.0, abs=3.0)
    assert read(bank, "temperature") == pytest.approx(20.0, abs=0.8)
    assert read(bank, "ec") == pytest.approx(500.0, rel=0.15)
    assert read(bank, "nitrogen") == pytest.approx(60.0, rel=0.2)
    # The probe's own settings sit at their factory values.
    assert read(bank, "salinity_coefficient") == pytest.approx(0.55)
    assert read(bank, "moisture_calibration") == 0.0


def test_error_is_fixed_by_seed_and_second() -> None:
    _, a, _, clock_a = device("dfrobot_sen0604", SOIL, seed=4)
    _, b, _, _ = device("dfrobot_sen0604", SOIL, seed=4)
    _, c, _, _ = device("dfrobot_sen0604", SOIL, seed=5)
    assert a.read(Function.HOLDING, 0, 4) == b.read(Function.HOLDING, 0, 4)
    assert a.read(Function.HOLDING, 0, 4) != c.read(Function.HOLDING, 0, 4)
    first = [read(a, "moisture") for _ in range(3)]
    assert len(set(first)) == 1  # one value per second
    clock_a.t += 1
    assert read(a, "moisture") != first[0]


def test_a_calibration_written_by_the_gateway_shows_in_the_next_reading() -> None:
    _, bank, _, _ = device("dfrobot_sen0605", SOIL)
    before = read(bank, "moisture")
    point = bank.profile.point("moisture_calibration")
    bank.client_write(Function.HOLDING, point.address, point.encode(2.5))
    assert read(bank, "moisture") == pytest.approx(before + 2.5, abs=0.11)


def test_values_are_sent_in_the_profiles_units() -> None:
    weather: Values = {"pressure": (100_000.0, "Pa"), "air_temperature": (18.0, "°C")}
    _, lambrecht, _, _ = device("lambrecht_meteo_pro", weather)
    _, sensecap, _, _ = device("seeed_sensecap_one", weather)
    # Bias sd 50 Pa, noise sd 20 Pa: within 250 Pa.
    assert read(lambrecht, "pressure") == pytest.approx(1000.0, abs=2.5)  # hPa
    assert read(sensecap, "pressure") == pytest.approx(100_000.0, abs=250.0)  # Pa


def test_stuck_values_freeze_and_spikes_replace_them() -> None:
    model, bank, source, clock = device("dfrobot_sen0604", SOIL)
    frozen = bank.read(Function.HOLDING, 0, 4)
    model.set_faults(stuck=True, spikes={})
    source.values["moisture"] = (45.0, "%")
    clock.t += 60
    model.refresh()
    assert bank.read(Function.HOLDING, 0, 4) == frozen
    model.set_faults(stuck=False, spikes={"temperature": 79.9})
    assert read(bank, "temperature") == pytest.approx(79.9)
    assert read(bank, "moisture") == pytest.approx(45.0, abs=3.0)


def test_a_unit_the_simulator_cannot_convert_is_warned_about_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        model, _, _, _ = device("dfrobot_sen0604", {**SOIL, "ec": (0.5, "furlongs")})
        model.refresh()
    assert [r.message for r in caplog.records].count(
        "probe: point ec: unit 'furlongs' cannot be sent as 'µS/cm'"
    ) == 1
