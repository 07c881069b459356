"""Drone legs around no-fly zones: the shortest path that stays out of every polygon.

Paths run through the zones' vertices pushed outward by a margin (a visibility
graph), so a drone never grazes a boundary. A leg whose end lies inside a zone,
or that no path can join, is forbidden.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from planner.geo import (
    LocalProjection,
    Location,
    Point,
    point_in_polygon,
    projection_for,
    segment_enters_polygon,
    signed_area,
)
from planner.problem import NoFlyZone

DEFAULT_MARGIN_M = 25.0


@dataclass(frozen=True, slots=True)
class _Zone:
    id: str
    ring: tuple[Point, ...]
    bbox: tuple[float, float, float, float]


def _bbox(ring: Sequence[Point]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def _inflate(ring: Sequence[Point], margin: float) -> list[Point]:
    ccw = list(ring) if signed_area(ring) > 0 else list(reversed(ring))
    out: list[Point] = []
    n = len(ccw)
    for i in range(n):
        prev, cur, nxt = ccw[i - 1], ccw[i], ccw[(i + 1) % n]
        n1 = _outward_normal(prev, cur)
        n2 = _outward_normal(cur, nxt)
        bx, by = n1[0] + n2[0], n1[1] + n2[1]
        norm = math.hypot(bx, by)
        if norm < 1e-12:
            continue
        bx, by = bx / norm, by / norm
        # Offset along the bisector so both adjacent edges move out by `margin`;
        # capped so a needle-sharp vertex does not fly off kilometres away.
        cos_half = max(bx * n1[0] + by * n1[1], 0.25)
        out.append((cur[0] + bx * margin / cos_half, cur[1] + by * margin / cos_half))
    return out


def _outward_normal(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return (dy / length, -dx / length)  # right of a counter-clockwise edge: outside


class Airspace:
    """No-fly zones in a local projection, with their detour graph."""

    def __init__(
        self, zones: Sequence[NoFlyZone], origin: LocalProjection, margin_m: float
    ) -> None:
        self.projection = origin
        self._zones = [
            _Zone(z.id, ring, _bbox(ring))
            for z in zones
            for ring in [tuple(origin.to_xy(p) for p in z.polygon)]
        ]
        self._vertices: list[Point] = [
            v for z in self._zones for v in _inflate(z.ring, margin_m) if self.zone_at(v) is None
        ]
        n = len(self._vertices)
        self._vv: list[list[float]] = [[math.inf] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                if self.blocking_zone(self._vertices[i], self._vertices[j]) is None:
                    d = math.dist(self._vertices[i], self._vertices[j])
                    self._vv[i][j] = self._vv[j][i] = d

    @property
    def empty(self) -> bool:
        return not self._zones

    def zone_at(self, p: Point) -> str | None:
        for z in self._zones:
            x0, y0, x1, y1 = z.bbox
            if x0 <= p[0] <= x1 and y0 <= p[1] <= y1 and point_in_polygon(p, z.ring):
                return z.id
        return None

    def blocking_zone(self, a: Point, b: Point) -> str | None:
        for z in self._zones:
            x0, y0, x1, y1 = z.bbox
            if max(a[0], b[0]) < x0 or min(a[0], b[0]) > x1:
                continue
            if max(a[1], b[1]) < y0 or min(a[1], b[1]) > y1:
                continue
            if segment_enters_polygon(a, b, z.ring):
                return z.id
        return None

    def shortest_paths_from(self, source: Point) -> tuple[list[float], list[int]]:
        """Dijkstra over the detour vertices from `source`: distance and predecessor
        (-1 means straight from the source)."""
        n = len(self._vertices)
        dist = [math.inf] * n
        pred = [-1] * n
        heap: list[tuple[float, int]] = []
        for i, v in enumerate(self._vertices):
            if self.blocking_zone(source, v) is None:
                dist[i] = math.dist(source, v)
                heapq.heappush(heap, (dist[i], i))
        done = [False] * n
        while heap:
            d, i = heapq.heappop(heap)
            if done[i]:
                continue
            done[i] = True
            row = self._vv[i]
            for j in range(n):
                nd = d + row[j]
                if nd < dist[j]:
                    dist[j] = nd
                    pred[j] = i
                    heapq.heappush(heap, (nd, j))
        return dist, pred

    def detour(
        self, a: Point, b: Point, from_a: tuple[list[float], list[int]]
    ) -> list[Point] | None:
        """Shortest path a..b through detour vertices, or None if there is none."""
        dist, pred = from_a
        best, last = math.inf, -1
        for i, v in enumerate(self._vertices):
            if dist[i] < math.inf:
                total = dist[i] + math.dist(v, b)
                if total < best and self.blocking_zone(v, b) is None:
                    best, last = total, i
        if last < 0:
            return None
        chain: list[Point] = []
        while last >= 0:
            chain.append(self._vertices[last])
            last = pred[last]
        return [a, *reversed(chain), b]


@lru_cache(maxsize=8)
def airspace_for(zones: tuple[NoFlyZone, ...], margin_m: float = DEFAULT_MARGIN_M) -> Airspace:
    """One airspace per set of zones: its detour graph is built once and reused
    by every matrix and re-plan over the same zones."""
    origin = projection_for([p for z in zones for p in z.polygon])
    return Airspace(zones, origin, margin_m)


def to_locations(airspace: Airspace, path: Sequence[Point]) -> tuple[Location, ...]:
    return tuple(airspace.projection.to_location(p) for p in path)
