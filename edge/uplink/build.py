"""Assembling an :class:`Uplink` from the configuration (imports the MQTT client)."""

from __future__ import annotations

from importlib import metadata

from drivers.reading import Reading
from edge.bus import Bus
from edge.config import Config
from edge.storage.store import Storage
from edge.uplink.catalog import device_catalog
from edge.uplink.commands import Commands
from edge.uplink.discovery import Discovery
from edge.uplink.live import DeviceStates, DeviceStatesSource, LatestValues
from edge.uplink.orders import configured_sites
from edge.uplink.session import Parts
from edge.uplink.settings import UplinkSettings
from edge.uplink.sparkplug.node import SparkplugNode, spec_for_unit
from edge.uplink.uplink import Uplink

LIVE_QUEUE = 2000
"""Readings queued for the live ``latest`` topics; only the newest value of each
point matters there, so a full queue loses nothing durable."""


def build(
    config: Config,
    storage: Storage,
    bus: Bus[Reading] | None,
    *,
    device_states: DeviceStatesSource | None,
    settings: UplinkSettings | None = None,
) -> Uplink:
    settings = settings or UplinkSettings.from_config(config)
    topics = settings.topics
    catalog = device_catalog(config)
    discovery = None
    if settings.ha_discovery:
        discovery = Discovery(
            settings.ha_prefix,
            topics,
            config.site.id,
            config.site.name,
            catalog,
            device_availability=device_states is not None,
            sw_version=_version(),
        )
    commands = None
    if settings.commands:
        commands = Commands(storage, topics, configured_sites(config), set(config.vehicles))
    sparkplug = None
    if settings.sparkplug is not None:
        metrics = {
            f"{device.id}/{point.name}": spec_for_unit(point.unit)
            for device in catalog.values()
            for point in device.points
        }
        sparkplug = SparkplugNode(settings.sparkplug.group_id, settings.sparkplug.node_id, metrics)
    parts = Parts(
        storage=storage,
        settings=settings,
        latest=LatestValues(topics, catalog),
        device_states=None if device_states is None else DeviceStates(topics, device_states),
        discovery=discovery,
        commands=commands,
        sparkplug=sparkplug,
    )
    live = None if bus is None else bus.subscribe("uplink", maxsize=LIVE_QUEUE)
    return Uplink(parts, live)


def _version() -> str:
    try:
        return metadata.version("kakashi")
    except metadata.PackageNotFoundError:
        return "unknown"
