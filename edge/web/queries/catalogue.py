"""What points each configured device has, from its profile (read once)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from drivers.profile import load_profile
from edge.config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PointInfo:
    name: str
    unit: str
    description: str
    writable: bool


@functools.lru_cache(maxsize=64)
def _profile_points(profile: str, extra_dirs: tuple[Path, ...]) -> tuple[PointInfo, ...]:
    # Profiles are files parsed and checked on load: cached, so a page view
    # does not re-read TOML for every device.
    try:
        loaded = load_profile(profile, extra_dirs)
    except Exception as exc:  # a configured profile always loads; never fail a page on it
        log.warning("profile %s: cannot load for the web page: %s", profile, exc)
        return ()
    points = [PointInfo(p.name, p.unit, p.description, p.writable) for p in loaded.points]
    points += [PointInfo(p.name, p.unit, p.description, False) for p in loaded.nmea_points]
    points += [PointInfo(p.name, p.unit, p.description, False) for p in loaded.ascii_points]
    return tuple(points)


def device_points(config: Config, device: str) -> tuple[PointInfo, ...]:
    """The points of a configured device, in profile order; () for an unknown one."""
    dev = config.devices.get(device)
    if dev is None:
        return ()
    return _profile_points(dev.profile, tuple(config.profiles.extra_dirs))


def find_point(config: Config, device: str, point: str) -> PointInfo | None:
    for info in device_points(config, device):
        if info.name == point:
            return info
    return None
