"""Distances and bearings on the globe, at village scale."""

from __future__ import annotations

import pytest

from sim.geo import Point, along, bearing_deg, distance_m, manhattan_path, offset, path_length_m


def test_one_degree_of_latitude_is_111_km() -> None:
    assert distance_m(Point(33.0, 133.0), Point(34.0, 133.0)) == pytest.approx(111_195, rel=1e-3)


def test_bearings_point_the_right_way() -> None:
    here = Point(33.57, 133.52)
    assert bearing_deg(here, Point(33.58, 133.52)) == pytest.approx(0.0, abs=1e-6)
    assert bearing_deg(here, Point(33.57, 133.53)) == pytest.approx(90.0, abs=0.01)
    assert bearing_deg(here, Point(33.56, 133.52)) == pytest.approx(180.0, abs=1e-6)


def test_offsets_and_interpolation_agree_with_distance() -> None:
    here = Point(33.57, 133.52)
    moved = offset(here, 30.0, 40.0)
    assert distance_m(here, moved) == pytest.approx(50.0, rel=1e-3)
    half = along(here, moved, 0.5)
    assert distance_m(here, half) == pytest.approx(25.0, rel=1e-3)


def test_a_manhattan_path_goes_round_the_corner() -> None:
    a, b = Point(33.57, 133.52), Point(33.58, 133.53)
    path = manhattan_path(a, b)
    assert path == [a, Point(33.57, 133.53), b]
    assert path_length_m(path) > distance_m(a, b)
    assert manhattan_path(a, Point(33.57, 133.53)) == [a, Point(33.57, 133.53)]
