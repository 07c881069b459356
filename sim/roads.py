"""A road graph for carts, from GeoJSON LineStrings (the planner's format), and shortest paths.

Every vertex of a LineString is a node; consecutive vertices are joined both
ways (``properties.oneway = true``: one way) by an edge as long as the great
circle between them. Lines meet where they share a vertex. A stop is reached
from its nearest node by a straight access leg, refused beyond ``max_snap_m``
(a cart does not cross fields). Shortest paths are Dijkstra's.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.geo import Point, distance_m


class RoadError(ValueError):
    pass


class RoadGraph:
    def __init__(self, lines: list[tuple[list[Point], bool]], max_snap_m: float = 300.0) -> None:
        self.max_snap_m = max_snap_m
        self.nodes: list[Point] = []
        self._index: dict[tuple[float, float], int] = {}
        self.edges: dict[int, list[tuple[int, float]]] = {}
        for points, oneway in lines:
            ids = [self._node(p) for p in points]
            for a, b in itertools.pairwise(ids):
                if a == b:
                    continue
                length = distance_m(self.nodes[a], self.nodes[b])
                self.edges.setdefault(a, []).append((b, length))
                if not oneway:
                    self.edges.setdefault(b, []).append((a, length))
        if not self.nodes:
            raise RoadError("the road network has no LineString")

    @classmethod
    def from_geojson(cls, path: Path, max_snap_m: float = 300.0) -> RoadGraph:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RoadError(f"{path}: {exc}") from None
        return cls(_lines(data, str(path)), max_snap_m)

    def nearest(self, p: Point) -> tuple[int, float]:
        best = min(range(len(self.nodes)), key=lambda i: distance_m(p, self.nodes[i]))
        return best, distance_m(p, self.nodes[best])

    def path(self, a: Point, b: Point) -> list[Point]:
        """``a``, the roads between, ``b``; RoadError if either is off the network."""
        start, da = self.nearest(a)
        end, db = self.nearest(b)
        for point, gap in ((a, da), (b, db)):
            if gap > self.max_snap_m:
                raise RoadError(
                    f"({point.lat:.6f}, {point.lon:.6f}) is {gap:.0f} m from the nearest road "
                    f"(at most {self.max_snap_m:.0f} m)"
                )
        nodes = self._dijkstra(start, end)
        route = [a, *(self.nodes[n] for n in nodes), b]
        # Drop repeats where a stop sits exactly on a node.
        return [p for i, p in enumerate(route) if i == 0 or p != route[i - 1]]

    def _node(self, p: Point) -> int:
        key = (round(p.lat, 7), round(p.lon, 7))
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.nodes)
            self.nodes.append(p)
        return found

    def _dijkstra(self, start: int, end: int) -> list[int]:
        best: dict[int, float] = {start: 0.0}
        previous: dict[int, int] = {}
        queue = [(0.0, start)]
        while queue:
            cost, node = heapq.heappop(queue)
            if node == end:
                break
            if cost > best.get(node, float("inf")):
                continue
            for other, length in self.edges.get(node, []):
                candidate = cost + length
                if candidate < best.get(other, float("inf")):
                    best[other] = candidate
                    previous[other] = node
                    heapq.heappush(queue, (candidate, other))
        if end not in best:
            raise RoadError("no road joins the two places")
        out = [end]
        while out[-1] != start:
            out.append(previous[out[-1]])
        return out[::-1]


def _lines(data: Any, source: str) -> list[tuple[list[Point], bool]]:
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise RoadError(f"{source}: expected a GeoJSON FeatureCollection")
    out = []
    for i, feature in enumerate(data.get("features") or []):
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping) or geometry.get("type") != "LineString":
            continue
        coordinates = geometry.get("coordinates") or []
        try:
            points = [Point(float(c[1]), float(c[0])) for c in coordinates]
        except (TypeError, ValueError, IndexError):
            raise RoadError(
                f"{source}: features[{i}]: coordinates are not [lon, lat] pairs"
            ) from None
        properties = feature.get("properties") or {}
        out.append((points, bool(properties.get("oneway", False))))
    return out
