"""The vehicles strip: each vehicle's battery and position from its devices' latest readings.

Vehicles are not devices: a cart is seen through its controller (battery
state of charge) and its GPS (latitude, longitude), found here by point name
and unit, the way the profiles name them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from edge.config import Config

BATTERY_POINTS = ("battery_soc", "soc")
"""State of charge, in %: the cart controller's and the drone battery's names."""


def vehicle_summaries(config: Config, latest: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One dict per configured vehicle, in configuration order.

    ``battery`` and ``position`` are None when no device of the vehicle has
    reported them; ``last_seen`` is the newest reading of any of its devices.
    """
    owner = {dev_id: dev.vehicle for dev_id, dev in config.devices.items() if dev.vehicle}
    by_vehicle: dict[str, list[Mapping[str, Any]]] = {}
    for row in latest:
        owned_by = owner.get(str(row["device"]))
        if owned_by is not None:
            by_vehicle.setdefault(owned_by, []).append(row)
    result = []
    for vid, vehicle in config.vehicles.items():
        rows = by_vehicle.get(vid, [])
        battery = next(
            (
                r
                for r in rows
                if r["point"] in BATTERY_POINTS and r["unit"] == "%" and _number(r["value"])
            ),
            None,
        )
        lat = next((r for r in rows if r["point"] == "latitude" and _number(r["value"])), None)
        lon = next((r for r in rows if r["point"] == "longitude" and _number(r["value"])), None)
        result.append(
            {
                "id": vid,
                "name": vehicle.name,
                "type": vehicle.type,
                "battery": battery,
                "position": None
                if lat is None or lon is None
                else {
                    "lat": lat["value"],
                    "lon": lon["value"],
                    "ts": lat["ts"],
                    "device": lat["device"],
                },
                "last_seen": max((float(r["ts"]) for r in rows), default=None),
            }
        )
    return result


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
