"""Named random streams: pure functions of seed and keys."""

from __future__ import annotations

import statistics

from sim import rng


def test_a_draw_depends_only_on_seed_and_keys() -> None:
    assert rng.uniform(7, "noise", "soil-1", 42) == rng.uniform(7, "noise", "soil-1", 42)
    assert rng.normal(7, "a", 1) == rng.normal(7, "a", 1)
    assert rng.stream(7, "weather", 2026).random() == rng.stream(7, "weather", 2026).random()


def test_other_seeds_and_keys_give_other_draws() -> None:
    base = rng.uniform(7, "noise", "soil-1", 42)
    assert rng.uniform(8, "noise", "soil-1", 42) != base
    assert rng.uniform(7, "noise", "soil-2", 42) != base
    assert rng.uniform(7, "noise", "soil-1", 43) != base
    # Keys are joined with a separator, so ("ab", "c") and ("a", "bc") differ.
    assert rng.derive(1, "ab", "c") != rng.derive(1, "a", "bc")


def test_draws_have_the_distributions_they_claim() -> None:
    uniforms = [rng.uniform(3, "u", i) for i in range(4000)]
    normals = [rng.normal(3, "n", i) for i in range(4000)]
    assert all(0.0 <= u < 1.0 for u in uniforms)
    assert abs(statistics.mean(uniforms) - 0.5) < 0.02
    assert abs(statistics.mean(normals)) < 0.06
    assert abs(statistics.stdev(normals) - 1.0) < 0.05
