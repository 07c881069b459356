"""The faults a scenario or the control API can inject, and what each needs.

One table so that the scenario loader, the control API and the docs agree on
the names, targets and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Target(StrEnum):
    MODBUS_DEVICE = "a Modbus device"
    SENSOR_DEVICE = "a soil probe or weather station"
    GPS_DEVICE = "an NMEA GPS device"
    DEVICE = "a device"
    BUS = "a bus"
    VEHICLE = "a vehicle"
    CART = "a cart with a controller"


@dataclass(frozen=True, slots=True)
class Param:
    kind: type
    required: bool
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class FaultKind:
    name: str
    target: Target
    description: str
    params: dict[str, Param]
    needs_duration: bool = False
    allows_duration: bool = True
    rtu_only: bool = False


_KINDS = (
    FaultKind("no_reply", Target.MODBUS_DEVICE, "the device ignores every request", {}),
    FaultKind(
        "slow_reply",
        Target.MODBUS_DEVICE,
        "the device answers after delay_s instead of its latency",
        {"delay_s": Param(float, True, 0.0, 60.0)},
    ),
    FaultKind(
        "crc_error",
        Target.MODBUS_DEVICE,
        "replies carry a wrong CRC (noise on the line)",
        {},
        rtu_only=True,
    ),
    FaultKind(
        "wrong_unit",
        Target.MODBUS_DEVICE,
        "replies carry unit id as_unit (a misaddressed twin)",
        {"as_unit": Param(int, True, 1, 247)},
    ),
    FaultKind(
        "exception",
        Target.MODBUS_DEVICE,
        "every request is refused with Modbus exception code",
        {"code": Param(int, True, 1, 255)},
    ),
    FaultKind(
        "truncated",
        Target.MODBUS_DEVICE,
        "replies stop after keep_bytes bytes (a brown-out mid-frame)",
        {"keep_bytes": Param(int, False, 1, 255)},
    ),
    FaultKind(
        "offline",
        Target.DEVICE,
        "the device disappears (no replies, no sentences) and comes back",
        {},
        needs_duration=True,
    ),
    FaultKind("stuck", Target.SENSOR_DEVICE, "readings freeze at their last values", {}),
    FaultKind(
        "spike",
        Target.SENSOR_DEVICE,
        "point reads value instead of the measurement",
        {"point": Param(str, True), "value": Param(float, True)},
        needs_duration=True,
    ),
    FaultKind(
        "clock_skew",
        Target.GPS_DEVICE,
        "the receiver's clock is off by skew_s (time fields of RMC, GGA, ZDA)",
        {"skew_s": Param(float, True, -1e7, 1e7)},
    ),
    FaultKind(
        "nmea_garbled",
        Target.GPS_DEVICE,
        "a share (rate, default all) of sentences has a character flipped",
        {"rate": Param(float, False, 0.0, 1.0)},
    ),
    FaultKind(
        "nmea_truncated",
        Target.GPS_DEVICE,
        "a share (rate, default all) of sentences is cut off before its checksum",
        {"rate": Param(float, False, 0.0, 1.0)},
    ),
    FaultKind("gps_lost", Target.VEHICLE, "the vehicle loses its position fix", {}),
    FaultKind(
        "bus_down",
        Target.BUS,
        "the whole bus is gone: the pty hangs up, the TCP port closes; it comes back after",
        {},
    ),
    FaultKind("vehicle_stop", Target.VEHICLE, "a drive fault stops the vehicle where it is", {}),
    FaultKind(
        "estop_button",
        Target.CART,
        "someone presses the cart's mushroom button and releases it when the fault ends",
        {},
    ),
    FaultKind(
        "bumper",
        Target.CART,
        "the cart's safety bumper touches something (latched until released)",
        {},
        allows_duration=False,
    ),
    FaultKind(
        "low_battery",
        Target.VEHICLE,
        "the battery drops to soc (0..1) at once, as when a cell fails",
        {"soc": Param(float, True, 0.0, 1.0)},
        allows_duration=False,
    ),
)

FAULT_KINDS: dict[str, FaultKind] = {k.name: k for k in _KINDS}


def check_params(kind: FaultKind, params: dict[str, object]) -> list[str]:
    """Problems with ``params`` for ``kind``, each naming the parameter."""
    problems = []
    for name in params:
        if name not in kind.params:
            allowed = ", ".join(sorted(kind.params)) or "none"
            problems.append(f"{name}: not a parameter of {kind.name} (parameters: {allowed})")
    for name, spec in kind.params.items():
        if name not in params:
            if spec.required:
                problems.append(f"{name}: required by {kind.name}")
            continue
        value = params[name]
        if spec.kind is str:
            if not isinstance(value, str) or not value:
                problems.append(f"{name}: expected a string, found {value!r}")
            continue
        if spec.kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
            problems.append(f"{name}: expected an integer, found {value!r}")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{name}: expected a number, found {value!r}")
            continue
        number = float(value)
        if (spec.low is not None and number < spec.low) or (
            spec.high is not None and number > spec.high
        ):
            problems.append(f"{name}: expected {spec.low}..{spec.high}, found {value!r}")
    return problems
