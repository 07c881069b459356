"""The combined effect of the faults active on each target, as plain state to apply.

Several faults may overlap on one target (a slow reply during a spike); the
state is recomputed from all active faults whenever the set changes, so
ending one never undoes another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sim.faults import ScheduledFault

DEFAULT_TRUNCATE_BYTES = 5


@dataclass
class DeviceFaults:
    silent: bool = False
    late_s: float | None = None
    corrupt_crc: bool = False
    wrong_unit: int | None = None
    exception_code: int | None = None
    truncate_to: int | None = None
    stuck: bool = False
    spikes: dict[str, float] = field(default_factory=dict)
    skew_s: float = 0.0
    garble_rate: float = 0.0
    truncate_rate: float = 0.0


@dataclass
class Targets:
    devices: dict[str, DeviceFaults] = field(default_factory=dict)
    buses_down: set[str] = field(default_factory=set)
    vehicle_faults: dict[str, set[str]] = field(default_factory=dict)
    buttons_pressed: set[str] = field(default_factory=set)
    """Carts whose e-stop button is held down."""


def combine(active: Iterable[ScheduledFault]) -> Targets:
    out = Targets()
    for fault in active:
        spec = fault.spec
        params = spec.params
        kind = spec.kind
        if kind == "bus_down":
            out.buses_down.add(spec.target)
            continue
        if kind in ("gps_lost", "vehicle_stop"):
            out.vehicle_faults.setdefault(spec.target, set()).add(kind)
            continue
        if kind == "estop_button":
            out.buttons_pressed.add(spec.target)
            continue
        if kind in ("low_battery", "bumper"):
            continue  # applied once, when it starts
        d = out.devices.setdefault(spec.target, DeviceFaults())
        if kind in ("no_reply", "offline"):
            d.silent = True
        elif kind == "slow_reply":
            d.late_s = max(d.late_s or 0.0, float(params["delay_s"]))
        elif kind == "crc_error":
            d.corrupt_crc = True
        elif kind == "wrong_unit":
            d.wrong_unit = int(params["as_unit"])
        elif kind == "exception":
            d.exception_code = int(params["code"])
        elif kind == "truncated":
            d.truncate_to = int(params.get("keep_bytes", DEFAULT_TRUNCATE_BYTES))
        elif kind == "stuck":
            d.stuck = True
        elif kind == "spike":
            d.spikes[str(params["point"])] = float(params["value"])
        elif kind == "clock_skew":
            d.skew_s += float(params["skew_s"])
        elif kind == "nmea_garbled":
            d.garble_rate = max(d.garble_rate, float(params.get("rate", 1.0)))
        elif kind == "nmea_truncated":
            d.truncate_rate = max(d.truncate_rate, float(params.get("rate", 1.0)))
    return out
