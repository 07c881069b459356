"""Geometry on the Earth's surface at the scale of a rural region.

Distances are great-circle (haversine) on a spherical Earth. Polygon tests run
in a local equirectangular projection centred on the region: over a few tens of
kilometres its distortion is far below GPS error, and it keeps segment and
polygon tests exact in the plane.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS 84 position in decimal degrees."""

    lat: float
    lon: float


def haversine_m(a: Location, b: Location) -> float:
    phi1 = math.radians(a.lat)
    phi2 = math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def planar_m(a: Location, b: Location) -> float:
    return math.hypot(a.lon - b.lon, a.lat - b.lat)


def path_length_m(path: Sequence[Location], planar: bool = False) -> float:
    step = planar_m if planar else haversine_m
    return sum(step(a, b) for a, b in itertools.pairwise(path))


Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular metres around an origin; x east, y north."""

    origin: Location

    def to_xy(self, loc: Location) -> Point:
        k = math.cos(math.radians(self.origin.lat))
        x = math.radians(loc.lon - self.origin.lon) * EARTH_RADIUS_M * k
        y = math.radians(loc.lat - self.origin.lat) * EARTH_RADIUS_M
        return (x, y)

    def to_location(self, p: Point) -> Location:
        k = math.cos(math.radians(self.origin.lat))
        lat = self.origin.lat + math.degrees(p[1] / EARTH_RADIUS_M)
        lon = self.origin.lon + math.degrees(p[0] / (EARTH_RADIUS_M * k))
        return Location(lat, lon)


def projection_for(locations: Sequence[Location]) -> LocalProjection:
    if not locations:
        return LocalProjection(Location(0.0, 0.0))
    lat = sum(loc.lat for loc in locations) / len(locations)
    lon = sum(loc.lon for loc in locations) / len(locations)
    return LocalProjection(Location(lat, lon))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """Proper crossing: the segments' interiors intersect at a single point.

    Touching at an endpoint or sliding along an edge is not a crossing, so a path
    may run along a zone's (already inflated) boundary.
    """
    d1 = _cross(q1, q2, p1)
    d2 = _cross(q1, q2, p2)
    d3 = _cross(p1, p2, q1)
    d4 = _cross(p1, p2, q2)
    return ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4)


def point_in_polygon(p: Point, ring: Sequence[Point]) -> bool:
    """Strict interior test by ray casting (points on the boundary count as outside)."""
    inside = False
    n = len(ring)
    for i in range(n):
        a = ring[i]
        b = ring[(i + 1) % n]
        if _on_segment(p, a, b):
            return False
        if (a[1] > p[1]) != (b[1] > p[1]):
            x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if p[0] < x:
                inside = not inside
    return inside


def _on_segment(p: Point, a: Point, b: Point, eps: float = 1e-9) -> bool:
    if abs(_cross(a, b, p)) > eps * max(1.0, math.dist(a, b)):
        return False
    return min(a[0], b[0]) - eps <= p[0] <= max(a[0], b[0]) + eps and (
        min(a[1], b[1]) - eps <= p[1] <= max(a[1], b[1]) + eps
    )


def segment_enters_polygon(p1: Point, p2: Point, ring: Sequence[Point]) -> bool:
    """Whether the open segment p1-p2 passes through the polygon's interior.

    Either it properly crosses an edge, or it runs between two boundary points
    through the inside (a chord between vertices), which the midpoint test catches.
    """
    n = len(ring)
    for i in range(n):
        if segments_cross(p1, p2, ring[i], ring[(i + 1) % n]):
            return True
    mid = ((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2)
    return point_in_polygon(mid, ring) or point_in_polygon(p1, ring) or point_in_polygon(p2, ring)


def signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area; positive for counter-clockwise rings."""
    n = len(ring)
    return (
        sum(ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1] for i in range(n))
        / 2
    )
