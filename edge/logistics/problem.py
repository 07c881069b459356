"""A plan request built from the site's configuration and its open orders (PROBLEM.json).

Sites are the configured depots and collection points; vehicles come from
``[vehicles]`` (capacity = payload, start and end at their depot); no-fly zones
and the road network come from ``[site]``. Times are seconds from the plan
day's local midnight (``epoch_s``). The shift is 06:00-19:00 site time, starting
no earlier than now: nothing in the configuration says otherwise yet. Late in the
day (less than ``MIN_SHIFT_S`` left) the plan is for tomorrow.

An order the planner would refuse on its own (too heavy for every vehicle, out
of reach, a window already gone) is left out with the planner's reason instead
of failing the whole request: one bad order must not stop the deliveries.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from edge.config import Config
from edge.logistics.orders import Order, configured_sites

SHIFT_START_S = 6 * 3600
SHIFT_END_S = 19 * 3600
MIN_SHIFT_S = 3600
"""With less than an hour of today's shift left, the plan is for tomorrow."""
PAIR_SEP = "/"
"""A pickup bound for a collection point becomes a pair: the pickup, and a
delivery ``<order>/<site>`` there (vehicles end at their depot, so an unpaired
pickup could only go to a depot)."""

# Drone energy defaults (Dorling et al. model, docs/planner.md): the configuration
# gives payload and battery energy only. Heavy-lift hexacopter proportions: six
# 20-inch (0.5 m) rotors, a frame of 1.2 × its payload (at least 2 kg), a pack of
# 150 Wh per kg (LiPo packs with wiring and case), 20 % reserve, 60 m cruise.
DRONE_ROTORS = 6
DRONE_ROTOR_DIAMETER_M = 0.5
DRONE_FRAME_PER_PAYLOAD = 1.2
DRONE_MIN_FRAME_KG = 2.0
DRONE_PACK_WH_PER_KG = 150.0
DRONE_RESERVE = 0.2
DRONE_CRUISE_ALTITUDE_M = 60.0
MAX_ROUNDS = 3

_STOP_ERROR = re.compile(r"""(?:stop '([^']+)'|stops\[\d+\] "([^"]+)")""")


@dataclass(slots=True)
class BuiltProblem:
    problem: dict[str, Any]
    orders: list[str]
    """Ids of the orders in the problem."""
    skipped: list[dict[str, str]] = field(default_factory=list)
    """``{"id", "reason"}`` for each open order left out."""
    notes: list[str] = field(default_factory=list)
    epoch_s: float = 0.0
    """The plan day's local midnight: problem times count from here."""
    day: str = ""


def plan_day(config: Config, now: float) -> tuple[dt.date, float, float]:
    """(day, epoch_s, shift start in seconds from that day's midnight)."""
    zone = ZoneInfo(config.site.timezone)
    local = dt.datetime.fromtimestamp(now, zone)
    midnight = dt.datetime.combine(local.date(), dt.time(), zone)
    since = (local - midnight).total_seconds()
    # Vehicles leave on the next whole minute, never before the shift starts.
    start = max(float(SHIFT_START_S), (since // 60 + 1) * 60)
    if SHIFT_END_S - start < MIN_SHIFT_S:
        day = local.date() + dt.timedelta(days=1)
        midnight = dt.datetime.combine(day, dt.time(), zone)
        return day, midnight.timestamp(), float(SHIFT_START_S)
    return local.date(), midnight.timestamp(), start


def vehicles_of(config: Config, shift_start_s: float) -> list[dict[str, Any]]:
    out = []
    for vid, v in config.vehicles.items():
        vehicle: dict[str, Any] = {
            "id": vid,
            "kind": v.type,
            "name": v.name,
            "start": v.depot,
            "end": v.depot,
            "capacity": {"kg": v.payload_kg},
            "speed_kmh": v.speed_kmh,
            "shift": [shift_start_s, float(SHIFT_END_S)],
        }
        if v.type == "drone":
            vehicle["drone"] = {
                "max_payload_kg": v.payload_kg,
                "battery_wh": v.battery_wh,
                "reserve": DRONE_RESERVE,
                "cruise_altitude_m": DRONE_CRUISE_ALTITUDE_M,
                "energy": {
                    "frame_kg": max(DRONE_MIN_FRAME_KG, DRONE_FRAME_PER_PAYLOAD * v.payload_kg),
                    "battery_kg": round(v.battery_wh / DRONE_PACK_WH_PER_KG, 3),
                    "rotors": DRONE_ROTORS,
                    "rotor_diameter_m": DRONE_ROTOR_DIAMETER_M,
                },
            }
        out.append(vehicle)
    return out


def no_fly_zones_of(config: Config) -> list[dict[str, Any]]:
    # The configuration writes [lon, lat] (GeoJSON order); the planner [lat, lon].
    return [
        {"id": zid, "name": z.name, "polygon": [[lat, lon] for lon, lat in z.polygon]}
        for zid, z in config.site.no_fly_zones.items()
    ]


def roads_of(config: Config) -> tuple[dict[str, Any] | None, str | None]:
    """The road network inline (the problem must stand alone), or a note why not."""
    path = config.site.roads
    if path is None:
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"site.roads: cannot read {path} ({exc}); carts planned on straight lines"
    return data if isinstance(data, dict) else None, None


def stops_of(
    config: Config, orders: Sequence[Order]
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[str]]:
    """Stops and pairs for ``orders``: (stops, pairs, order ids)."""
    starts = {v.depot for v in config.vehicles.values()}
    sites = {s["id"]: s for s in configured_sites(config)}
    stops: list[dict[str, Any]] = []
    pairs: list[dict[str, str]] = []
    ids = []
    for order in orders:
        stop = order.stop
        if "location" not in stop:
            continue
        ids.append(order.id)
        site = stop.get("site")
        # Goods from or to a place no vehicle starts or ends at travel as a pair.
        if isinstance(site, str) and site not in starts and site in sites:
            del stop["site"]
            other_kind = "delivery" if stop.get("kind") == "pickup" else "pickup"
            partner = {
                "id": f"{order.id}{PAIR_SEP}{site}",
                "kind": other_kind,
                "location": sites[site]["location"],
                "kg": stop.get("kg", 0.0),
                "service_s": 120.0,
                "name": f"{stop.get('name') or order.id} → {sites[site]['name']}",
            }
            for key in ("vehicles", "required", "penalty"):
                if key in stop:
                    partner[key] = stop[key]
            if stop.get("kind") == "pickup":
                pairs.append({"pickup": order.id, "delivery": partner["id"]})
            else:
                pairs.append({"pickup": partner["id"], "delivery": order.id})
            stops += [stop, partner]
        else:
            stops.append(stop)
    return stops, pairs, ids


def order_of_stop(stop_id: str) -> str:
    return stop_id.split(PAIR_SEP, 1)[0]


def build_problem(config: Config, orders: Sequence[Order], now: float) -> BuiltProblem:
    """The problem for ``orders`` (already filtered to the plannable ones), with
    orders the planner would refuse left out (``skipped``, with its reason)."""
    day, epoch_s, shift_start = plan_day(config, now)
    roads, roads_note = roads_of(config)
    keep = list(orders)
    skipped: list[dict[str, str]] = []
    notes = [roads_note] if roads_note else []
    for _ in range(MAX_ROUNDS):
        stops, pairs, ids = stops_of(config, keep)
        problem: dict[str, Any] = {
            "name": f"{config.site.name} {day.isoformat()}",
            "sites": configured_sites(config),
            "stops": stops,
            "pairs": pairs,
            "vehicles": vehicles_of(config, shift_start),
            "no_fly_zones": no_fly_zones_of(config),
        }
        if roads is not None:
            problem["roads"] = roads
        refused = _refused_orders(problem)
        if not refused:
            break
        skipped += [{"id": oid, "reason": why} for oid, why in refused.items()]
        keep = [o for o in keep if o.id not in refused]
    return BuiltProblem(problem, ids, skipped, notes, epoch_s, day.isoformat())


def _refused_orders(problem: dict[str, Any]) -> dict[str, str]:
    """Order id -> the planner's reason, for stops its validation refuses."""
    from planner.errors import InvalidProblemError
    from planner.problem_json import problem_from_dict
    from planner.validate import validate

    if not problem["stops"] or not problem["vehicles"]:
        return {}
    try:
        validate(problem_from_dict(problem))
    except InvalidProblemError as e:
        refused: dict[str, str] = {}
        for error in e.errors:
            match = _STOP_ERROR.search(error)
            if match:
                order_id = order_of_stop(match.group(1) or match.group(2))
                refused.setdefault(order_id, error)
        return refused
    return {}
