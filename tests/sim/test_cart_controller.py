"""The cart controller's register map and command rules (docs/devices.md)."""

from __future__ import annotations

import pytest

from drivers.profile import Function, load_profile
from drivers.reading import Quality
from sim.cart_controller import (
    MODE_AUTONOMOUS,
    MODE_CHARGING,
    MODE_ESTOP,
    MODE_FAULT,
    MODE_IDLE,
    CartController,
)
from sim.geo import Point
from sim.mission import Mission, Stop
from sim.register_bank import RegisterBank, WriteRefused
from sim.scenario import VehicleScenario, VehicleType
from sim.vehicle import Vehicle

HALL, COOP = Point(33.5710, 133.5195), Point(33.5655, 133.5238)
T0 = 1.8e9


class Wall:
    def __init__(self) -> None:
        self.t = 50.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def cart() -> tuple[CartController, RegisterBank, Vehicle, Wall]:
    spec = VehicleScenario("cart", VehicleType.CART, "Cart", "hall", 6.0, 30.0, 1200.0, soc=1.0)
    vehicle = Vehicle(spec, HALL, seed=1)
    bank = RegisterBank(load_profile("kakashi_cart_controller"))
    wall = Wall()
    return CartController("cc", bank, vehicle, lambda: None, monotonic=wall), bank, vehicle, wall


def value(bank: RegisterBank, name: str) -> float:
    point = bank.profile.point(name)
    if bank.before_read is not None:
        bank.before_read()
    decoded, quality = point.decode(bank.get(point))
    assert quality is Quality.GOOD
    assert isinstance(decoded, float)
    return decoded


def write_speed(bank: RegisterBank, mps: float) -> None:
    bank.client_write(Function.HOLDING, 0x0100, bank.profile.point("target_speed").encode(mps))


def test_measurements_come_from_the_cart(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    _, bank, vehicle, _ = cart
    assert value(bank, "battery_soc") == pytest.approx(100.0)
    assert value(bank, "battery_voltage") == pytest.approx(vehicle.pack.voltage(), abs=0.01)
    assert value(bank, "mode") == MODE_IDLE
    vehicle.assign(Mission("m", (Stop("coop", COOP),)), T0)
    vehicle.advance(T0, 120.0)
    assert value(bank, "mode") == MODE_AUTONOMOUS
    assert value(bank, "speed") == pytest.approx(6.0 / 3.6, abs=0.01)
    assert value(bank, "odometer") == pytest.approx(200.0, abs=0.2)
    assert value(bank, "battery_current") < 0
    assert value(bank, "motor_left_current") > 0


def test_out_of_range_commands_are_refused_with_exception_3(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    _, bank, _, _ = cart
    for raw in ([301], [(-101) & 0xFFFF]):
        with pytest.raises(WriteRefused) as refused:
            bank.client_write(Function.HOLDING, 0x0100, raw)
        assert refused.value.code == 3
    with pytest.raises(WriteRefused):
        bank.client_write(Function.HOLDING, 0x0101, [4])
    # All or nothing: a good speed with a bad watchdog changes neither.
    with pytest.raises(WriteRefused):
        bank.client_write(Function.HOLDING, 0x0100, [100, 200])
    assert bank.read(Function.HOLDING, 0x0100, 2) == [0, 10]


def test_a_remote_estop_latches_and_a_release_waits_for_a_new_speed(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    controller, bank, vehicle, _ = cart
    vehicle.assign(Mission("m", (Stop("coop", COOP),)), T0)
    write_speed(bank, 1.2)
    assert vehicle.speed_limit_ms == pytest.approx(1.2)
    bank.client_write(Function.COIL, 0, [1])
    assert value(bank, "mode") == MODE_ESTOP
    assert value(bank, "estop_active") == 1.0
    assert value(bank, "estop_remote") == 1.0
    assert value(bank, "target_speed") == 0.0
    with pytest.raises(WriteRefused):
        write_speed(bank, 1.0)  # may not move while stopped
    write_speed(bank, 0.0)  # 0 is always accepted
    bank.client_write(Function.COIL, 0, [0])
    assert value(bank, "estop_active") == 0.0
    where = vehicle.position
    vehicle.advance(T0, 60.0)
    assert vehicle.position == where  # releasing alone never moves the cart
    write_speed(bank, 1.0)
    vehicle.advance(T0 + 60, 60.0)
    assert vehicle.position != where
    assert controller.mode() == MODE_AUTONOMOUS


def test_the_watchdog_stops_a_cart_whose_gateway_went_quiet(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    _, bank, vehicle, wall = cart
    vehicle.assign(Mission("m", (Stop("coop", COOP),)), T0)
    write_speed(bank, 1.5)
    wall.t += 0.9
    assert value(bank, "estop_watchdog") == 0.0
    write_speed(bank, 1.5)  # renewed in time
    wall.t += 1.1
    assert value(bank, "estop_watchdog") == 1.0
    assert value(bank, "mode") == MODE_ESTOP
    assert "estop" in vehicle.holds
    bank.client_write(Function.COIL, 0, [0])
    assert value(bank, "estop_watchdog") == 0.0  # cleared by the release


def test_faults_and_charging_show_in_the_mode(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    _, bank, vehicle, _ = cart
    vehicle.pack.set_soc(0.5)
    vehicle.advance(T0, 1.0)
    assert value(bank, "mode") == MODE_CHARGING
    with pytest.raises(WriteRefused):
        write_speed(bank, 1.0)
    vehicle.faults.add("gps_lost")
    assert value(bank, "fault_localisation") == 1.0
    assert value(bank, "mode") == MODE_FAULT


def test_the_button_holds_the_cart_until_it_is_released_and_the_gateway_releases(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    controller, bank, vehicle, _ = cart
    controller.press_button(True)
    assert value(bank, "estop_button") == 1.0
    assert value(bank, "estop_active") == 1.0
    bank.client_write(Function.COIL, 0, [0])  # accepted, but the button is still down
    assert value(bank, "estop_active") == 1.0
    controller.press_button(False)
    assert value(bank, "estop_active") == 1.0  # latched until the gateway releases it
    bank.client_write(Function.COIL, 0, [0])
    assert value(bank, "estop_active") == 0.0
    assert vehicle.holds == {"await_speed"}


def test_a_bumper_touch_latches_until_released(
    cart: tuple[CartController, RegisterBank, Vehicle, Wall],
) -> None:
    controller, bank, vehicle, _ = cart
    controller.bump()
    assert (value(bank, "estop_bumper"), value(bank, "mode")) == (1.0, MODE_ESTOP)
    assert "estop" in vehicle.holds
    bank.client_write(Function.COIL, 0, [0])
    assert (value(bank, "estop_bumper"), value(bank, "estop_active")) == (0.0, 0.0)
