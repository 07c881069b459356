"""Live state that is not worth an outbox: the newest value of each point and each
device's health, published retained (QoS 0) while connected.

These serve dashboards and Home Assistant, which want the present, not the
history; what a broker outage hides from them is simply the newest value
again once the link is back. The durable history is the outbox's job.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from drivers.reading import Quality, Reading
from edge.uplink.catalog import DeviceInfo
from edge.uplink.payloads import dumps
from edge.uplink.topics import Topics
from edge.uplink.wire import Publication

DeviceStatesSource = Callable[[], Mapping[str, Mapping[str, Any]]]

STATE_FIELDS = ("state", "consecutive_failures", "last_success_ts", "last_error", "last_error_ts")


class LatestValues:
    """``<site>/devices/<device>/latest``: ``{"ts": .., "points": {point: value}}``.

    Every point of the device's profile is always present, null until it has a
    good value (Home Assistant then shows "unknown" rather than a stale number).
    """

    def __init__(self, topics: Topics, catalog: Mapping[str, DeviceInfo]) -> None:
        self._topics = topics
        self._points: dict[str, dict[str, Any]] = {
            device: {p.name: None for p in info.points} for device, info in catalog.items()
        }
        self._ts: dict[str, float] = {}
        self._point_ts: dict[tuple[str, str], float] = {}
        self._dirty: set[str] = set()
        self.changed = asyncio.Event()

    def update(self, readings: Iterable[Reading]) -> None:
        for r in readings:
            # As in storage's "latest": a replayed older reading is history,
            # it never moves a point's value back in time.
            if r.ts < self._point_ts.get((r.device, r.point), -math.inf):
                continue
            self._point_ts[(r.device, r.point)] = r.ts
            good = r.quality == Quality.GOOD and not (
                isinstance(r.value, float) and not math.isfinite(r.value)
            )
            self._points.setdefault(r.device, {})[r.point] = r.value if good else None
            self._ts[r.device] = max(r.ts, self._ts.get(r.device, r.ts))
            self._dirty.add(r.device)
        if self._dirty:
            self.changed.set()

    def take_changed(self) -> list[Publication]:
        self.changed.clear()
        dirty, self._dirty = self._dirty, set()
        return [self._publication(device) for device in sorted(dirty)]

    def all(self) -> list[Publication]:
        return [self._publication(device) for device in sorted(self._ts)]

    def _publication(self, device: str) -> Publication:
        body = {"ts": self._ts.get(device), "points": self._points.get(device, {})}
        return Publication(self._topics.latest(device), dumps(body), qos=0, retain=True)


class DeviceStates:
    """``<site>/devices/<device>/state``: up, down or probing, published when it changes."""

    def __init__(self, topics: Topics, source: DeviceStatesSource) -> None:
        self._topics = topics
        self._source = source
        self._published: dict[str, dict[str, Any]] = {}

    def forget_published(self) -> None:
        """A new connection: publish everything again."""
        self._published.clear()

    def changed(self) -> list[Publication]:
        publications = []
        for device, state in sorted(self._source().items()):
            current = {key: state.get(key) for key in STATE_FIELDS}
            if self._published.get(device) == current:
                continue
            self._published[device] = current
            body = {"device": device, **current}
            publications.append(
                Publication(self._topics.device_state(device), dumps(body), qos=0, retain=True)
            )
        return publications
