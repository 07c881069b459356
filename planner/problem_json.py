"""PROBLEM.json: the planner's input file, read into a Problem with every error listed.

The format is documented in docs/planner.md. Errors name the place in the file
(`stops[3] "r4".windows[0]`) and what was expected; the reader carries on past
an error so one run reports them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from planner.energy import MultirotorEnergy
from planner.errors import InvalidProblemError
from planner.geo import Location
from planner.problem import (
    Amount,
    DroneSpec,
    NoFlyZone,
    Pair,
    Problem,
    RoadEdge,
    RoadNetwork,
    Site,
    SiteKind,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleKind,
)

T = TypeVar("T")


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def get(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        kind: Callable[[Any, str], T],
        default: Any = ...,
    ) -> T | None:
        if key not in obj:
            if default is ...:
                self.fail(where, f"missing {key!r}")
                return None
            return default  # type: ignore[no-any-return]
        try:
            return kind(obj[key], f"{where}.{key}")
        except _FieldError as bad:
            self.fail(bad.where, bad.message)
            return None


class _FieldError(Exception):
    def __init__(self, where: str, message: str) -> None:
        self.where, self.message = where, message


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _FieldError(where, f"expected a number, got {value!r}")
    return float(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _FieldError(where, f"expected a non-empty string, got {value!r}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _FieldError(where, f"expected true or false, got {value!r}")
    return value


def _time(value: Any, where: str) -> float:
    """Seconds from the plan's epoch, or a clock time "HH:MM" / "HH:MM:SS"."""
    if isinstance(value, str):
        parts = value.split(":")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            numbers = []
        if len(numbers) in (2, 3) and all(n >= 0 for n in numbers):
            h, m, s = ([*numbers, 0])[:3]
            if m < 60 and s < 60:
                return float(h * 3600 + m * 60 + s)
        raise _FieldError(where, f"expected seconds or a time like '08:30', got {value!r}")
    return _number(value, where)


def _window(value: Any, where: str) -> TimeWindow:
    if not isinstance(value, list) or len(value) != 2:
        raise _FieldError(where, f"expected [start, end], got {value!r}")
    return TimeWindow(_time(value[0], f"{where}[0]"), _time(value[1], f"{where}[1]"))


def _location(value: Any, where: str) -> Location:
    if not isinstance(value, list) or len(value) != 2:
        raise _FieldError(where, f"expected [lat, lon], got {value!r}")
    lat, lon = _number(value[0], f"{where}[0]"), _number(value[1], f"{where}[1]")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise _FieldError(where, f"[lat, lon] out of range: {value!r}")
    return Location(lat, lon)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _FieldError(where, f"expected a list, got {type(value).__name__}")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _FieldError(where, f"expected an object, got {type(value).__name__}")
    return value


def _label(obj: dict[str, Any], where: str) -> str:
    ident = obj.get("id")
    return f'{where} "{ident}"' if isinstance(ident, str) else where


def load_problem(path: Path) -> Problem:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidProblemError([f"{path}: {exc}"]) from exc
    return problem_from_dict(data, base_dir=path.parent)


def problem_from_dict(data: Any, base_dir: Path | None = None) -> Problem:
    """Build a Problem; raise InvalidProblemError listing every format error."""
    r = _Reader()
    if not isinstance(data, dict):
        raise InvalidProblemError(["the problem must be a JSON object"])
    sites = [_site(r, s, f"sites[{i}]") for i, s in enumerate(_items(r, data, "sites"))]
    stops = [_stop(r, s, f"stops[{i}]") for i, s in enumerate(_items(r, data, "stops"))]
    vehicles = [_vehicle(r, v, f"vehicles[{i}]") for i, v in enumerate(_items(r, data, "vehicles"))]
    pairs = [_pair(r, p, f"pairs[{i}]") for i, p in enumerate(_items(r, data, "pairs", True))]
    zones = [
        _zone(r, z, f"no_fly_zones[{i}]")
        for i, z in enumerate(_items(r, data, "no_fly_zones", True))
    ]
    roads = _roads(r, data, base_dir)
    detour = r.get(data, "cart_detour_factor", "problem", _number, 1.3)
    if r.errors:
        raise InvalidProblemError(r.errors)
    return Problem(
        sites=tuple(s for s in sites if s is not None),
        stops=tuple(s for s in stops if s is not None),
        vehicles=tuple(v for v in vehicles if v is not None),
        pairs=tuple(p for p in pairs if p is not None),
        no_fly_zones=tuple(z for z in zones if z is not None),
        roads=roads,
        cart_detour_factor=detour if detour is not None else 1.3,
        name=str(data.get("name", "")),
    )


def _items(
    r: _Reader, data: dict[str, Any], key: str, optional: bool = False
) -> list[dict[str, Any]]:
    raw = r.get(data, key, "problem", _list, [] if optional else ...)
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw or []):
        if isinstance(item, dict):
            out.append(item)
        else:
            r.fail(f"{key}[{i}]", "expected an object")
    return out


def _site(r: _Reader, obj: dict[str, Any], where: str) -> Site | None:
    where = _label(obj, where)
    ident = r.get(obj, "id", where, _string)
    loc = r.get(obj, "location", where, _location)
    kind = r.get(obj, "kind", where, _string, "depot")
    if kind not in {k.value for k in SiteKind}:
        r.fail(f"{where}.kind", f"expected 'depot' or 'collection_point', got {kind!r}")
        return None
    if ident is None or loc is None or kind is None:
        return None
    return Site(ident, loc, SiteKind(kind), str(obj.get("name", "")))


def _stop(r: _Reader, obj: dict[str, Any], where: str) -> Stop | None:
    where = _label(obj, where)
    ident = r.get(obj, "id", where, _string)
    loc = r.get(obj, "location", where, _location)
    kind = r.get(obj, "kind", where, _string, "delivery")
    if kind not in {k.value for k in StopKind}:
        r.fail(f"{where}.kind", f"expected 'delivery' or 'pickup', got {kind!r}")
        kind = None
    raw_windows = r.get(obj, "windows", where, _list, [])
    windows = []
    for i, w in enumerate(raw_windows or []):
        try:
            windows.append(_window(w, f"{where}.windows[{i}]"))
        except _FieldError as bad:
            r.fail(bad.where, bad.message)
    vehicles = r.get(obj, "vehicles", where, _list, None)
    if vehicles is not None and not all(isinstance(v, str) for v in vehicles):
        r.fail(f"{where}.vehicles", "expected a list of vehicle ids")
        vehicles = None
    kg = r.get(obj, "kg", where, _number, 0.0)
    m3 = r.get(obj, "m3", where, _number, 0.0)
    service = r.get(obj, "service_s", where, _number, 0.0)
    required = r.get(obj, "required", where, _bool, True)
    penalty = r.get(obj, "penalty", where, _number, 0.0)
    site = r.get(obj, "site", where, _string, None)
    if ident is None or loc is None or kind is None:
        return None
    return Stop(
        id=ident,
        location=loc,
        kind=StopKind(kind),
        demand=Amount(kg or 0.0, m3 or 0.0),
        service_s=service or 0.0,
        windows=tuple(windows),
        required=True if required is None else required,
        penalty=penalty or 0.0,
        vehicles=frozenset(vehicles) if vehicles is not None else None,
        site=site,
        name=str(obj.get("name", "")),
    )


def _vehicle(r: _Reader, obj: dict[str, Any], where: str) -> Vehicle | None:
    where = _label(obj, where)
    ident = r.get(obj, "id", where, _string)
    kind = r.get(obj, "kind", where, _string)
    if kind is not None and kind not in {k.value for k in VehicleKind}:
        r.fail(f"{where}.kind", f"expected 'cart' or 'drone', got {kind!r}")
        kind = None
    start = r.get(obj, "start", where, _string)
    end = r.get(obj, "end", where, _string, start)
    capacity = r.get(obj, "capacity", where, _object)
    cap = Amount()
    if capacity is not None:
        cap = Amount(
            r.get(capacity, "kg", f"{where}.capacity", _number, 0.0) or 0.0,
            r.get(capacity, "m3", f"{where}.capacity", _number, float("inf")) or 0.0,
        )
    if "speed_mps" in obj:
        speed = r.get(obj, "speed_mps", where, _number)
    else:
        kmh = r.get(obj, "speed_kmh", where, _number)
        speed = None if kmh is None else kmh / 3.6
    shift = r.get(obj, "shift", where, _window, TimeWindow(0.0, 86400.0))
    drone = None
    if "drone" in obj:
        drone = _drone(r, obj["drone"], f"{where}.drone")
    fixed = r.get(obj, "fixed_cost", where, _number, 0.0)
    per_km = r.get(obj, "cost_per_km", where, _number, 1.0)
    if None in (ident, kind, start, end, speed, shift):
        return None
    assert ident
    assert kind
    assert start
    assert end
    assert speed is not None
    assert shift is not None
    return Vehicle(
        id=ident,
        kind=VehicleKind(kind),
        start=start,
        end=end,
        capacity=cap,
        speed_mps=speed,
        shift=shift,
        fixed_cost=fixed or 0.0,
        cost_per_km=1.0 if per_km is None else per_km,
        drone=drone,
        name=str(obj.get("name", "")),
    )


def _drone(r: _Reader, value: Any, where: str) -> DroneSpec | None:
    if not isinstance(value, dict):
        r.fail(where, "expected an object")
        return None
    energy = r.get(value, "energy", where, _object)
    model = None
    if energy is not None:
        e = f"{where}.energy"
        parts = [
            r.get(energy, key, e, _number)
            for key in ("frame_kg", "battery_kg", "rotors", "rotor_diameter_m")
        ]
        efficiency = r.get(energy, "efficiency", e, _number, 0.7)
        density = r.get(energy, "air_density", e, _number, 1.225)
        if None not in parts and efficiency is not None and density is not None:
            frame, battery, rotors, diameter = (p or 0.0 for p in parts)
            model = MultirotorEnergy(frame, battery, int(rotors), diameter, efficiency, density)
    payload = r.get(value, "max_payload_kg", where, _number)
    battery_wh = r.get(value, "battery_wh", where, _number)
    reserve = r.get(value, "reserve", where, _number, 0.2)
    altitude = r.get(value, "cruise_altitude_m", where, _number, 60.0)
    if model is None or payload is None or battery_wh is None:
        return None
    return DroneSpec(payload, battery_wh, model, reserve or 0.0, altitude or 60.0)


def _pair(r: _Reader, obj: dict[str, Any], where: str) -> Pair | None:
    pickup = r.get(obj, "pickup", where, _string)
    delivery = r.get(obj, "delivery", where, _string)
    if pickup is None or delivery is None:
        return None
    return Pair(pickup, delivery)


def _zone(r: _Reader, obj: dict[str, Any], where: str) -> NoFlyZone | None:
    where = _label(obj, where)
    ident = r.get(obj, "id", where, _string)
    ring = r.get(obj, "polygon", where, _list)
    points = []
    for i, p in enumerate(ring or []):
        try:
            points.append(_location(p, f"{where}.polygon[{i}]"))
        except _FieldError as bad:
            r.fail(bad.where, bad.message)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # a closed GeoJSON-style ring
    if ident is None or ring is None:
        return None
    return NoFlyZone(ident, tuple(points), str(obj.get("name", "")))


def _roads(r: _Reader, data: dict[str, Any], base_dir: Path | None) -> RoadNetwork | None:
    raw = data.get("roads")
    if raw is None:
        return None
    if isinstance(raw, str):
        path = (base_dir or Path.cwd()) / raw
        try:
            raw = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            r.fail("problem.roads", f"cannot read road network {path}: {exc}")
            return None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        r.fail("problem.roads", "expected a GeoJSON FeatureCollection of LineStrings (or its file)")
        return None
    edges: list[RoadEdge] = []
    for i, feature in enumerate(raw.get("features", [])):
        where = f"roads.features[{i}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
            r.fail(where, "expected a LineString feature")
            continue
        coords = geometry.get("coordinates", [])
        try:
            # GeoJSON positions are [lon, lat].
            points = tuple(_location([c[1], c[0]], where) for c in coords)
        except (_FieldError, TypeError, IndexError):
            r.fail(where, "coordinates must be [lon, lat] positions")
            continue
        props = feature.get("properties") or {}
        edges.append(RoadEdge(points, bool(props.get("oneway", False))))
    snap = r.get(data, "max_snap_m", "problem", _number, 300.0)
    return RoadNetwork(tuple(edges), snap if snap is not None else 300.0)
