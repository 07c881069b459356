from __future__ import annotations

import random

import pytest

from edge.uplink.backoff import Backoff


def test_delays_double_within_their_jitter_and_stay_within_bounds() -> None:
    backoff = Backoff(1.0, 60.0, jitter=0.25, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    for n, delay in enumerate(delays):
        base = min(60.0, 2.0**n)
        assert max(1.0, base * 0.75) <= delay <= min(60.0, base * 1.25)
    assert all(d <= 60.0 for d in delays)
    assert delays[-1] >= 45.0


def test_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(0.5, 8.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_a_zero_delay_that_would_spin_is_refused() -> None:
    with pytest.raises(ValueError, match="need 0 < initial_s <= max_s, got 0 and 1"):
        Backoff(0, 1)
