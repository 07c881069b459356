"""The plan map's geometry: everything drawn, projected to SVG coordinates, no tiles.

An equirectangular projection around the middle of what is drawn (metres east
and north of it) is exact enough for a village a few kilometres across, and
needs no library. The drawing is fitted to the bounding box of everything on it
(fields, sites, no-fly zones, stops, routes, vehicles) with a margin; the
template draws it, and the page script places live vehicle markers with the same
projection (``Projection.as_attrs``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from edge.config import Config
from edge.logistics.orders import Order
from edge.logistics.plans import PlanRecord
from edge.logistics.progress import VehicleProgress

WIDTH, HEIGHT, MARGIN = 640.0, 440.0, 28.0
EARTH_M_PER_DEG = 111_320.0
COLOURS = ("#1f6fb4", "#c0392b", "#238b45", "#8e44ad", "#d35400", "#6d4c41", "#00838f")
"""Route colours, told apart by people with the commonest colour blindness too
(blue, red, green differ in lightness as well as hue)."""
NICE_LENGTHS_M = (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000)

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Projection:
    lat0: float
    lon0: float
    scale: float
    """SVG units per metre."""
    cx: float
    cy: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        east = (lon - self.lon0) * EARTH_M_PER_DEG * math.cos(math.radians(self.lat0))
        north = (lat - self.lat0) * EARTH_M_PER_DEG
        return round(self.cx + east * self.scale, 1), round(self.cy - north * self.scale, 1)

    def points(self, ring: Iterable[LatLon]) -> str:
        return " ".join(f"{x},{y}" for x, y in (self.xy(lat, lon) for lat, lon in ring))

    def as_attrs(self) -> dict[str, str]:
        kx = EARTH_M_PER_DEG * math.cos(math.radians(self.lat0)) * self.scale
        ky = EARTH_M_PER_DEG * self.scale
        return {
            "data-lat0": f"{self.lat0:.7f}",
            "data-lon0": f"{self.lon0:.7f}",
            "data-kx": f"{kx:.4f}",
            "data-ky": f"{ky:.4f}",
            "data-cx": f"{self.cx:.1f}",
            "data-cy": f"{self.cy:.1f}",
        }


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    name: str
    points: str
    label: Label


@dataclass(frozen=True, slots=True)
class Marker:
    id: str
    name: str
    kind: str
    x: float
    y: float

    @property
    def label_left(self) -> bool:
        """Names near the right edge go on the marker's left, inside the map."""
        return self.x > WIDTH * 0.6


@dataclass(frozen=True, slots=True)
class StopMark:
    id: str
    name: str
    vehicle: str
    number: int
    colour: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class RouteLine:
    vehicle: str
    name: str
    kind: str
    colour: str
    d: str
    stops: int
    distance_km: float


@dataclass(frozen=True, slots=True)
class VehicleMark:
    id: str
    name: str
    colour: str
    x: float | None
    y: float | None


@dataclass(slots=True)
class MapView:
    projection: Projection
    width: float = WIDTH
    height: float = HEIGHT
    fields: list[Area] = field(default_factory=list)
    zones: list[Area] = field(default_factory=list)
    sites: list[Marker] = field(default_factory=list)
    open_orders: list[Marker] = field(default_factory=list)
    dropped: list[Marker] = field(default_factory=list)
    routes: list[RouteLine] = field(default_factory=list)
    stops: list[StopMark] = field(default_factory=list)
    vehicles: list[VehicleMark] = field(default_factory=list)
    scale_m: int = 100
    scale_px: float = 0.0


def build_map(
    config: Config,
    record: PlanRecord | None,
    vehicles: Sequence[VehicleProgress] = (),
    open_orders: Sequence[Order] = (),
) -> MapView:
    site = config.site
    field_rings = {fid: [(lat, lon) for lon, lat in f.boundary] for fid, f in site.fields.items()}
    zone_rings = {
        zid: [(lat, lon) for lon, lat in z.polygon] for zid, z in site.no_fly_zones.items()
    }
    places: list[tuple[str, str, str, LatLon]] = [
        (sid, p.name, "depot", (p.location.lat, p.location.lon)) for sid, p in site.depots.items()
    ] + [
        (sid, p.name, "collection_point", (p.location.lat, p.location.lon))
        for sid, p in site.collection_points.items()
    ]
    routes = record.routes if record is not None else []
    paths = {r["vehicle"]: _route_points(r) for r in routes}
    in_plan = set(record.orders) if record is not None else set()
    orders = [
        (o.id, o.name, (float(o.data["location"][0]), float(o.data["location"][1])))
        for o in open_orders
        if o.id not in in_plan and _is_location(o.data.get("location"))
    ]
    stop_locations = {
        str(s["id"]): (float(s["location"][0]), float(s["location"][1]))
        for s in (record.problem.get("stops", ()) if record is not None else ())
        if isinstance(s, dict) and _is_location(s.get("location"))
    }
    dropped_ids = [
        str(d.get("id")) for d in ((record.plan or {}).get("dropped", ()) if record else ())
    ]
    live = [(v.id, v.position) for v in vehicles if v.position is not None]
    everything: list[LatLon] = [p for ring in field_rings.values() for p in ring]
    everything += [p for ring in zone_rings.values() for p in ring]
    everything += [p[3] for p in places] + [o[2] for o in orders]
    everything += [p for pts in paths.values() for p in pts]
    everything += [stop_locations[d] for d in dropped_ids if d in stop_locations]
    everything += [pos for _, pos in live if pos is not None]
    if not everything and site.location is not None:
        everything = [(site.location.lat, site.location.lon)]
    projection = _fit(everything or [(0.0, 0.0)])
    view = MapView(projection)
    for fid, ring in field_rings.items():
        view.fields.append(_area(projection, fid, site.fields[fid].name, ring))
    for zid, ring in zone_rings.items():
        view.zones.append(_area(projection, zid, site.no_fly_zones[zid].name, ring))
    for sid, name, kind, (lat, lon) in places:
        view.sites.append(Marker(sid, name, kind, *projection.xy(lat, lon)))
    for oid, name, (lat, lon) in orders:
        view.open_orders.append(Marker(oid, name, "order", *projection.xy(lat, lon)))
    names = record.names() if record is not None else {}
    kinds = {
        str(v["id"]): str(v.get("kind", ""))
        for v in (record.problem if record else {}).get("vehicles", ())
    }
    colours = {vid: COLOURS[i % len(COLOURS)] for i, vid in enumerate(config.vehicles)}
    for i, route in enumerate(routes):
        vid = str(route["vehicle"])
        colour = colours.get(vid, COLOURS[(len(colours) + i) % len(COLOURS)])
        d = "M" + " L".join(
            f"{x},{y}" for x, y in (projection.xy(lat, lon) for lat, lon in paths[vid])
        )
        visits = [v for v in route["visits"] if v.get("kind") in ("pickup", "delivery")]
        view.routes.append(
            RouteLine(
                vid,
                names.get(vid, vid),
                kinds.get(vid, ""),
                colour,
                d,
                len(visits),
                round(float(route.get("distance_m", 0.0)) / 1000.0, 2),
            )
        )
        for n, visit in enumerate(visits, start=1):
            x, y = projection.xy(float(visit["location"][0]), float(visit["location"][1]))
            sid = str(visit["id"])
            view.stops.append(StopMark(sid, names.get(sid, sid), vid, n, colour, x, y))
    for did in dropped_ids:
        if did in stop_locations:
            view.dropped.append(
                Marker(did, names.get(did, did), "dropped", *projection.xy(*stop_locations[did]))
            )
    positions = dict(live)
    for vid, v in config.vehicles.items():
        pos = positions.get(vid)
        xy = projection.xy(*pos) if pos is not None else (None, None)
        view.vehicles.append(VehicleMark(vid, v.name, colours[vid], xy[0], xy[1]))
    view.scale_m, view.scale_px = _scale_bar(projection)
    return view


def _route_points(route: dict[str, object]) -> list[LatLon]:
    """The route's line: each leg's planned path (roads for carts, turns around
    no-fly zones for drones), else straight from visit to visit."""
    points: list[LatLon] = []
    visits = route.get("visits")
    for visit in visits if isinstance(visits, list) else ():
        path = visit.get("path_from_previous") or []
        if points and len(path) >= 2:
            points += [(float(p[0]), float(p[1])) for p in path[1:]]
        else:
            points.append((float(visit["location"][0]), float(visit["location"][1])))
    return points


def _fit(points: Sequence[LatLon]) -> Projection:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat0 = (min(lats) + max(lats)) / 2
    lon0 = (min(lons) + max(lons)) / 2
    east = (max(lons) - min(lons)) * EARTH_M_PER_DEG * math.cos(math.radians(lat0))
    north = (max(lats) - min(lats)) * EARTH_M_PER_DEG
    # At least 200 m across, so a single point is not blown up to the whole map.
    scale = min((WIDTH - 2 * MARGIN) / max(east, 200.0), (HEIGHT - 2 * MARGIN) / max(north, 200.0))
    return Projection(lat0, lon0, scale, WIDTH / 2, HEIGHT / 2)


def _scale_bar(projection: Projection) -> tuple[int, float]:
    """The longest round length that fits in a quarter of the width."""
    best = NICE_LENGTHS_M[0]
    for metres in NICE_LENGTHS_M:
        if metres * projection.scale <= WIDTH / 4:
            best = metres
    return best, round(best * projection.scale, 1)


def _area(projection: Projection, aid: str, name: str, ring: Sequence[LatLon]) -> Area:
    lat = sum(p[0] for p in ring) / len(ring)
    lon = sum(p[1] for p in ring) / len(ring)
    return Area(aid, name, projection.points(ring), Label(*projection.xy(lat, lon), name))


def _is_location(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    )
