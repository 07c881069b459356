"""The mission a dispatcher gives a vehicle: JSON, the same over MQTT and the serial link.

    {"mission_id": "2026-07-01/cart-1/3", "vehicle": "cart-1",
     "stops": [{"id": "ja-coop", "location": [33.5655, 133.5238], "action": "unload",
                "kg": 20.0, "service_s": 120, "waypoints": [[33.5690, 133.5222]]}],
     "return_to_depot": true}

The format is documented in docs/simulator.md. Parsing is strict, like the
gateway's configuration: an unknown key or a wrong type refuses the mission
with a message naming the key, and the vehicle keeps doing what it was doing.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sim.geo import Point

MAX_MISSION_BYTES = 65536
MAX_STOPS = 200
_ID = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
_MISSION_KEYS = {"mission_id", "vehicle", "stops", "return_to_depot"}
# Context a gateway adds (its outbox id, the plan it came from); read past.
_CONTEXT_KEYS = {"id", "historical", "plan", "created", "feasible"}
_STOP_KEYS = {"id", "location", "action", "kg", "service_s", "waypoints"}


class Action(StrEnum):
    LOAD = "load"
    UNLOAD = "unload"
    NONE = "none"


class MissionError(ValueError):
    """Why a mission was refused; the message names the key."""

    mission_id: str | None = None
    """The refused mission's id, when it had a readable one (for the refusal's ack)."""


@dataclass(frozen=True, slots=True)
class Stop:
    id: str
    location: Point
    action: Action = Action.NONE
    kg: float = 0.0
    service_s: float = 0.0
    waypoints: tuple[Point, ...] = ()
    """Points to pass on the way to this stop, in order (a road path, an air corridor)."""


@dataclass(frozen=True, slots=True)
class Mission:
    mission_id: str
    stops: tuple[Stop, ...]
    vehicle: str | None = None
    return_to_depot: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "mission_id": self.mission_id,
            "vehicle": self.vehicle,
            "return_to_depot": self.return_to_depot,
            "stops": [
                {
                    "id": s.id,
                    "location": [s.location.lat, s.location.lon],
                    "action": s.action.value,
                    "kg": s.kg,
                    "service_s": s.service_s,
                    "waypoints": [[w.lat, w.lon] for w in s.waypoints],
                }
                for s in self.stops
            ],
        }


def parse_mission(data: bytes | str) -> Mission:
    try:
        return _parse(data)
    except MissionError as error:
        if error.mission_id is None:
            error.mission_id = _readable_id(data)
        raise


def _readable_id(data: bytes | str) -> str | None:
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    value = raw.get("mission_id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and _ID.match(value) else None


def _parse(data: bytes | str) -> Mission:
    if len(data) > MAX_MISSION_BYTES:
        raise MissionError(f"mission is {len(data)} bytes; at most {MAX_MISSION_BYTES}")
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MissionError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise MissionError(f"expected a JSON object, found {type(raw).__name__}")
    _unknown(raw, _MISSION_KEYS | _CONTEXT_KEYS, "")
    mission_id = _ident(raw.get("mission_id"), "mission_id")
    vehicle = raw.get("vehicle")
    if vehicle is not None and not isinstance(vehicle, str):
        raise MissionError(f"vehicle: expected a string, found {vehicle!r}")
    back = raw.get("return_to_depot", True)
    if not isinstance(back, bool):
        raise MissionError(f"return_to_depot: expected true or false, found {back!r}")
    stops = raw.get("stops")
    # An empty list is a recall: the vehicle goes back to its depot.
    if not isinstance(stops, list):
        raise MissionError("stops: expected an array of stops")
    if len(stops) > MAX_STOPS:
        raise MissionError(f"stops: at most {MAX_STOPS}, found {len(stops)}")
    return Mission(mission_id, tuple(_stop(s, i) for i, s in enumerate(stops)), vehicle, back)


def _stop(raw: object, i: int) -> Stop:
    where = f"stops[{i}]"
    if not isinstance(raw, dict):
        raise MissionError(f"{where}: expected an object")
    _unknown(raw, _STOP_KEYS, where + ".")
    stop_id = _ident(raw.get("id"), f"{where}.id")
    location = _point(raw.get("location"), f"{where}.location")
    action_text = raw.get("action", "none")
    try:
        action = Action(action_text)
    except ValueError:
        raise MissionError(
            f"{where}.action: expected load, unload or none, found {action_text!r}"
        ) from None
    kg = _number(raw.get("kg", 0.0), f"{where}.kg")
    if action is not Action.NONE and not kg > 0:
        raise MissionError(f"{where}.kg: a {action.value} needs kg > 0")
    service = _number(raw.get("service_s", 0.0), f"{where}.service_s")
    waypoints_raw = raw.get("waypoints", [])
    if not isinstance(waypoints_raw, list):
        raise MissionError(f"{where}.waypoints: expected an array of [lat, lon]")
    waypoints = tuple(_point(w, f"{where}.waypoints[{j}]") for j, w in enumerate(waypoints_raw))
    return Stop(stop_id, location, action, kg, service, waypoints)


def _unknown(raw: dict[str, Any], allowed: set[str], prefix: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise MissionError(
            f"{prefix}{extra[0]}: unknown key; expected one of {', '.join(sorted(allowed))}"
        )


def _ident(value: object, key: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise MissionError(
            f"{key}: expected 1 to 64 characters of A-Z a-z 0-9 _ . : / -, found {value!r}"
        )
    return value


def _number(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MissionError(f"{key}: expected a number, found {value!r}")
    if value < 0:
        raise MissionError(f"{key}: expected a number >= 0, found {value!r}")
    return float(value)


def _point(value: object, key: str) -> Point:
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in value)
    ):
        raise MissionError(f"{key}: expected [lat, lon], found {value!r}")
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MissionError(f"{key}: [lat, lon] out of range, found {value!r}")
    return Point(lat, lon)
