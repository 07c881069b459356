"""The legs a vehicle moves along: cart paths on the ground, drone flights through the air.

A cart follows the mission's waypoints when it has them (the planner's road
path), else the road graph, else an L-shaped (Manhattan) path. A drone climbs
vertically to its cruise altitude, flies straight through its waypoints and
descends vertically onto the stop.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from sim.geo import Point, distance_m, manhattan_path
from sim.roads import RoadGraph

DRONE_CLIMB_MS = 3.0
DRONE_DESCENT_MS = 2.0


class Motion(StrEnum):
    GROUND = "ground"
    CRUISE = "cruise"
    CLIMB = "climb"
    DESCEND = "descend"


@dataclass(frozen=True, slots=True)
class Segment:
    a: Point
    b: Point
    alt_a: float
    alt_b: float
    motion: Motion

    @property
    def horizontal_m(self) -> float:
        return distance_m(self.a, self.b)

    @property
    def length_m(self) -> float:
        """The distance the segment's speed applies to: horizontal, or vertical for climbs."""
        if self.motion in (Motion.CLIMB, Motion.DESCEND):
            return abs(self.alt_b - self.alt_a)
        return self.horizontal_m


def cart_path(
    a: Point, b: Point, waypoints: tuple[Point, ...], roads: RoadGraph | None
) -> list[Point]:
    if waypoints:
        points = [a, *waypoints, b]
    elif roads is not None:
        points = roads.path(a, b)
    else:
        points = manhattan_path(a, b)
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def cart_leg(points: list[Point]) -> list[Segment]:
    return [Segment(p, q, 0.0, 0.0, Motion.GROUND) for p, q in itertools.pairwise(points)]


def drone_leg(
    a: Point, b: Point, waypoints: tuple[Point, ...], cruise_m: float, from_alt_m: float = 0.0
) -> list[Segment]:
    points = [a, *waypoints, b]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    out = []
    if from_alt_m < cruise_m:
        out.append(Segment(a, a, from_alt_m, cruise_m, Motion.CLIMB))
    out += [Segment(p, q, cruise_m, cruise_m, Motion.CRUISE) for p, q in itertools.pairwise(points)]
    out.append(Segment(b, b, cruise_m, 0.0, Motion.DESCEND))
    return out
