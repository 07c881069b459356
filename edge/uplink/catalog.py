"""The configured devices and their points, as Home Assistant and Sparkplug need them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.profile import ProfileError, load_profile
from edge.config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PointInfo:
    name: str
    unit: str
    description: str = ""
    writable: bool = False


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    profile: str
    manufacturer: str
    model: str
    poll_interval_s: float
    points: tuple[PointInfo, ...]


def device_catalog(config: Config) -> dict[str, DeviceInfo]:
    """Every enabled device with its profile's points; a profile that cannot be
    loaded is left out with a warning (its poller reports it in detail)."""
    extra_dirs = list(config.profiles.extra_dirs)
    catalog: dict[str, DeviceInfo] = {}
    for device_id, device in config.devices.items():
        if not device.enabled:
            continue
        try:
            profile = load_profile(device.profile, extra_dirs)
        except ProfileError as e:
            log.warning("uplink: device %s is left out of discovery: %s", device_id, e)
            continue
        points = [PointInfo(p.name, p.unit, p.description, p.writable) for p in profile.points]
        points += [PointInfo(p.name, p.unit, p.description) for p in profile.nmea_points]
        points += [PointInfo(p.name, p.unit, p.description) for p in profile.ascii_points]
        catalog[device_id] = DeviceInfo(
            device_id,
            profile.name,
            profile.manufacturer,
            profile.model,
            device.poll_interval_s,
            tuple(points),
        )
    return catalog
