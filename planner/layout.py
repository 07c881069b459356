"""Places of a problem in one fixed order (sites, then stops), and their matrices."""

from __future__ import annotations

from dataclasses import dataclass

from planner.geo import Location
from planner.matrix import TravelMatrix, build_matrix_cached
from planner.problem import Problem, VehicleKind


@dataclass(frozen=True)
class Layout:
    places: tuple[Location, ...]
    site_index: dict[str, int]
    stop_index: dict[str, int]
    matrices: dict[VehicleKind, TravelMatrix]

    def matrix(self, kind: VehicleKind) -> TravelMatrix:
        return self.matrices[kind]


def layout_for(problem: Problem) -> Layout:
    places = tuple(s.location for s in problem.sites) + tuple(s.location for s in problem.stops)
    site_index = {s.id: i for i, s in enumerate(problem.sites)}
    offset = len(problem.sites)
    stop_index = {s.id: offset + i for i, s in enumerate(problem.stops)}
    kinds = {v.kind for v in problem.vehicles}
    matrices = {
        kind: build_matrix_cached(
            kind,
            places,
            problem.no_fly_zones,
            problem.roads,
            problem.cart_detour_factor,
            problem.planar,
        )
        for kind in kinds
    }
    return Layout(places, site_index, stop_index, matrices)
