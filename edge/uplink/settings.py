"""The uplink's settings, taken from the ``[mqtt]`` section (and a few fixed choices)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.config import Config
from edge.uplink.topics import Topics

BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class TlsFiles:
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


@dataclass(frozen=True, slots=True)
class SparkplugSettings:
    group_id: str
    node_id: str


@dataclass(frozen=True, slots=True)
class UplinkSettings:
    host: str
    port: int
    client_id: str
    topics: Topics
    protocol: str = "5"
    username: str = ""
    password_file: Path | None = None
    tls: TlsFiles | None = None
    keepalive_s: int = 60
    backlog_rate: float = 50.0
    """Messages per second drained from the backlog, on top of live messages."""
    max_inflight: int = 32
    ack_timeout_s: float = 30.0
    """A broker that acknowledges nothing for this long is treated as gone."""
    reconnect_initial_s: float = 1.0
    reconnect_max_s: float = 60.0
    stable_after_s: float = 30.0
    """A connection that lasted this long resets the reconnect backoff."""
    session_expiry_s: int = 86_400
    """MQTT 5: how long the broker keeps the session (and queued commands) while away."""
    commands: bool = True
    ha_discovery: bool = True
    ha_prefix: str = "homeassistant"
    sparkplug: SparkplugSettings | None = None
    device_state_period_s: float = 10.0
    gateway_period_s: float = 30.0

    @classmethod
    def from_config(cls, config: Config) -> UplinkSettings:
        mqtt = config.mqtt
        tls = None
        if mqtt.tls is not None:
            tls = TlsFiles(mqtt.tls.ca_file, mqtt.tls.cert_file, mqtt.tls.key_file)
        sparkplug = None
        if mqtt.sparkplug.enabled:
            sparkplug = SparkplugSettings(mqtt.sparkplug.group_id, config.sparkplug_node_id)
        return cls(
            host=mqtt.host,
            port=mqtt.port,
            client_id=config.mqtt_client_id,
            topics=Topics.for_site(mqtt.base_topic, config.site.id),
            protocol=mqtt.protocol,
            username=mqtt.username,
            password_file=mqtt.password_file,
            tls=tls,
            keepalive_s=mqtt.keepalive_s,
            backlog_rate=mqtt.backlog_rate,
            max_inflight=mqtt.max_inflight,
            reconnect_max_s=mqtt.reconnect_max_s,
            reconnect_initial_s=min(1.0, mqtt.reconnect_max_s),
            commands=mqtt.commands,
            ha_discovery=mqtt.ha_discovery,
            ha_prefix=mqtt.ha_discovery_prefix,
            sparkplug=sparkplug,
        )


def outbox_budget_bytes(config: Config) -> int:
    """The outbox's share of the database's disk budget."""
    return int(config.storage.disk_budget_mb * BYTES_PER_MB * config.mqtt.outbox_share)
