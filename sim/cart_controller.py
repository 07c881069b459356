"""Kakashi's cart controller (``kakashi_cart_controller``), played by a simulated cart.

Implements the register map and command rules of docs/devices.md: the
measurements come from the vehicle (battery, motors, speed, odometer,
payload); ``target_speed`` and ``watchdog_timeout`` writes are range checked
and refused with exception 03 when the cart may not move; the remote e-stop
coil latches; the command watchdog stops a cart whose gateway stopped
writing. The watchdog runs on the wall clock, not simulated time: it guards
the radio link to the gateway, which lives in real time.

How the map meets missions (the simulator's reading of the spec): a cart on a
mission drives it at its configured speed, capped by ``target_speed`` when
the gateway writes a non-zero one. Any e-stop holds it; after a release it
waits for a non-zero ``target_speed`` before it moves again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from drivers.profile import Function
from sim.register_bank import RegisterBank, WriteRefused
from sim.vehicle import RESERVE_SOC, State, Vehicle

ILLEGAL_DATA_VALUE = 0x03
TARGET_SPEED, WATCHDOG = 0x0100, 0x0101
ESTOP_COIL = 0x0000
OVERTEMPERATURE_C = 60.0

MODE_IDLE, MODE_MANUAL, MODE_AUTONOMOUS, MODE_CHARGING, MODE_FAULT, MODE_ESTOP = range(6)


class CartController:
    def __init__(
        self,
        device_id: str,
        bank: RegisterBank,
        vehicle: Vehicle,
        sync: Callable[[], None],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.id = device_id
        self.bank = bank
        self.vehicle = vehicle
        self._sync = sync
        self._monotonic = monotonic
        self.estop_remote = False
        self.estop_bumper = False
        self.estop_watchdog = False
        self.estop_button = False
        self.latched = False
        self.target_speed = 0.0
        self.watchdog_s = 1.0
        self._last_command: float | None = None
        bank.set("watchdog_timeout", self.watchdog_s)
        bank.set("target_speed", 0.0)
        bank.before_read = self.refresh
        bank.check_write = self._check_write
        bank.after_write = self._after_write
        self.refresh()

    # ---- reads ----

    def refresh(self) -> None:
        self._sync()
        self.check_watchdog()
        v = self.vehicle
        pack = v.pack
        b = self.bank
        b.set("battery_voltage", pack.voltage())
        b.set("battery_current", max(-200.0, min(200.0, pack.current_a)))
        b.set("battery_soc", 100.0 * pack.soc)
        b.set("battery_temperature", pack.temperature_c)
        drive_a = -pack.current_a if pack.current_a < 0 else 0.0
        motor = max(0.0, drive_a - v.spec.aux_power_w / max(pack.voltage(), 1.0)) / 2
        b.set("motor_left_current", min(100.0, motor))
        b.set("motor_right_current", min(100.0, motor))
        b.set("speed", min(5.0, v.speed_ms))
        b.set("odometer", min(429496729.5, v.odometer_m))
        b.set("payload", min(500.0, v.payload_kg))
        faults = self.fault_bits()
        estop_bits = (
            (1 if self.latched else 0)
            | (2 if self.estop_button else 0)
            | (4 if self.estop_remote else 0)
            | (8 if self.estop_bumper else 0)
            | (16 if self.estop_watchdog else 0)
        )
        b.write(Function.INPUT, 0x000A, [estop_bits])
        b.write(Function.INPUT, 0x000B, [faults])
        b.set("mode", self.mode())
        b.write(Function.COIL, ESTOP_COIL, [1 if self.estop_remote else 0])

    def fault_bits(self) -> int:
        v = self.vehicle
        bits = 0
        if "vehicle_stop" in v.faults:
            bits |= 1  # fault_motor_left: the drive fault a scenario injects
        if v.state is State.EMPTY or v.pack.soc <= RESERVE_SOC:
            bits |= 8
        if v.pack.temperature_c > OVERTEMPERATURE_C:
            bits |= 16
        if "gps_lost" in v.faults:
            bits |= 64
        return bits

    def mode(self) -> int:
        if self.latched:
            return MODE_ESTOP
        if self.fault_bits():
            return MODE_FAULT
        if self.vehicle.state is State.CHARGING:
            return MODE_CHARGING
        if self.vehicle.on_mission:
            return MODE_AUTONOMOUS
        return MODE_IDLE

    # ---- writes ----

    def _check_write(self, function: Function, address: int, values: list[int]) -> None:
        if function is Function.HOLDING:
            for offset, raw in enumerate(values):
                signed = raw - 0x10000 if raw & 0x8000 else raw
                if address + offset == TARGET_SPEED:
                    if not -100 <= signed <= 300:
                        raise WriteRefused(ILLEGAL_DATA_VALUE, "target_speed out of range")
                    if signed != 0 and self.mode() in (
                        MODE_ESTOP,
                        MODE_FAULT,
                        MODE_MANUAL,
                        MODE_CHARGING,
                    ):
                        raise WriteRefused(ILLEGAL_DATA_VALUE, "the cart may not move now")
                elif address + offset == WATCHDOG and not 5 <= raw <= 100:
                    raise WriteRefused(ILLEGAL_DATA_VALUE, "watchdog_timeout out of range")

    def _after_write(self, function: Function, address: int, values: list[int]) -> None:
        if function is Function.COIL and address == ESTOP_COIL:
            if values[0]:
                self.estop_remote = True
                self._stop()
            else:
                self.estop_remote = False
                if not (self.estop_button or self.estop_remote):
                    # Releasing clears the latched sources; the cart then waits for a speed.
                    self.estop_bumper = self.estop_watchdog = False
                    if self.latched:
                        self.latched = False
                        self.vehicle.holds.discard("estop")
                        self.vehicle.holds.add("await_speed")
            return
        if function is not Function.HOLDING:
            return
        for offset, raw in enumerate(values):
            if address + offset == WATCHDOG:
                self.watchdog_s = raw / 10.0
            elif address + offset == TARGET_SPEED:
                signed = raw - 0x10000 if raw & 0x8000 else raw
                self.target_speed = signed / 100.0
                self._last_command = self._monotonic() if signed else None
                self.vehicle.speed_limit_ms = self.target_speed if signed > 0 else None
                if signed:
                    self.vehicle.holds.discard("await_speed")

    def press_button(self, pressed: bool) -> None:
        """The mushroom button on the cart: pressing latches an e-stop; releasing it
        only allows a release by coil 0 (docs/devices.md)."""
        if pressed and not self.estop_button:
            self.estop_button = True
            self._stop()
        elif not pressed:
            self.estop_button = False

    def bump(self) -> None:
        """The safety bumper touched something: latched until the gateway releases it."""
        self.estop_bumper = True
        self._stop()

    def check_watchdog(self) -> None:
        """Stop the cart if a non-zero target speed was not renewed in time."""
        if self._last_command is None or self.target_speed == 0:
            return
        if self._monotonic() - self._last_command > self.watchdog_s:
            self.estop_watchdog = True
            self._stop()

    def _stop(self) -> None:
        self.latched = True
        self.target_speed = 0.0
        self._last_command = None
        self.vehicle.speed_limit_ms = None
        self.vehicle.holds.add("estop")
        self.bank.set("target_speed", 0.0)
