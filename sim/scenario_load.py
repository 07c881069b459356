"""Reading a scenario file: every problem reported at once, each naming its key.

Messages read ``FILE: KEY: what was expected, found what``, like the gateway
configuration's (docs/configuration.md), so a scenario author fixes a file in
one pass. Profiles are loaded here, so a device whose profile the simulator
cannot serve is refused before anything starts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drivers.profile import Profile, ProfileError, Protocol, load_profile
from sim.climate import ClimateNormals
from sim.crops import CROPS, SOILS, Irrigation
from sim.fault_kinds import FAULT_KINDS, Target, check_params
from sim.point_values import SOIL_POINTS, WEATHER_POINTS
from sim.scenario import (
    BusScenario,
    BusType,
    ClockScenario,
    DeviceRole,
    DeviceScenario,
    Endpoint,
    FaultScenario,
    FieldScenario,
    IrrigationEvent,
    LatLon,
    MqttScenario,
    NoFlyZone,
    Place,
    RoadsScenario,
    Scenario,
    SiteScenario,
    VehicleScenario,
    VehicleType,
)
from sim.soil_sensing import SoilChemistry

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_GATEWAY_TABLES = ("web", "storage", "logging", "mqtt", "profiles")
Problem = Callable[[str | None, str], None]
"""Where a check reports ``(key, message)``; None for the table as a whole."""
_CLIMATE_KEYS = ("tmax_c", "tmin_c", "rain_mm", "wet_days", "rh_pct", "wind_ms", "sunshine")


class ScenarioError(Exception):
    def __init__(self, issues: list[str]) -> None:
        self.issues = issues
        super().__init__("\n".join(issues))


class _Table:
    """A TOML table being read: typed getters that record problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], path: str, issues: list[str], file: str) -> None:
        self.data = data
        self.path = path
        self.issues = issues
        self.file = file
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def problem(self, name: str | None, message: str) -> None:
        where = self.path if name is None else self.key(name)
        self.issues.append(
            f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}"
        )

    def _get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required:
                self.problem(None, f"missing required key {name!r}")
            return None
        return self.data[name]

    def string(
        self, name: str, default: str | None = None, *, required: bool = False
    ) -> str | None:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(name, f"expected a string, found {_describe(value)}")
            return default
        return value

    def number(
        self,
        name: str,
        default: float | None = None,
        *,
        required: bool = False,
        low: float | None = None,
        high: float | None = None,
        above: float | None = None,
    ) -> float | None:
        value = self._get(name, required)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.problem(name, f"expected a number, found {_describe(value)}")
            return default
        number = float(value)
        if above is not None and not number > above:
            self.problem(name, f"expected a number > {above:g}, found {_describe(value)}")
            return default
        if (low is not None and number < low) or (high is not None and number > high):
            self.problem(
                name, f"expected a number from {low:g} to {high:g}, found {_describe(value)}"
            )
            return default
        return number

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        required: bool = False,
        low: int | None = None,
        high: int | None = None,
    ) -> int | None:
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"expected an integer, found {_describe(value)}")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(name, f"expected an integer from {low} to {high}, found {value}")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(name, f"expected true or false, found {_describe(value)}")
            return default
        return value

    def table(self, name: str, *, required: bool = False) -> _Table | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(name, f"expected a table, found {_describe(value)}")
            return None
        return _Table(value, self.key(name), self.issues, self.file)

    def tables(self, name: str) -> dict[str, _Table]:
        """A table of named sub-tables (``[devices.<id>]``); ids are checked."""
        outer = self.table(name)
        if outer is None:
            return {}
        out = {}
        for child, value in outer.data.items():
            outer.used.add(child)
            if not _ID.match(child):
                outer.problem(child, "ids are 1 to 63 characters of a-z, 0-9, _ and -")
                continue
            if not isinstance(value, dict):
                outer.problem(child, f"expected a table, found {_describe(value)}")
                continue
            out[child] = _Table(value, outer.key(child), self.issues, self.file)
        return out

    def location(self, name: str, *, required: bool = True) -> LatLon | None:
        t = self.table(name, required=required)
        if t is None:
            return None
        lat = t.number("lat", required=True, low=-90, high=90)
        lon = t.number("lon", required=True, low=-180, high=180)
        t.finish()
        return None if lat is None or lon is None else LatLon(lat, lon)

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.string(name, default, required=default is None)
        if value is not None and value not in options:
            self.problem(name, f"expected one of {', '.join(options)}, found {value!r}")
            return default
        return value

    def finish(self) -> None:
        """Report keys that were never asked for: a typo is never silently ignored."""
        for name in self.data:
            if name not in self.used:
                self.problem(None, f"unknown key {name!r}")


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; ScenarioError lists every problem."""
    path = Path(path)
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError([f"{file}: cannot read the file: {exc.strerror}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{file}: TOML syntax error: {exc}"]) from None
    issues: list[str] = []
    scenario = _scenario(_Table(data, "", issues, file), path)
    if issues or scenario is None:
        raise ScenarioError(issues or [f"{file}: the scenario could not be read"])
    return scenario


def _scenario(top: _Table, path: Path) -> Scenario | None:
    head = top.table("scenario", required=True)
    name, seed = "", 1
    if head is not None:
        name = head.string("name", required=True) or ""
        seed = head.integer("seed", 1, low=0, high=2**63 - 1) or 0
        head.finish()
    site = _site(top)
    timezone = ZoneInfo(site.timezone) if site is not None else dt.UTC
    clock = _clock(top, timezone)
    climate = _climate(top)
    roads = _roads(top, path)
    buses = {bid: b for bid, t in top.tables("buses").items() if (b := _bus(bid, t)) is not None}
    vehicles = {
        vid: v
        for vid, t in top.tables("vehicles").items()
        if (v := _vehicle(vid, t, site)) is not None
    }
    devices = {
        did: d
        for did, t in top.tables("devices").items()
        if (d := _device(did, t, buses, site, vehicles)) is not None
    }
    _check_units(top, devices)
    faults = _faults(top, clock, devices, buses, vehicles)
    mqtt = _mqtt(top)
    control = _control(top)
    gateway = _gateway(top)
    top.finish()
    if site is None or clock is None or climate is None:
        return None
    return Scenario(
        path=path,
        name=name,
        seed=seed,
        clock=clock,
        site=site,
        climate=climate,
        buses=buses,
        devices=devices,
        vehicles=vehicles,
        faults=faults,
        roads=roads,
        mqtt=mqtt,
        control=control,
        gateway=gateway,
    )


def _site(top: _Table) -> SiteScenario | None:
    t = top.table("site", required=True)
    if t is None:
        return None
    site_id = t.string("id", required=True)
    if site_id is not None and not _ID.match(site_id):
        t.problem("id", "ids are 1 to 63 characters of a-z, 0-9, _ and -")
    name = t.string("name", required=True)
    timezone = t.string("timezone", "UTC") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        t.problem("timezone", f"no time zone named {timezone!r} in the system's zone database")
        timezone = "UTC"
    location = t.location("location")
    elevation = t.number("elevation_m", 0.0, low=-500, high=9000) or 0.0
    fields = {fid: f for fid, ft in t.tables("fields").items() if (f := _field(fid, ft))}
    depots = {pid: p for pid, pt in t.tables("depots").items() if (p := _place(pid, pt))}
    points = {pid: p for pid, pt in t.tables("collection_points").items() if (p := _place(pid, pt))}
    zones = {zid: z for zid, zt in t.tables("no_fly_zones").items() if (z := _zone(zid, zt))}
    t.finish()
    if site_id is None or name is None or location is None:
        return None
    return SiteScenario(site_id, name, timezone, location, elevation, fields, depots, points, zones)


def _field(fid: str, t: _Table) -> FieldScenario | None:
    name = t.string("name", required=True)
    crop = t.choice("crop", tuple(CROPS))
    area = t.number("area_ha", required=True, above=0)
    boundary = _boundary(t)
    planted = t._get("planted", True)
    if planted is not None and not (
        isinstance(planted, dt.date) and not isinstance(planted, dt.datetime)
    ):
        t.problem("planted", f"expected a date such as 2026-05-12, found {_describe(planted)}")
        planted = None
    default_soil = "Paddy" if crop == "rice" else "Loam"
    soil = t.choice("soil", SOILS, default_soil)
    default_irrigation = Irrigation.FLOODED if crop == "rice" else Irrigation.RAINFED
    irrigation = t.choice("irrigation", tuple(Irrigation), default_irrigation.value)
    chemistry = SoilChemistry(
        ec_pore_fc_ds_m=t.number("ec_pore_ds_m", 1.0, low=0, high=50) or 0.0,
        ec_surface_us_cm=t.number("ec_surface_us_cm", 60.0, low=0, high=5000) or 0.0,
        ph=t.number("ph", 6.2, low=3, high=10) or 6.2,
        nitrogen_mg_kg=t.number("nitrogen_mg_kg", 60.0, low=0, high=2000) or 0.0,
        phosphorus_mg_kg=t.number("phosphorus_mg_kg", 25.0, low=0, high=2000) or 0.0,
        potassium_mg_kg=t.number("potassium_mg_kg", 150.0, low=0, high=2000) or 0.0,
    )
    events = _irrigation_events(t)
    t.finish()
    if None in (name, crop, area, boundary, planted, soil, irrigation):
        return None
    assert name is not None
    assert crop is not None
    assert area is not None
    assert boundary is not None
    assert soil is not None
    assert irrigation is not None
    return FieldScenario(
        fid, name, crop, area, boundary, planted, soil, Irrigation(irrigation), chemistry, events
    )


def _boundary(t: _Table, key: str = "boundary") -> tuple[tuple[float, float], ...] | None:
    value = t._get(key, True)
    if value is None:
        return None
    ok = isinstance(value, list) and all(
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p)
        and -180 <= p[0] <= 180
        and -90 <= p[1] <= 90
        for p in value
    )
    if not ok:
        t.problem(key, "expected an array of [lon, lat] pairs (longitude first)")
        return None
    points = tuple((float(p[0]), float(p[1])) for p in value)
    if len(set(points)) < 3:
        t.problem(key, f"expected at least 3 distinct points, found {len(set(points))}")
        return None
    return points


def _irrigation_events(t: _Table) -> tuple[IrrigationEvent, ...]:
    value = t._get("irrigate", False)
    if value is None:
        return ()
    events = []
    if not isinstance(value, list):
        t.problem("irrigate", "expected an array of { day = DATE, mm = NUMBER }")
        return ()
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            t.problem(f"irrigate[{i}]", "expected { day = DATE, mm = NUMBER }")
            continue
        e = _Table(item, t.key(f"irrigate[{i}]"), t.issues, t.file)
        day = e._get("day", True)
        mm = e.number("mm", required=True, above=0, high=500)
        e.finish()
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            if day is not None:
                e.problem("day", f"expected a date, found {_describe(day)}")
            continue
        if mm is not None:
            events.append(IrrigationEvent(day, mm))
    return tuple(events)


def _zone(zid: str, t: _Table) -> NoFlyZone | None:
    name = t.string("name", required=True)
    polygon = _boundary(t, "polygon")
    t.finish()
    return None if name is None or polygon is None else NoFlyZone(zid, name, polygon)


def _place(pid: str, t: _Table) -> Place | None:
    name = t.string("name", required=True)
    location = t.location("location")
    t.finish()
    return None if name is None or location is None else Place(pid, name, location)


def _clock(top: _Table, timezone: dt.tzinfo) -> ClockScenario | None:
    t = top.table("clock", required=True)
    if t is None:
        return None
    start = t._get("start", True)
    speed = t.number("speed", 1.0, above=0, high=1e7) or 1.0
    t.finish()
    if isinstance(start, dt.datetime):
        # A local date-time is the site's local time, as a scenario author means it.
        return ClockScenario(start if start.tzinfo else start.replace(tzinfo=timezone), speed)
    if isinstance(start, dt.date):
        return ClockScenario(dt.datetime.combine(start, dt.time(), timezone), speed)
    if start is not None:
        t.problem(
            "start", f"expected a date-time such as 2026-07-01T06:00:00, found {_describe(start)}"
        )
    return None


def _climate(top: _Table) -> ClimateNormals | None:
    t = top.table("climate", required=True)
    if t is None:
        return None
    values: dict[str, tuple[float, ...]] = {}
    for key in _CLIMATE_KEYS:
        raw = t._get(key, True)
        if raw is None:
            continue
        if not (
            isinstance(raw, list)
            and len(raw) == 12
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        ):
            t.problem(key, "expected 12 monthly numbers, January first")
            continue
        values[key] = tuple(float(v) for v in raw)
    t.finish()
    if len(values) != len(_CLIMATE_KEYS):
        return None
    try:
        return ClimateNormals(**values)
    except ValueError as exc:
        t.problem(None, str(exc))
        return None


def _roads(top: _Table, path: Path) -> RoadsScenario | None:
    t = top.table("roads")
    if t is None:
        return None
    geojson = t.string("geojson", required=True)
    snap = t.number("max_snap_m", 300.0, above=0) or 300.0
    t.finish()
    if geojson is None:
        return None
    file = (path.parent / geojson).resolve()
    if not file.is_file():
        t.problem("geojson", f"no such file: {file}")
        return None
    return RoadsScenario(file, snap)


def _bus(bid: str, t: _Table) -> BusScenario | None:
    kind = t.choice("type", tuple(BusType))
    timeout = t.number("timeout_s", None, above=0)
    if kind is None:
        return None
    bus_type = BusType(kind)
    if bus_type is BusType.MODBUS_TCP:
        host = t.string("host", "127.0.0.1") or "127.0.0.1"
        port = t.integer("port", 0, low=0, high=65535) or 0
        latency = t.number("latency_ms", 1.0, low=0, high=10000) or 0.0
        t.finish()
        return BusScenario(
            bid, bus_type, host=host, port=port, latency_ms=latency, timeout_s=timeout
        )
    link = t.string("link", "") or ""
    baud = t.integer("baudrate", 9600)
    if baud is not None and baud not in _BAUDS:
        t.problem("baudrate", f"expected one of {', '.join(map(str, _BAUDS))}, found {baud}")
    parity = t.choice("parity", ("N", "E", "O"), "N") or "N"
    stopbits = t.integer("stopbits", 1, low=1, high=2) or 1
    bytesize = t.integer("bytesize", 8, low=7, high=8) or 8
    latency = 5.0
    if bus_type is BusType.MODBUS_RTU:
        latency = t.number("latency_ms", 5.0, low=0, high=10000) or 0.0
    t.finish()
    return BusScenario(
        bid,
        bus_type,
        link=Path(link) if link else None,
        baudrate=baud or 9600,
        parity=parity,
        stopbits=stopbits,
        bytesize=bytesize,
        latency_ms=latency,
        timeout_s=timeout,
    )


def _vehicle(vid: str, t: _Table, site: SiteScenario | None) -> VehicleScenario | None:
    kind = t.choice("type", tuple(VehicleType))
    name = t.string("name", required=True)
    depot = t.string("depot", required=True)
    if depot is not None and site is not None and depot not in site.depots:
        known = ", ".join(site.depots) or "none"
        t.problem("depot", f"no depot named {depot!r}; depots are: {known}")
        depot = None
    speed = t.number("speed_kmh", required=True, above=0, high=300)
    payload = t.number("payload_kg", required=True, above=0)
    battery = t.number("battery_wh", required=True, above=0)
    soc = t.number("soc", 1.0, low=0, high=1)
    common: dict[str, Any] = {}
    if kind == VehicleType.CART:
        common = {
            "empty_mass_kg": t.number("empty_mass_kg", 150.0, above=0),
            "rolling_resistance": t.number("rolling_resistance", 0.03, above=0, high=0.5),
            "drivetrain_efficiency": t.number("drivetrain_efficiency", 0.8, above=0, high=1),
            "aux_power_w": t.number("aux_power_w", 20.0, low=0, high=10000),
        }
    elif kind == VehicleType.DRONE:
        common = {
            "frame_kg": t.number("frame_kg", 6.0, above=0),
            "battery_kg": t.number("battery_kg", 3.0, above=0),
            "rotors": t.integer("rotors", 4, low=1, high=16),
            "rotor_diameter_m": t.number("rotor_diameter_m", 0.6, above=0, high=5),
            "efficiency": t.number("efficiency", 0.7, above=0, high=1),
            "cruise_altitude_m": t.number("cruise_altitude_m", 40.0, above=0, high=500),
        }
    t.finish()
    if (
        kind is None
        or name is None
        or depot is None
        or speed is None
        or payload is None
        or battery is None
        or soc is None
        or None in common.values()
    ):
        return None
    return VehicleScenario(
        vid, VehicleType(kind), name, depot, speed, payload, battery, soc, **common
    )


def _device(
    did: str,
    t: _Table,
    buses: Mapping[str, BusScenario],
    site: SiteScenario | None,
    vehicles: Mapping[str, VehicleScenario],
) -> DeviceScenario | None:
    profile_name = t.string("profile", required=True)
    bus_id = t.string("bus", required=True)
    unit = t.integer("unit", None, low=1, high=247)
    poll = t.number("poll_interval_s", None, above=0)
    field = t.string("field")
    vehicle = t.string("vehicle")
    depth = t.number("depth_m", 0.15, low=0.0, high=1.2)
    enabled = t.boolean("enabled", True)
    rate = t.number("rate_hz", 1.0, above=0, high=20)
    t.finish()
    bus = buses.get(bus_id) if bus_id is not None else None
    if bus_id is not None and bus is None:
        t.problem("bus", f"no bus named {bus_id!r}; buses are: {', '.join(buses) or 'none'}")
    if field is not None and site is not None and field not in site.fields:
        t.problem(
            "field", f"no field named {field!r}; fields are: {', '.join(site.fields) or 'none'}"
        )
    if vehicle is not None and vehicle not in vehicles:
        t.problem(
            "vehicle",
            f"no vehicle named {vehicle!r}; vehicles are: {', '.join(vehicles) or 'none'}",
        )
    if field is not None and vehicle is not None:
        t.problem(None, "a device has a field or a vehicle, not both")
    if profile_name is None:
        return None
    try:
        profile = load_profile(profile_name)
    except ProfileError as exc:
        t.problem("profile", str(exc))
        return None
    role = _role(t, profile, field, vehicle, vehicles)
    if bus is not None and role is not None:
        _check_bus(t, profile, bus, unit)
    if role is None or bus is None or depth is None or rate is None:
        return None
    return DeviceScenario(
        did, profile, profile_name, role, bus.id, unit, field, vehicle, depth, poll, enabled, rate
    )


def _role(
    t: _Table,
    profile: Profile,
    field: str | None,
    vehicle: str | None,
    vehicles: Mapping[str, VehicleScenario],
) -> DeviceRole | None:
    names = {p.name for p in profile.points}
    vehicle_type = vehicles[vehicle].type if vehicle is not None and vehicle in vehicles else None
    if profile.protocol is Protocol.NMEA:
        if vehicle is None:
            t.problem(None, "an NMEA GPS is simulated on a vehicle: give vehicle = ID")
            return None
        return DeviceRole.GPS
    if profile.name == "kakashi_cart_controller":
        if vehicle_type is not VehicleType.CART:
            t.problem("vehicle", "a cart controller sits on a vehicle of type cart")
            return None
        return DeviceRole.CART_CONTROLLER
    if profile.name == "kakashi_drone_battery":
        if vehicle_type is not VehicleType.DRONE:
            t.problem("vehicle", "a drone battery belongs to a vehicle of type drone")
            return None
        return DeviceRole.DRONE_BATTERY
    if profile.protocol is Protocol.MODBUS and names & set(SOIL_POINTS) and field is not None:
        return DeviceRole.SOIL_PROBE
    if profile.protocol is Protocol.MODBUS and names & set(WEATHER_POINTS):
        return DeviceRole.WEATHER_STATION
    if names & set(SOIL_POINTS):
        t.problem("field", f"profile {profile.name} is a soil probe: give field = ID")
        return None
    t.problem("profile", f"the simulator has no model for profile {profile.name}")
    return None


def _check_bus(t: _Table, profile: Profile, bus: BusScenario, unit: int | None) -> None:
    if profile.protocol is Protocol.MODBUS:
        if bus.type is BusType.SERIAL_LINES:
            t.problem(
                "bus",
                f"bus {bus.id} is serial_lines; a Modbus device needs modbus_tcp or modbus_rtu",
            )
        if unit is None:
            t.problem(None, "missing required key 'unit' (a Modbus device needs its unit id)")
    else:
        if bus.type is not BusType.SERIAL_LINES:
            t.problem(
                "bus",
                f"an {profile.protocol} device needs a serial_lines bus, {bus.id} is {bus.type}",
            )
        if unit is not None:
            t.problem("unit", "a device on a serial_lines bus has no unit id")


def _check_units(top: _Table, devices: Mapping[str, DeviceScenario]) -> None:
    seen: dict[tuple[str, int], str] = {}
    lines: dict[str, str] = {}
    for device in devices.values():
        if device.unit is not None:
            other = seen.setdefault((device.bus, device.unit), device.id)
            if other != device.id:
                top.problem(
                    f"devices.{device.id}.unit",
                    f"unit {device.unit} on bus {device.bus} is already device {other}'s",
                )
        if device.role is DeviceRole.GPS:
            other = lines.setdefault(device.bus, device.id)
            if other != device.id:
                top.problem(
                    f"devices.{device.id}.bus",
                    f"serial_lines bus {device.bus} already carries device {other}",
                )


def _faults(
    top: _Table,
    clock: ClockScenario | None,
    devices: Mapping[str, DeviceScenario],
    buses: Mapping[str, BusScenario],
    vehicles: Mapping[str, VehicleScenario],
) -> tuple[FaultScenario, ...]:
    raw = top._get("faults", False)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        top.problem("faults", "expected an array of tables ([[faults]])")
        return ()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            top.problem(f"faults[{i}]", "expected a table")
            continue
        t = _Table(item, f"faults[{i}]", top.issues, top.file)
        start = clock.start if clock else None
        fault = fault_from_mapping(item, devices, buses, vehicles, start, t.problem)
        if fault is not None:
            out.append(fault)
    return tuple(out)


def fault_from_mapping(
    item: Mapping[str, Any],
    devices: Mapping[str, DeviceScenario],
    buses: Mapping[str, BusScenario],
    vehicles: Mapping[str, VehicleScenario],
    start: dt.datetime | None,
    problem: Problem,
    *,
    now_s: float | None = None,
) -> FaultScenario | None:
    """A fault from a scenario table or a control API request; problems go to ``problem``.

    ``at`` (a date-time) or ``after_s`` (simulated seconds from the start) says
    when; through the control API, leaving both out means now (``now_s``).
    """
    reported = False

    def fail(key: str | None, message: str) -> None:
        nonlocal reported
        reported = True
        problem(key, message)

    kind_name = item.get("kind")
    kind = FAULT_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        fail("kind", f"expected one of {', '.join(FAULT_KINDS)}, found {kind_name!r}")
        return None
    target = item.get("target")
    if not isinstance(target, str):
        fail("target", f"expected the id of {kind.target}, found {target!r}")
        return None
    _check_target(kind.name, kind.target, kind.rtu_only, target, devices, buses, vehicles, fail)
    at_s = _when(item, start, now_s, fail)
    duration = item.get("duration_s")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int | float) or not duration > 0
    ):
        fail("duration_s", f"expected a number > 0, found {duration!r}")
        duration = None
    if duration is None and kind.needs_duration:
        fail("duration_s", f"{kind.name} needs a duration")
    if duration is not None and not kind.allows_duration:
        fail("duration_s", f"{kind.name} lasts; it takes no duration")
    params = {
        k: v for k, v in item.items() if k not in ("kind", "target", "at", "after_s", "duration_s")
    }
    for message in check_params(kind, params):
        fail(None, message)
    if kind.name == "spike" and isinstance(params.get("point"), str) and target in devices:
        names = {p.name for p in devices[target].profile.points}
        if params["point"] not in names:
            fail("point", f"device {target} has no point {params['point']!r}")
    if reported or at_s is None:
        return None
    return FaultScenario(
        kind.name, target, at_s, None if duration is None else float(duration), params
    )


def _check_target(
    kind: str,
    target_kind: Target,
    rtu_only: bool,
    target: str,
    devices: Mapping[str, DeviceScenario],
    buses: Mapping[str, BusScenario],
    vehicles: Mapping[str, VehicleScenario],
    fail: Problem,
) -> None:
    if target_kind is Target.BUS:
        if target not in buses:
            fail("target", f"{kind} targets a bus; buses are: {', '.join(buses) or 'none'}")
        return
    if target_kind in (Target.VEHICLE, Target.CART):
        if target not in vehicles:
            fail(
                "target", f"{kind} targets a vehicle; vehicles are: {', '.join(vehicles) or 'none'}"
            )
        elif target_kind is Target.CART and not any(
            d.role is DeviceRole.CART_CONTROLLER and d.vehicle == target for d in devices.values()
        ):
            fail("target", f"{kind} targets a cart with a controller; {target} has none")
        return
    device = devices.get(target)
    if device is None:
        fail("target", f"{kind} targets {target_kind}; devices are: {', '.join(devices) or 'none'}")
        return
    modbus = device.role is not DeviceRole.GPS
    sensor = device.role in (DeviceRole.SOIL_PROBE, DeviceRole.WEATHER_STATION)
    fits = {
        Target.MODBUS_DEVICE: modbus,
        Target.SENSOR_DEVICE: sensor,
        Target.GPS_DEVICE: device.role is DeviceRole.GPS,
        Target.DEVICE: True,
    }[target_kind]
    if not fits:
        fail("target", f"{kind} targets {target_kind}; {target} is a {device.role}")
    elif rtu_only and buses[device.bus].type is not BusType.MODBUS_RTU:
        fail("target", f"{kind} needs a device on a modbus_rtu bus; {target} is on {device.bus}")


def _when(
    item: Mapping[str, Any], start: dt.datetime | None, now_s: float | None, fail: Problem
) -> float | None:
    at, after = item.get("at"), item.get("after_s")
    if at is not None and after is not None:
        fail(None, "give at or after_s, not both")
        return None
    if after is not None:
        if isinstance(after, bool) or not isinstance(after, int | float) or after < 0:
            fail("after_s", f"expected a number >= 0, found {after!r}")
            return None
        return float(after)
    if at is not None:
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                fail("at", f"expected an ISO 8601 date-time, found {at!r}")
                return None
        if not isinstance(at, dt.datetime) or start is None:
            fail("at", f"expected a date-time, found {at!r}")
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=start.tzinfo)
        return max(0.0, (at - start).total_seconds())
    if now_s is not None:
        return now_s
    fail(None, "missing 'at' (a date-time) or 'after_s' (seconds after the start)")
    return None


def _mqtt(top: _Table) -> MqttScenario | None:
    t = top.table("mqtt")
    if t is None:
        return None
    host = t.string("host", "127.0.0.1") or "127.0.0.1"
    port = t.integer("port", 1883, low=1, high=65535) or 1883
    base = t.string("base_topic", "kakashi") or "kakashi"
    if "+" in base or "#" in base or base.startswith("/") or base.endswith("/"):
        t.problem("base_topic", f"no + or #, no / at either end, found {base!r}")
    t.finish()
    return MqttScenario(host, port, base)


def _control(top: _Table) -> Endpoint:
    t = top.table("control")
    if t is None:
        return Endpoint("127.0.0.1", 0)
    host = t.string("host", "127.0.0.1") or "127.0.0.1"
    port = t.integer("port", 0, low=0, high=65535) or 0
    t.finish()
    return Endpoint(host, port)


def _gateway(top: _Table) -> dict[str, object]:
    t = top.table("gateway")
    if t is None:
        return {}
    out: dict[str, object] = {}
    for name in _GATEWAY_TABLES:
        value = t.table(name)
        if value is not None:
            value.used.update(value.data)
            out[name] = dict(value.data)
    t.finish()
    return out


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (boolean)"
    if isinstance(value, str):
        return f"{value!r} (string)"
    if isinstance(value, int):
        return f"{value} (integer)"
    if isinstance(value, float):
        return f"{value} (float)"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat()} (date-time)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (date)"
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    if isinstance(value, dict):
        return "a table"
    return repr(value)
