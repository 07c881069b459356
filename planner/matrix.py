"""Travel matrices: how far each vehicle kind travels between every two places.

Drones fly great-circle legs, detoured around no-fly zones or forbidden when no
detour exists; carts follow the road graph when the problem has one, else
great-circle distance times a detour factor. Time follows from each vehicle's
speed, so one matrix per vehicle kind serves the whole fleet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from planner.airspace import airspace_for, to_locations
from planner.geo import Location, haversine_m, path_length_m, planar_m
from planner.problem import NoFlyZone, RoadNetwork, VehicleKind
from planner.roads import road_graph_for


@dataclass(frozen=True)
class TravelMatrix:
    places: tuple[Location, ...]
    distance_m: tuple[tuple[float, ...], ...]  # math.inf: this kind cannot make the leg
    # Legs that are not one straight line (road polylines, detours), end points included.
    paths: Mapping[tuple[int, int], tuple[Location, ...]] = field(default_factory=dict)
    # Places this kind cannot get to at all, with the reason.
    unreachable: Mapping[int, str] = field(default_factory=dict)

    def path(self, i: int, j: int) -> tuple[Location, ...]:
        found = self.paths.get((i, j))
        if found is not None:
            return found
        return (self.places[i], self.places[j]) if i != j else (self.places[i],)


def build_matrix(
    kind: VehicleKind,
    places: tuple[Location, ...],
    zones: tuple[NoFlyZone, ...],
    roads: RoadNetwork | None,
    detour_factor: float,
    planar: bool,
) -> TravelMatrix:
    if kind is VehicleKind.DRONE:
        return _drone_matrix(places, zones, planar)
    if roads is not None and not planar:
        return _road_matrix(places, roads)
    return _scaled_matrix(places, detour_factor, planar)


# Re-plans and repeated plans over the same places hit this cache; the road
# graph and the airspace have caches of their own for changing places.
build_matrix_cached = lru_cache(maxsize=16)(build_matrix)


def _scaled_matrix(places: tuple[Location, ...], factor: float, planar: bool) -> TravelMatrix:
    step = planar_m if planar else haversine_m
    rows = tuple(tuple(step(a, b) * factor for b in places) for a in places)
    return TravelMatrix(places, rows)


def _drone_matrix(
    places: tuple[Location, ...], zones: tuple[NoFlyZone, ...], planar: bool
) -> TravelMatrix:
    step = planar_m if planar else haversine_m
    straight = [[step(a, b) for b in places] for a in places]
    if not zones or planar:
        return TravelMatrix(places, tuple(tuple(r) for r in straight))
    air = airspace_for(zones)
    xy = [air.projection.to_xy(p) for p in places]
    unreachable: dict[int, str] = {}
    for i, p in enumerate(xy):
        zone = air.zone_at(p)
        if zone is not None:
            unreachable[i] = f"inside no-fly zone {zone!r}"
    paths: dict[tuple[int, int], tuple[Location, ...]] = {}
    rows: list[list[float]] = []
    for i, a in enumerate(xy):
        row = straight[i]
        trees = None
        for j, b in enumerate(xy):
            if i == j:
                continue
            if i in unreachable or j in unreachable:
                row[j] = math.inf
                continue
            if air.blocking_zone(a, b) is None:
                continue
            if trees is None:
                trees = air.shortest_paths_from(a)
            detour = air.detour(a, b, trees)
            if detour is None:
                row[j] = math.inf
                continue
            # The ends are the exact places; only the turning points are projected.
            path = (places[i], *to_locations(air, detour[1:-1]), places[j])
            paths[(i, j)] = path
            row[j] = path_length_m(path)
        rows.append(row)
    return TravelMatrix(places, tuple(tuple(r) for r in rows), paths, unreachable)


def _road_matrix(places: tuple[Location, ...], roads: RoadNetwork) -> TravelMatrix:
    graph = road_graph_for(roads)
    snaps = [graph.snap(p) for p in places]
    unreachable = {
        i: f"farther than {roads.max_snap_m:.0f} m from any road"
        for i, s in enumerate(snaps)
        if s is None
    }
    paths: dict[tuple[int, int], tuple[Location, ...]] = {}
    rows: list[list[float]] = []
    for i, sa in enumerate(snaps):
        row = [math.inf] * len(places)
        row[i] = 0.0
        for j, sb in enumerate(snaps):
            if i == j or sa is None or sb is None:
                continue
            found = graph.route(sa, sb)
            if found is None:
                continue
            road_m, nodes = found
            row[j] = sa.access_m + road_m + sb.access_m
            paths[(i, j)] = (places[i], *(graph.nodes[n] for n in nodes), places[j])
        rows.append(row)
    return TravelMatrix(places, tuple(tuple(r) for r in rows), paths, unreachable)
