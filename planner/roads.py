"""Cart travel on a road graph: shortest paths over a small GeoJSON road network.

Places join the graph at their nearest road vertex by a short straight access
leg; a place farther than the network's `max_snap_m` from every road cannot be
reached by cart (an island, a field with no track).
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from planner.geo import Location, haversine_m
from planner.problem import RoadNetwork


@dataclass(frozen=True, slots=True)
class Snap:
    node: int
    access_m: float


class RoadGraph:
    def __init__(self, network: RoadNetwork) -> None:
        self.max_snap_m = network.max_snap_m
        self._ids: dict[tuple[float, float], int] = {}
        self.nodes: list[Location] = []
        self._adj: list[list[tuple[int, float]]] = []
        for edge in network.edges:
            ids = [self._node(p) for p in edge.points]
            for a, b in itertools.pairwise(ids):
                if a == b:
                    continue
                length = haversine_m(self.nodes[a], self.nodes[b])
                self._adj[a].append((b, length))
                if not edge.oneway:
                    self._adj[b].append((a, length))
        self._trees: dict[int, tuple[list[float], list[int]]] = {}

    def _node(self, p: Location) -> int:
        # Vertices shared by two LineStrings join the roads; 1e-7° is about 1 cm.
        key = (round(p.lat, 7), round(p.lon, 7))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.nodes)
            self.nodes.append(p)
            self._adj.append([])
        return found

    def snap(self, p: Location) -> Snap | None:
        best, best_d = -1, math.inf
        for i, node in enumerate(self.nodes):
            d = haversine_m(p, node)
            if d < best_d:
                best, best_d = i, d
        if best < 0 or best_d > self.max_snap_m:
            return None
        return Snap(best, best_d)

    def tree(self, source: int) -> tuple[list[float], list[int]]:
        """Single-source shortest paths, kept: re-plans query the same sites again."""
        cached = self._trees.get(source)
        if cached is not None:
            return cached
        dist = [math.inf] * len(self.nodes)
        pred = [-1] * len(self.nodes)
        dist[source] = 0.0
        heap = [(0.0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, w in self._adj[u]:
                if d + w < dist[v]:
                    dist[v] = d + w
                    pred[v] = u
                    heapq.heappush(heap, (d + w, v))
        self._trees[source] = (dist, pred)
        return dist, pred

    def route(self, a: Snap, b: Snap) -> tuple[float, list[int]] | None:
        """Road distance and node sequence between two snapped places."""
        dist, pred = self.tree(a.node)
        if dist[b.node] == math.inf:
            return None
        nodes = [b.node]
        while nodes[-1] != a.node:
            nodes.append(pred[nodes[-1]])
        nodes.reverse()
        return dist[b.node], nodes


@lru_cache(maxsize=4)
def road_graph_for(network: RoadNetwork) -> RoadGraph:
    return RoadGraph(network)
