"""Where the vehicles are and how far along their dispatched routes they have come.

Computed when asked (no table of its own): a vehicle's position and battery are
the latest readings of the devices configured with ``vehicle = <id>`` (GPS points
``latitude``/``longitude``, battery ``battery_soc`` on the cart controller or
``soc`` on a drone battery). A stop counts as reached once the GPS track since
dispatch came within ``radius`` of it: 30 m for a cart (it stops at the lane,
which can be 20 m from the house the order was placed at, plus GPS error) and
20 m for a drone (it hovers over the drop point itself, GPS error a few metres).
Reaching a stop does not make its order done: a cart passing by has not
necessarily delivered, so the coordinator marks it done.

The tracker keeps, per dispatched plan, what it has already found, and reads
only fixes newer than the ones it has seen: the page asks every few seconds,
and reading a day of 1 Hz GPS again each time would load a Pi for nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge.config import Config
from edge.logistics.plans import PlanRecord
from edge.storage.store import Storage
from planner.geo import Location, haversine_m

CART_RADIUS_M = 30.0
DRONE_RADIUS_M = 20.0
CART_DETOUR = 1.3
"""Lanes are not straight: the same factor the planner uses without a road network."""
LAT_POINT, LON_POINT = "latitude", "longitude"
BATTERY_POINTS = ("battery_soc", "soc")
MAX_TRACK_S = 24 * 3600.0
"""A plan is a day's work; older fixes are never read."""


@dataclass(frozen=True, slots=True)
class StopProgress:
    id: str
    name: str
    kind: str
    location: tuple[float, float]
    planned_s: float
    """Planned arrival, seconds since the epoch (UTC)."""
    reached: bool


@dataclass(slots=True)
class VehicleProgress:
    id: str
    name: str
    kind: str
    position: tuple[float, float] | None = None
    position_ts: float | None = None
    battery_pct: float | None = None
    last_seen: float | None = None
    plan: str | None = None
    stops: list[StopProgress] = field(default_factory=list)
    next_stop: StopProgress | None = None
    eta_s: float | None = None

    @property
    def reached(self) -> int:
        return sum(1 for s in self.stops if s.reached)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "position": list(self.position) if self.position else None,
            "position_ts": self.position_ts,
            "battery_pct": self.battery_pct,
            "last_seen": self.last_seen,
            "plan": self.plan,
            "stops_total": len(self.stops),
            "stops_reached": self.reached,
            "stops": [
                {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "location": list(s.location),
                    "planned_s": s.planned_s,
                    "reached": s.reached,
                }
                for s in self.stops
            ],
            "next_stop": None if self.next_stop is None else self.next_stop.id,
            "next_stop_name": None if self.next_stop is None else self.next_stop.name,
            "eta_s": self.eta_s,
        }


class ProgressTracker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: str | None = None
        self._reached: set[tuple[str, str]] = set()
        """(vehicle, stop) pairs reached under the current plan."""
        self._read_to: dict[str, float] = {}
        """GPS device -> the newest fix already looked at."""

    def vehicles(
        self, storage: Storage, config: Config, plan: PlanRecord | None, now: float
    ) -> list[VehicleProgress]:
        with self._lock:
            if plan is None or plan.id != self._plan:
                self._plan = None if plan is None else plan.id
                self._reached.clear()
                self._read_to.clear()
            latest = storage.latest()
            routes = {r["vehicle"]: r for r in plan.routes} if plan is not None else {}
            out = []
            for vid, v in config.vehicles.items():
                devices = [d for d, dev in config.devices.items() if dev.vehicle == vid]
                progress = VehicleProgress(vid, v.name, v.type)
                _live_state(progress, latest, devices)
                route = routes.get(vid)
                if plan is not None and route is not None:
                    self._follow(progress, storage, config, plan, route, devices, now)
                out.append(progress)
            return out

    def _follow(
        self,
        progress: VehicleProgress,
        storage: Storage,
        config: Config,
        plan: PlanRecord,
        route: dict[str, Any],
        devices: Sequence[str],
        now: float,
    ) -> None:
        epoch = plan.epoch_s(config.site.timezone)
        names = plan.names()
        radius = DRONE_RADIUS_M if progress.kind == "drone" else CART_RADIUS_M
        stops = [
            (str(v["id"]), str(v["kind"]), Location(*v["location"]), epoch + float(v["arrival_s"]))
            for v in route["visits"]
            if v.get("kind") in ("pickup", "delivery")
        ]
        since = max(float(plan.data.get("dispatched_at") or plan.updated), now - MAX_TRACK_S)
        for device in devices:
            start = max(since, self._read_to.get(device, since))
            fixes = _track(storage, device, start, now)
            if fixes:
                self._read_to[device] = fixes[-1][0] + 1e-3
            for _, fix in fixes:
                for sid, _kind, loc, _ in stops:
                    if haversine_m(fix, loc) <= radius:
                        self._reached.add((progress.id, sid))
        progress.plan = plan.id
        progress.stops = [
            StopProgress(
                sid,
                names.get(sid, sid),
                kind,
                (loc.lat, loc.lon),
                planned,
                (progress.id, sid) in self._reached,
            )
            for sid, kind, loc, planned in stops
        ]
        progress.next_stop = next((s for s in progress.stops if not s.reached), None)
        if progress.next_stop is not None:
            progress.eta_s = _eta(progress, config, progress.next_stop, now)


def _live_state(progress: VehicleProgress, latest: Sequence[Any], devices: Sequence[str]) -> None:
    lat = lon = None
    for r in latest:
        if r.device not in devices:
            continue
        progress.last_seen = max(progress.last_seen or 0.0, r.ts)
        if r.point == LAT_POINT and isinstance(r.value, int | float):
            lat = (r.ts, float(r.value))
        elif r.point == LON_POINT and isinstance(r.value, int | float):
            lon = (r.ts, float(r.value))
        elif r.point in BATTERY_POINTS and isinstance(r.value, int | float):
            progress.battery_pct = float(r.value)
    if lat is not None and lon is not None:
        progress.position = (lat[1], lon[1])
        progress.position_ts = min(lat[0], lon[0])


def _track(storage: Storage, device: str, start: float, end: float) -> list[tuple[float, Location]]:
    """GPS fixes of ``device`` in [start, end], oldest first: latitude and longitude
    readings of the same fix share a timestamp."""
    lats = storage.history(device, LAT_POINT, start, end + 1e-3)
    if not lats:
        return []
    lons = {ts: v for ts, v, _ in storage.history(device, LON_POINT, start, end + 1e-3)}
    fixes = []
    for ts, lat, _ in lats:
        lon = lons.get(ts)
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            fixes.append((ts, Location(float(lat), float(lon))))
    return fixes


def _eta(progress: VehicleProgress, config: Config, stop: StopProgress, now: float) -> float:
    """The planned arrival, or later when the vehicle is too far to make it."""
    if progress.position is None:
        return stop.planned_s
    speed_mps = config.vehicles[progress.id].speed_kmh / 3.6
    metres = haversine_m(Location(*progress.position), Location(*stop.location))
    if progress.kind != "drone":
        metres *= CART_DETOUR
    return max(stop.planned_s, now + metres / speed_mps)
