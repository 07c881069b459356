from __future__ import annotations

import math

import pytest

from planner.geo import haversine_m
from planner.matrix import build_matrix
from planner.problem import NoFlyZone, RoadEdge, RoadNetwork, VehicleKind
from tests.planner.builders import at

WALL = NoFlyZone("wall", (at(-200, 400), at(-200, 600), at(200, 600), at(200, 400)))


def test_drone_leg_through_a_zone_is_detoured_around_it() -> None:
    places = (at(0, 0), at(0, 1000))
    m = build_matrix(VehicleKind.DRONE, places, (WALL,), None, 1.0, planar=False)
    straight = haversine_m(*places)
    assert m.distance_m[0][1] > straight
    path = m.path(0, 1)
    assert len(path) > 2
    assert path[0] == places[0]
    assert path[-1] == places[1]
    # It goes round the end of the wall, 200 m off the straight line.
    assert max(abs(p.lat - 35.0) * 111_195 for p in path) >= 200.0


def test_drone_cannot_reach_a_place_inside_a_zone() -> None:
    places = (at(0, 0), at(0, 500))
    m = build_matrix(VehicleKind.DRONE, places, (WALL,), None, 1.0, planar=False)
    assert math.isinf(m.distance_m[0][1])
    assert "wall" in m.unreachable[1]


def test_cart_without_roads_uses_great_circle_times_detour_factor() -> None:
    places = (at(0, 0), at(300, 400))
    m = build_matrix(VehicleKind.CART, places, (), None, 1.3, planar=False)
    assert m.distance_m[0][1] == pytest.approx(haversine_m(*places) * 1.3)


def test_cart_follows_the_road_graph_and_cannot_reach_an_island() -> None:
    road = RoadNetwork((RoadEdge((at(0, 0), at(1000, 0), at(1000, 1000))),), max_snap_m=100.0)
    places = (at(0, 0), at(1000, 1000), at(-5000, 5000))
    m = build_matrix(VehicleKind.CART, places, (), road, 1.3, planar=False)
    assert m.distance_m[0][1] == pytest.approx(2000.0, rel=0.01)  # along the L, not 1414 m
    assert math.isinf(m.distance_m[0][2])
    assert "road" in m.unreachable[2]
