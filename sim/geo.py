"""Positions on the WGS 84 ellipsoid, as far as a village needs: great-circle distance,
bearing, and points along a short leg.

Legs are a few kilometres at most, so a point a fraction of the way along is
interpolated linearly in latitude and longitude; over 5 km that is within a
few centimetres of the great circle.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG)."""


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


def distance_m(a: Point, b: Point) -> float:
    """Haversine great-circle distance."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(a: Point, b: Point) -> float:
    """Initial course from ``a`` to ``b``, degrees from true north (0..360)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dlambda = math.radians(b.lon - a.lon)
    x = math.sin(dlambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlambda)
    return math.degrees(math.atan2(x, y)) % 360.0


def along(a: Point, b: Point, fraction: float) -> Point:
    return Point(a.lat + (b.lat - a.lat) * fraction, a.lon + (b.lon - a.lon) * fraction)


def offset(p: Point, north_m: float, east_m: float) -> Point:
    """``p`` moved by a few metres north and east (GPS noise, snapping)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(p.lat))))
    return Point(p.lat + dlat, p.lon + dlon)


def path_length_m(points: list[Point]) -> float:
    return sum(distance_m(a, b) for a, b in itertools.pairwise(points))


def manhattan_path(a: Point, b: Point) -> list[Point]:
    """An L-shaped path: along the parallel first, then the meridian (a grid of lanes)."""
    corner = Point(a.lat, b.lon)
    if corner in (a, b):
        return [a, b]
    return [a, corner, b]
