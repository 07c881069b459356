"""Home Assistant discovery: documented keys only, valid unit/class pairs, working
templates, re-sent when HA restarts, removed when a device is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2

from drivers.reading import Quality, Reading
from edge.config import Config, parse_config
from edge.uplink.catalog import device_catalog
from edge.uplink.discovery import Discovery
from edge.uplink.live import LatestValues
from edge.uplink.topics import Topics
from tests.conftest import Mosquitto
from tests.edge.uplink.support import BASE, T0, Subscriber, open_storage, running, site_config

# From the Home Assistant documentation of MQTT sensors and binary sensors
# (home-assistant.io, integrations sensor.mqtt and binary_sensor.mqtt,
# "Configuration Variables"), and of discovery's origin ("o") map.
COMMON_KEYS = {
    "availability",
    "availability_mode",
    "availability_template",
    "availability_topic",
    "device",
    "device_class",
    "enabled_by_default",
    "encoding",
    "entity_category",
    "entity_picture",
    "expire_after",
    "force_update",
    "icon",
    "json_attributes_template",
    "json_attributes_topic",
    "name",
    "object_id",
    "default_entity_id",
    "origin",
    "payload_available",
    "payload_not_available",
    "platform",
    "qos",
    "state_topic",
    "unique_id",
    "value_template",
}
SENSOR_KEYS = COMMON_KEYS | {
    "last_reset_value_template",
    "options",
    "state_class",
    "suggested_display_precision",
    "unit_of_measurement",
}
BINARY_SENSOR_KEYS = COMMON_KEYS | {"off_delay", "payload_off", "payload_on"}
DEVICE_KEYS = {
    "configuration_url",
    "connections",
    "hw_version",
    "identifiers",
    "manufacturer",
    "model",
    "model_id",
    "name",
    "serial_number",
    "suggested_area",
    "sw_version",
    "via_device",
}
AVAILABILITY_KEYS = {"payload_available", "payload_not_available", "topic", "value_template"}
ORIGIN_KEYS = {"name", "sw_version", "support_url"}
STATE_CLASSES = {"measurement", "total", "total_increasing"}
# Units HA accepts per sensor device class (developers.home-assistant.io, sensor entity).
UNITS: dict[str, set[str | None]] = {
    "temperature": {"°C", "°F", "K"},
    "voltage": {"V", "mV", "µV", "kV", "MV"},
    "current": {"A", "mA"},
    "power": {"W", "kW", "MW", "GW", "TW", "mW", "BTU/h"},
    "energy_storage": {"Wh", "kWh", "MWh", "GWh", "TWh", "J", "kJ", "MJ", "GJ"},
    "irradiance": {"W/m²", "BTU/(h⋅ft²)"},
    "atmospheric_pressure": {"cbar", "bar", "hPa", "mmHg", "inHg", "kPa", "mbar", "Pa", "psi"},
    "illuminance": {"lx"},
    "precipitation": {"cm", "in", "mm"},
    "conductivity": {"S/cm", "mS/cm", "µS/cm"},
    "ph": {None},
    "duration": {"d", "h", "min", "s", "ms"},
    "weight": {"kg", "g", "mg", "µg", "oz", "lb", "st"},
    "distance": {"km", "m", "cm", "mm", "mi", "yd", "in", "ft"},
    "moisture": {"%"},
    "humidity": {"%"},
    "battery": {"%"},
    "wind_speed": {"Beaufort", "ft/s", "km/h", "kn", "m/s", "mph"},
    "speed": {"ft/s", "km/h", "kn", "m/s", "mph", "in/d", "in/h", "mm/d", "mm/h"},
}
TOPIC = re.compile(
    r"^homeassistant/(sensor|binary_sensor)/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)/config$"
)

DEVICES = """
[buses.sim-tcp]
type = "modbus_tcp"
host = "127.0.0.1"
port = 5020

[buses.gps]
type = "serial_lines"
port = "/dev/ttyUSB0"

[devices.soil-1]
profile = "dfrobot_sen0604"
bus = "sim-tcp"
unit = 1

[devices.meteo]
profile = "lambrecht_meteo_pro"
bus = "sim-tcp"
unit = 2

[devices.cart-1-ctl]
profile = "kakashi_cart_controller"
bus = "sim-tcp"
unit = 3

[devices.battery]
profile = "victron_gx_system"
bus = "sim-tcp"
unit = 100

[devices.gnss]
profile = "nmea_gps"
bus = "gps"
"""


def config_with_devices(port: int = 1883) -> Config:
    return parse_config(
        f'[site]\nid = "yamakawa"\nname = "Yamakawa"\n[mqtt]\nport = {port}\n' + DEVICES,
        "site.toml",
    )


def discovery_of(config: Config) -> Discovery:
    return Discovery(
        "homeassistant",
        Topics.for_site("kakashi", "yamakawa"),
        "yamakawa",
        "Yamakawa",
        device_catalog(config),
        device_availability=True,
        sw_version="0.1.0",
    )


def test_every_point_has_one_entity_with_documented_keys_only() -> None:
    site = config_with_devices()
    catalog = device_catalog(site)
    configs = discovery_of(site).configs()
    points = {(d.id, p.name) for d in catalog.values() for p in d.points}
    assert len(configs) == len(points) + 1  # and the gateway's own backlog sensor
    assert len({c["unique_id"] for c in configs.values()}) == len(configs)
    for topic, config in configs.items():
        match = TOPIC.match(topic)
        assert match, topic
        component = match.group(1)
        allowed = SENSOR_KEYS if component == "sensor" else BINARY_SENSOR_KEYS
        assert set(config) <= allowed, (topic, set(config) - allowed)
        assert {"name", "unique_id", "state_topic", "value_template", "device"} <= set(config)
        assert set(config["device"]) <= DEVICE_KEYS
        assert config["device"]["identifiers"]
        assert set(config["origin"]) <= ORIGIN_KEYS
        for entry in config.get("availability", []):
            assert set(entry) <= AVAILABILITY_KEYS
            assert "topic" in entry
        assert not ("availability" in config and "availability_topic" in config)
        if "state_class" in config:
            assert config["state_class"] in STATE_CLASSES
        if "device_class" in config:
            assert config.get("unit_of_measurement") in UNITS[config["device_class"]], topic
        if "entity_category" in config:
            assert config["entity_category"] == "diagnostic"
        json.dumps(config, allow_nan=False)


def test_classes_where_the_units_say_so() -> None:
    configs = discovery_of(config_with_devices()).configs()

    def entity(device: str, point: str) -> dict[str, Any]:
        (found,) = [c for t, c in configs.items() if t.endswith(f"/{device}_{point}/config")]
        return found

    assert entity("soil-1", "moisture")["device_class"] == "moisture"
    assert entity("soil-1", "temperature")["unit_of_measurement"] == "°C"
    assert entity("soil-1", "ph")["device_class"] == "ph"
    assert "unit_of_measurement" not in entity("soil-1", "ph")
    assert entity("soil-1", "ec")["device_class"] == "conductivity"
    assert entity("meteo", "wind_speed")["device_class"] == "wind_speed"
    assert entity("gnss", "latitude")["unit_of_measurement"] == "°"
    assert "state_class" not in entity("gnss", "latitude")
    assert entity("soil-1", "moisture")["expire_after"] == 35  # 3 polls of 10 s + 5 s


def render(template: str, payload: bytes) -> str:
    """As HA renders an MQTT value template: Jinja with ``value_json``."""
    return jinja2.Environment().from_string(template).render(value_json=json.loads(payload))


def test_templates_read_the_latest_values_topic() -> None:
    site = config_with_devices()
    catalog = device_catalog(site)
    configs = discovery_of(site).configs()
    latest = LatestValues(Topics.for_site("kakashi", "yamakawa"), catalog)
    latest.update(
        [
            Reading("soil-1", "moisture", T0, 65.8, "%"),
            Reading("soil-1", "temperature", T0, None, "°C", Quality.INVALID),
            Reading("cart-1-ctl", "estop_active", T0, 1.0, "bool"),
        ]
    )
    payloads = {p.topic: p.payload for p in latest.all()}

    def state(device: str, point: str) -> str:
        (config,) = [c for t, c in configs.items() if t.endswith(f"/{device}_{point}/config")]
        return render(config["value_template"], payloads[config["state_topic"]])

    assert state("soil-1", "moisture") == "65.8"
    assert state("soil-1", "temperature") == "None"  # HA: unknown
    assert state("soil-1", "ph") == "None"  # never read yet
    assert state("cart-1-ctl", "estop_active") == "ON"
    assert state("cart-1-ctl", "estop_button") == "None"


async def test_discovery_is_sent_retained_again_on_ha_birth_and_removed_with_a_device(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    db = tmp_path / "k.db"
    config = site_config(mosquitto.port)
    moisture = "homeassistant/sensor/kakashi_yamakawa/soil-1_moisture/config"
    with open_storage(db, config) as storage:
        async with (
            Subscriber(mosquitto.port, ["homeassistant/#"], persistent=False) as sub,
            running(config, storage) as up,
        ):
            await sub.wait_for(lambda ms: any(m.topic == moisture for m in ms))
            first = len([m for m in sub.messages if m.topic == moisture])
            assert sub.client is not None
            await sub.client.publish("homeassistant/status", b"online", qos=1)
            await sub.wait_for(lambda ms: len([m for m in ms if m.topic == moisture]) > first)
            assert up.state == "connected"
        async with Subscriber(
            mosquitto.port, [moisture], client_id="late", persistent=False
        ) as late:
            await late.wait_for(lambda ms: len(ms) >= 1)
            assert late.messages[0].retain

    # The same gateway restarted without the probe: its entities are deleted.
    without = site_config(mosquitto.port, devices=False)
    with open_storage(db, without) as storage:
        async with (
            Subscriber(mosquitto.port, [moisture], client_id="watch", persistent=False) as sub,
            running(without, storage),
        ):
            await sub.wait_for(lambda ms: any(m.payload == b"" for m in ms))
    # Retained messages follow each SUBACK in subscription order: once the
    # status arrives, a retained moisture config would already be here.
    status = f"{BASE}/status"
    async with Subscriber(mosquitto.port, [moisture, status], client_id="after") as after:
        await after.wait_for(lambda ms: any(m.topic == status for m in ms))
        assert not [m for m in after.messages if m.topic == moisture]
