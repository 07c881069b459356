"""The configuration file's tables as frozen models: one class per kind of table.

Every key of the file is a field here; a key that is not one is an error, so a
typo never silently falls back to a default. Cross-references between tables
(a device's bus, a vehicle's depot) are checked in ``references``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import AllowInfNan, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from edge.config.values import (
    BatchSize,
    Baudrate,
    Boundary,
    ByteSize,
    Crop,
    FilePath,
    Flag,
    Id,
    Irrigation,
    KeepAlive,
    Latitude,
    ListenPort,
    LocalDate,
    LogLevel,
    Longitude,
    ModbusUnit,
    MqttProtocol,
    MqttTopic,
    NonNegative,
    OptionalFilePath,
    OptionalText,
    Parity,
    Paths,
    Positive,
    PositiveInt,
    SoilTexture,
    StopBits,
    TcpPort,
    Text,
    TimeZone,
    VehicleType,
    custom_error,
    expect,
)


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(Table):
    lat: Latitude
    lon: Longitude


class FieldConfig(Table):
    name: Text
    crop: Crop
    area_ha: Positive
    boundary: Boundary
    """``(lon, lat)`` pairs, GeoJSON order."""
    planted: LocalDate | None = None
    soil_texture: SoilTexture | None = None
    """What no sensor measures: with irrigation, it narrows the yield forecast early
    in the season (models/context.py)."""
    irrigation: Irrigation | None = None

    @model_validator(mode="after")
    def _soil_and_irrigation_together(self) -> FieldConfig:
        if (self.soil_texture is None) != (self.irrigation is None):
            raise custom_error(
                "soil_texture and irrigation go together: the yield forecast uses both or neither"
            )
        return self


class Place(Table):
    name: Text
    location: Location


class NoFlyZone(Table):
    name: Text
    polygon: Boundary
    """``(lon, lat)`` pairs, GeoJSON order, like field boundaries."""


class Site(Table):
    id: Id
    name: Text
    timezone: TimeZone = "UTC"
    location: Location | None = None
    fields: Mapping[Id, FieldConfig] = {}
    depots: Mapping[Id, Place] = {}
    """Where vehicles start and end their routes."""
    collection_points: Mapping[Id, Place] = {}
    no_fly_zones: Mapping[Id, NoFlyZone] = {}
    """Airspace drones must route around (a school, a shrine, power lines)."""
    roads: OptionalFilePath = None
    """GeoJSON LineStrings carts drive on; without it carts use straight lines
    times the planner's detour factor."""


class _BusCommon(Table):
    timeout_s: Positive = 1.0


class _LineSettings(Table):
    """How characters travel on a serial line: the port's own, or the line behind
    a serial server (which sets the RTU frame timing)."""

    baudrate: Baudrate = 9600
    parity: Parity = "N"
    stopbits: StopBits = 1
    bytesize: ByteSize = 8


class _RtuTiming(Table):
    frame_gap_ms: NonNegative | None = None
    """None: the drivers derive the gap from the baud rate (3.5 characters)."""


class ModbusTcpBus(_BusCommon):
    type: Literal["modbus_tcp"]
    host: Text
    port: TcpPort


class ModbusRtuOverTcpBus(_BusCommon, _LineSettings, _RtuTiming):
    """RTU frames (with CRC) tunnelled through a TCP serial server."""

    type: Literal["modbus_rtu_over_tcp"]
    host: Text
    port: TcpPort


class ModbusRtuBus(_BusCommon, _LineSettings, _RtuTiming):
    type: Literal["modbus_rtu"]
    port: Text
    """The device path, e.g. ``/dev/ttyAMA0``."""
    rs485_rts: Flag = False
    """Drive RTS for the transmit direction (a Pi UART with a bare MAX485)."""


class SerialLinesBus(_BusCommon, _LineSettings):
    """A serial port carrying text lines (NMEA 0183, ASCII), one device per port."""

    type: Literal["serial_lines"]
    port: Text


Bus = Annotated[
    ModbusTcpBus | ModbusRtuBus | ModbusRtuOverTcpBus | SerialLinesBus,
    Field(discriminator="type"),
]
BusType = Literal["modbus_tcp", "modbus_rtu", "modbus_rtu_over_tcp", "serial_lines"]
MODBUS_BUS_TYPES: frozenset[str] = frozenset({"modbus_tcp", "modbus_rtu", "modbus_rtu_over_tcp"})
LINE_BUS_TYPES: frozenset[str] = frozenset({"serial_lines"})


class Device(Table):
    profile: Text
    bus: Text
    unit: ModbusUnit | None = None
    """The Modbus unit (slave) address; required on Modbus buses, absent otherwise."""
    poll_interval_s: Positive = 10.0
    field: Text | None = None
    vehicle: Text | None = None
    depth_m: Positive | None = None
    """A soil probe's depth: the forecaster takes the shallowest probe of a field as
    its topsoil reading and the next as the deeper one."""
    enabled: Flag = True


class Vehicle(Table):
    type: VehicleType
    name: Text
    depot: Text
    speed_kmh: Positive
    payload_kg: Positive
    battery_wh: Positive


class Tls(Table):
    ca_file: OptionalFilePath = None
    cert_file: OptionalFilePath = None
    key_file: OptionalFilePath = None

    @model_validator(mode="after")
    def _cert_with_key(self) -> Tls:
        if (self.cert_file is None) != (self.key_file is None):
            raise custom_error("cert_file and key_file go together: give both or neither")
        return self


OutboxShare = Annotated[
    float,
    AllowInfNan(False),
    Gt(0),
    Le(0.9),
    expect("a number greater than 0 and at most 0.9", int, float),
]
"""The outbox shares the database's disk budget with the readings; it may not take all of it."""
InflightWindow = Annotated[int, Ge(1), Le(1000), expect("an integer from 1 to 1000", int)]
SparkplugId = Annotated[
    str,
    StringConstraints(pattern=r"^[^/+#\x00]+$"),
    expect("a Sparkplug id: a non-empty string without '/', '+' or '#'", str),
]
OptionalSparkplugId = Annotated[
    str,
    StringConstraints(pattern=r"^[^/+#\x00]*$"),
    expect("a Sparkplug id without '/', '+' or '#', or \"\"", str),
]


class Sparkplug(Table):
    """Sparkplug B 3.0 output for SCADA hosts, instead of JSON readings."""

    enabled: Flag = False
    group_id: SparkplugId = "kakashi"
    node_id: OptionalSparkplugId = ""
    """Empty: the site id (see ``Config.sparkplug_node_id``)."""


class Mqtt(Table):
    enabled: Flag = False
    host: Text = "localhost"
    port: TcpPort = 1883
    protocol: MqttProtocol = "5"
    client_id: OptionalText = ""
    """Empty: ``kakashi-<site.id>`` (see ``Config.mqtt_client_id``)."""
    username: OptionalText = ""
    password_file: OptionalFilePath = None
    """The password lives in its own file so the configuration can be shared."""
    base_topic: MqttTopic = "kakashi"
    keepalive_s: KeepAlive = 60
    tls: Tls | None = None
    ha_discovery: Flag = True
    ha_discovery_prefix: MqttTopic = "homeassistant"
    commands: Flag = True
    """Accept orders and plan requests on ``<base_topic>/<site>/commands/#``."""
    outbox_share: OutboxShare = 0.25
    """Share of ``[storage] disk_budget_mb`` the outbox may fill while the broker is away."""
    backlog_rate: Positive = 50.0
    """Messages per second drained from the backlog after an outage, on top of live data."""
    max_inflight: InflightWindow = 32
    """Messages published and not yet acknowledged by the broker, at most."""
    reconnect_max_s: Positive = 60.0
    sparkplug: Sparkplug = Sparkplug()

    @model_validator(mode="after")
    def _password_with_user(self) -> Mqtt:
        # MQTT sends a password only together with a user name (3.1.1, 3.1.2.9).
        if self.password_file is not None and not self.username:
            raise custom_error("password_file needs a username: MQTT sends no password without one")
        return self


class Web(Table):
    host: Text = "127.0.0.1"
    port: ListenPort = 8080
    """0 asks the system for a free port (the demo and tests do)."""
    session_hours: Positive = 12.0
    """A browser session ends after this long without a request."""
    session_max_days: Positive = 30.0
    """... and this long after signing in, however active."""
    tls_cert_file: OptionalFilePath = None
    """With ``tls_key_file``: serve HTTPS (session cookies are then marked Secure)."""
    tls_key_file: OptionalFilePath = None

    @model_validator(mode="after")
    def _cert_with_key(self) -> Web:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise custom_error("tls_cert_file and tls_key_file go together: give both or neither")
        return self


class Storage(Table):
    path: FilePath = Path("var/kakashi.db")
    """Relative paths are relative to the working directory."""
    raw_retention_days: Positive = 30.0
    disk_budget_mb: PositiveInt = 1024
    batch_max: BatchSize = 500
    batch_wait_s: NonNegative = 1.0


class Profiles(Table):
    extra_dirs: Paths = ()
    """More device-profile directories; relative paths are relative to the working directory."""


class Logging(Table):
    level: LogLevel = "info"


class Config(Table):
    site: Site
    buses: Mapping[Id, Bus] = {}
    devices: Mapping[Id, Device] = {}
    vehicles: Mapping[Id, Vehicle] = {}
    mqtt: Mqtt = Mqtt()
    web: Web = Web()
    storage: Storage = Storage()
    profiles: Profiles = Profiles()
    logging: Logging = Logging()

    @property
    def mqtt_client_id(self) -> str:
        return self.mqtt.client_id or f"kakashi-{self.site.id}"

    @property
    def sparkplug_node_id(self) -> str:
        return self.mqtt.sparkplug.node_id or self.site.id
