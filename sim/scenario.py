"""A scenario: the place, its fields, sensors, vehicles and faults, as plain data.

Its ``[site]``, ``[buses]``, ``[devices]`` and ``[vehicles]`` tables are the
gateway configuration's (docs/configuration.md) plus keys only the simulator
reads (soil, irrigation, depths, vehicle physics); ``sim.gateway_config``
writes the gateway's file from it. The file format is in docs/simulator.md;
``sim.scenario_load`` reads and checks it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from drivers.profile import Profile
from sim.climate import ClimateNormals
from sim.crops import Irrigation
from sim.soil_sensing import SoilChemistry


@dataclass(frozen=True, slots=True)
class LatLon:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class IrrigationEvent:
    day: dt.date
    mm: float


@dataclass(frozen=True, slots=True)
class FieldScenario:
    id: str
    name: str
    crop: str
    area_ha: float
    boundary: tuple[tuple[float, float], ...]
    """``(lon, lat)`` pairs, GeoJSON order, as in the gateway configuration."""
    planted: dt.date
    soil: str
    irrigation: Irrigation
    chemistry: SoilChemistry
    irrigate: tuple[IrrigationEvent, ...] = ()

    @property
    def centre(self) -> LatLon:
        lons = [p[0] for p in self.boundary]
        lats = [p[1] for p in self.boundary]
        return LatLon(sum(lats) / len(lats), sum(lons) / len(lons))


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    location: LatLon


@dataclass(frozen=True, slots=True)
class NoFlyZone:
    """Passed through to the gateway's configuration; the simulated drone does
    not police it (the planner routes around it)."""

    id: str
    name: str
    polygon: tuple[tuple[float, float], ...]
    """``(lon, lat)`` pairs, GeoJSON order."""


@dataclass(frozen=True, slots=True)
class SiteScenario:
    id: str
    name: str
    timezone: str
    location: LatLon
    elevation_m: float
    fields: dict[str, FieldScenario]
    depots: dict[str, Place]
    collection_points: dict[str, Place]
    no_fly_zones: dict[str, NoFlyZone] = field(default_factory=dict)


class BusType(StrEnum):
    MODBUS_TCP = "modbus_tcp"
    MODBUS_RTU = "modbus_rtu"
    SERIAL_LINES = "serial_lines"


@dataclass(frozen=True, slots=True)
class BusScenario:
    id: str
    type: BusType
    host: str = "127.0.0.1"
    port: int = 0
    """TCP port to listen on; 0 picks a free one."""
    link: Path | None = None
    """Serial buses: where to put the symlink to the pty clients open (None: a
    runtime directory of the simulator's own)."""
    baudrate: int = 9600
    parity: str = "N"
    stopbits: int = 1
    bytesize: int = 8
    latency_ms: float = 5.0
    """How long a slave on this bus takes to start answering."""
    timeout_s: float | None = None
    """Passed to the gateway configuration only."""


class DeviceRole(StrEnum):
    SOIL_PROBE = "soil_probe"
    WEATHER_STATION = "weather_station"
    CART_CONTROLLER = "cart_controller"
    DRONE_BATTERY = "drone_battery"
    GPS = "gps"


@dataclass(frozen=True, slots=True)
class DeviceScenario:
    id: str
    profile: Profile
    profile_name: str
    role: DeviceRole
    bus: str
    unit: int | None = None
    field: str | None = None
    vehicle: str | None = None
    depth_m: float = 0.15
    poll_interval_s: float | None = None
    enabled: bool = True
    rate_hz: float = 1.0
    """NMEA receivers: fixes per second."""


class VehicleType(StrEnum):
    CART = "cart"
    DRONE = "drone"


@dataclass(frozen=True, slots=True)
class VehicleScenario:
    id: str
    type: VehicleType
    name: str
    depot: str
    speed_kmh: float
    payload_kg: float
    battery_wh: float
    soc: float = 1.0
    """State of charge at the start, 0..1."""
    empty_mass_kg: float = 150.0
    """Carts: mass without payload."""
    rolling_resistance: float = 0.03
    drivetrain_efficiency: float = 0.8
    aux_power_w: float = 20.0
    frame_kg: float = 6.0
    """Drones: frame mass without battery (Dorling et al.'s W)."""
    battery_kg: float = 3.0
    rotors: int = 4
    rotor_diameter_m: float = 0.6
    efficiency: float = 0.7
    cruise_altitude_m: float = 40.0


@dataclass(frozen=True, slots=True)
class FaultScenario:
    kind: str
    target: str
    at_s: float
    """Simulated seconds after the clock's start."""
    duration_s: float | None
    """None: until the end of the run."""
    params: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class MqttScenario:
    host: str
    port: int
    base_topic: str = "kakashi"


@dataclass(frozen=True, slots=True)
class ClockScenario:
    start: dt.datetime
    """Aware datetime: where simulated time begins."""
    speed: float = 1.0


@dataclass(frozen=True, slots=True)
class RoadsScenario:
    geojson: Path
    max_snap_m: float = 300.0


@dataclass(frozen=True, slots=True)
class Scenario:
    path: Path
    name: str
    seed: int
    clock: ClockScenario
    site: SiteScenario
    climate: ClimateNormals
    buses: dict[str, BusScenario]
    devices: dict[str, DeviceScenario]
    vehicles: dict[str, VehicleScenario]
    faults: tuple[FaultScenario, ...] = ()
    roads: RoadsScenario | None = None
    mqtt: MqttScenario | None = None
    control: Endpoint = Endpoint("127.0.0.1", 0)
    gateway: dict[str, object] = field(default_factory=dict)
    """Tables copied as they are into the gateway configuration ([web], [storage] ...)."""
