"""Cart routing on a GeoJSON road graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.geo import Point, path_length_m
from sim.roads import RoadError, RoadGraph
from tests.sim.scenarios import SCENARIOS


def write(tmp_path: Path, features: list[dict[str, object]]) -> Path:
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def line(coords: list[list[float]], **props: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def test_the_shortest_of_two_roads_is_taken(tmp_path: Path) -> None:
    # From (0,0) to (0.002,0): straight along the bottom, or a detour over the top.
    roads = RoadGraph.from_geojson(
        write(
            tmp_path,
            [
                line([[133.000, 33.000], [133.002, 33.000]]),
                line([[133.000, 33.000], [133.000, 33.002], [133.002, 33.002], [133.002, 33.000]]),
            ],
        )
    )
    path = roads.path(Point(33.0, 133.0), Point(33.0, 133.002))
    assert path == [Point(33.0, 133.0), Point(33.0, 133.002)]


def test_one_way_roads_are_driven_one_way(tmp_path: Path) -> None:
    roads = RoadGraph.from_geojson(
        write(
            tmp_path,
            [
                line([[133.000, 33.000], [133.002, 33.000]], oneway=True),
                line([[133.002, 33.000], [133.002, 33.002], [133.000, 33.002], [133.000, 33.000]]),
            ],
        )
    )
    forward = roads.path(Point(33.0, 133.0), Point(33.0, 133.002))
    back = roads.path(Point(33.0, 133.002), Point(33.0, 133.0))
    assert path_length_m(back) > 2.5 * path_length_m(forward)


def test_a_stop_far_from_any_road_is_refused(tmp_path: Path) -> None:
    roads = RoadGraph.from_geojson(write(tmp_path, [line([[133.0, 33.0], [133.001, 33.0]])]), 100.0)
    with pytest.raises(RoadError, match="from the nearest road"):
        roads.path(Point(33.0, 133.0), Point(33.01, 133.0))


def test_disconnected_roads_and_bad_files_are_errors(tmp_path: Path) -> None:
    roads = RoadGraph.from_geojson(
        write(
            tmp_path,
            [line([[133.0, 33.0], [133.001, 33.0]]), line([[133.01, 33.0], [133.011, 33.0]])],
        )
    )
    with pytest.raises(RoadError, match="no road joins"):
        roads.path(Point(33.0, 133.0), Point(33.0, 133.011))
    (tmp_path / "bad.geojson").write_text("{")
    with pytest.raises(RoadError):
        RoadGraph.from_geojson(tmp_path / "bad.geojson")
    with pytest.raises(RoadError, match="no LineString"):
        RoadGraph.from_geojson(write(tmp_path, []))


def test_the_shipped_village_roads_join_the_hall_to_the_coop() -> None:
    roads = RoadGraph.from_geojson(SCENARIOS / "mountain_village_roads.geojson")
    path = roads.path(Point(33.5710, 133.5195), Point(33.5655, 133.5238))
    assert 700 < path_length_m(path) < 1000
