"""The one TOML configuration file of a site, validated at start."""

from edge.config.check import check_config_main
from edge.config.errors import ConfigError, ConfigIssue
from edge.config.load import load_config, parse_config
from edge.config.schema import (
    Bus,
    Config,
    Device,
    FieldConfig,
    Location,
    Logging,
    ModbusRtuBus,
    ModbusRtuOverTcpBus,
    ModbusTcpBus,
    Mqtt,
    Place,
    Profiles,
    SerialLinesBus,
    Site,
    Sparkplug,
    Storage,
    Tls,
    Vehicle,
    Web,
)

__all__ = [
    "Bus",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "Device",
    "FieldConfig",
    "Location",
    "Logging",
    "ModbusRtuBus",
    "ModbusRtuOverTcpBus",
    "ModbusTcpBus",
    "Mqtt",
    "Place",
    "Profiles",
    "SerialLinesBus",
    "Site",
    "Sparkplug",
    "Storage",
    "Tls",
    "Vehicle",
    "Web",
    "check_config_main",
    "load_config",
    "parse_config",
]
