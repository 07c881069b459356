"""Home Assistant MQTT discovery: every point of every device becomes an entity.

Each point gets a retained config on ``<prefix>/<sensor|binary_sensor>/
kakashi_<site>/<device>_<point>/config`` that reads its value from the device's
retained ``latest`` topic, so a farm running Home Assistant sees Kakashi's
sensors without configuring anything. Units map to HA device classes only
where HA accepts that unit for the class (a wrong pair makes HA complain on
every start); otherwise the entity has a unit and no class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edge.uplink.catalog import DeviceInfo, PointInfo
from edge.uplink.payloads import dumps
from edge.uplink.topics import Topics
from edge.uplink.wire import Publication

ORIGIN = {"name": "Kakashi"}

STALE_AFTER_POLLS = 3
STALE_GRACE_S = 5
"""As on Kakashi's own page: a value older than three polls (plus grace) is stale,
and HA shows it as unavailable (``expire_after``)."""

# unit as profiles write it -> (device class, unit as HA wants it)
_BY_UNIT: dict[str, tuple[str, str | None]] = {
    "°C": ("temperature", "°C"),
    "V": ("voltage", "V"),
    "A": ("current", "A"),
    "W": ("power", "W"),
    "Wh": ("energy_storage", "Wh"),
    "W/m²": ("irradiance", "W/m²"),
    "Pa": ("atmospheric_pressure", "Pa"),
    "hPa": ("atmospheric_pressure", "hPa"),
    "lux": ("illuminance", "lx"),
    "lx": ("illuminance", "lx"),
    "mm": ("precipitation", "mm"),
    "µS/cm": ("conductivity", "µS/cm"),
    "pH": ("ph", None),  # HA's pH class is unitless
    "s": ("duration", "s"),
    "kg": ("weight", "kg"),
    "m": ("distance", "m"),
}
_PERCENT_BY_NAME = (
    (("moisture", "vwc"), "moisture"),
    (("humidity", "rh"), "humidity"),
    (("soc", "battery"), "battery"),
)
_NO_UNIT = frozenset({"", "1", "enum", "text", "bool"})
_NOT_MEASURED = frozenset({"enum", "text", "°"})
"""No long-term statistics: codes, text, and angles (a mean heading or latitude
means nothing)."""


@dataclass(frozen=True, slots=True)
class SensorClass:
    device_class: str | None
    unit: str | None
    state_class: str | None


def sensor_class(point: PointInfo) -> SensorClass:
    """HA's device class, unit and state class for a numeric or text point."""
    state_class = None if point.unit in _NOT_MEASURED else "measurement"
    unit = None if point.unit in _NO_UNIT else point.unit
    if point.unit in ("m/s", "km/h"):
        kind = "wind_speed" if "wind" in point.name else "speed"
        return SensorClass(kind, point.unit, state_class)
    if point.unit == "%":
        for words, kind in _PERCENT_BY_NAME:
            if any(word in point.name for word in words):
                return SensorClass(kind, "%", state_class)
        return SensorClass(None, "%", state_class)
    if point.unit in _BY_UNIT:
        kind, ha_unit = _BY_UNIT[point.unit]
        return SensorClass(kind, ha_unit, state_class)
    return SensorClass(None, unit, state_class)


_ACRONYMS = {"ph": "pH", "ec": "EC", "tds": "TDS", "soc": "SOC", "rh": "RH", "gps": "GPS"}


def entity_name(point: str) -> str:
    """``moisture_calibration`` -> "Moisture calibration", ``ph`` -> "pH"."""
    words = [_ACRONYMS.get(word, word) for word in point.split("_")]
    first = words[0] if words[0] in _ACRONYMS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def node_id(site_id: str) -> str:
    return f"kakashi_{site_id}"


class Discovery:
    """The discovery configs of one site, and the topics they are published on."""

    def __init__(
        self,
        prefix: str,
        topics: Topics,
        site_id: str,
        site_name: str,
        catalog: Mapping[str, DeviceInfo],
        *,
        device_availability: bool,
        sw_version: str,
    ) -> None:
        self.prefix = prefix
        self._topics = topics
        self._site_id = site_id
        self._site_name = site_name
        self._catalog = catalog
        self._device_availability = device_availability
        self._sw_version = sw_version

    @property
    def birth_topic(self) -> str:
        """Where HA says ``online`` when it (re)starts: discovery is sent again then."""
        return f"{self.prefix}/status"

    def configs(self) -> dict[str, dict[str, Any]]:
        node = node_id(self._site_id)
        configs: dict[str, dict[str, Any]] = {}
        gateway = self._gateway_config()
        configs[f"{self.prefix}/sensor/{node}/gateway_outbox/config"] = gateway
        for device in self._catalog.values():
            for point in device.points:
                component = "binary_sensor" if point.unit == "bool" else "sensor"
                topic = f"{self.prefix}/{component}/{node}/{device.id}_{point.name}/config"
                configs[topic] = self._point_config(device, point)
        return configs

    def publications(self) -> list[Publication]:
        return [
            Publication(topic, dumps(config), qos=1, retain=True)
            for topic, config in self.configs().items()
        ]

    @staticmethod
    def removal(topic: str) -> Publication:
        """An empty retained config deletes the entity in HA (and the retained config)."""
        return Publication(topic, b"", qos=1, retain=True)

    def _gateway_device(self) -> dict[str, Any]:
        return {
            "identifiers": [node_id(self._site_id)],
            "name": f"Kakashi {self._site_name}",
            "manufacturer": "Kakashi",
            "model": "Edge gateway",
            "sw_version": self._sw_version,
        }

    def _gateway_config(self) -> dict[str, Any]:
        return {
            "name": "Outbox backlog",
            "unique_id": f"{node_id(self._site_id)}_outbox_pending",
            "state_topic": self._topics.gateway,
            "value_template": "{{ value_json.outbox_pending }}",
            "unit_of_measurement": "messages",
            "state_class": "measurement",
            "entity_category": "diagnostic",
            "availability_topic": self._topics.status,
            "device": self._gateway_device(),
            "origin": {**ORIGIN, "sw_version": self._sw_version},
        }

    def _point_config(self, device: DeviceInfo, point: PointInfo) -> dict[str, Any]:
        value = f"value_json.points.{point.name}"
        config: dict[str, Any] = {
            "name": entity_name(point.name),
            "unique_id": f"{node_id(self._site_id)}_{device.id}_{point.name}",
            "state_topic": self._topics.latest(device.id),
            "expire_after": round(STALE_AFTER_POLLS * device.poll_interval_s + STALE_GRACE_S),
            "availability": self._availability(device.id),
            "availability_mode": "all",
            "device": {
                "identifiers": [f"{node_id(self._site_id)}_{device.id}"],
                "name": device.id,
                "manufacturer": device.manufacturer,
                "model": device.model,
                "via_device": node_id(self._site_id),
            },
            "origin": {**ORIGIN, "sw_version": self._sw_version},
        }
        if point.unit == "bool":
            # "None" is HA's word for "unknown" (a point with no good value yet).
            config["value_template"] = (
                f"{{% if {value} is none %}}None{{% elif {value} %}}ON{{% else %}}OFF{{% endif %}}"
            )
        else:
            config["value_template"] = f"{{{{ {value} }}}}"
            klass = sensor_class(point)
            if klass.device_class is not None:
                config["device_class"] = klass.device_class
            if klass.unit is not None:
                config["unit_of_measurement"] = klass.unit
            if klass.state_class is not None:
                config["state_class"] = klass.state_class
        if point.writable:
            # A setpoint or calibration register: shown with the device's
            # diagnostics, not among its measurements.
            config["entity_category"] = "diagnostic"
        return config

    def _availability(self, device: str) -> list[dict[str, str]]:
        availability = [{"topic": self._topics.status}]
        if self._device_availability:
            availability.append(
                {
                    "topic": self._topics.device_state(device),
                    "value_template": ("{{ 'online' if value_json.state == 'up' else 'offline' }}"),
                }
            )
        return availability
