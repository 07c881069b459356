"""What a search engine hands back, and what it is asked to respect beyond the problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchRequest:
    """Extra instructions for one search over a validated problem.

    `skip`: stops left out (already known unservable). `commitments`: per vehicle,
    the stops it must do first, in this order (re-planning). `hint`: routes to
    start from. `energy_scale`: per drone, a factor (>= 1) on its modelled energy,
    raised when a plan's exact energy overran the solver's estimate.
    """

    budget_s: float
    seed: int = 0
    max_iterations: int | None = None  # set it for a plan that depends on the seed only
    skip: frozenset[str] = frozenset()
    commitments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hint: Mapping[str, tuple[str, ...]] | None = None
    energy_scale: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RawSolution:
    """Stop sequences per vehicle (vehicles with no stops omitted)."""

    routes: dict[str, tuple[str, ...]]
    engine: str
