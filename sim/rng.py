"""Named, order-independent random streams: every draw is a pure function of its keys.

The simulator must give the same run for the same seed whatever order devices
are read in and however often. So a draw is never taken from one shared
generator: it is derived from the scenario seed and names (``"weather"``, a
date, a device id, a time bucket) through a keyed hash. BLAKE2b is used, not
Python's ``hash()``, because string hashing is salted per process.
"""

from __future__ import annotations

import hashlib
import math
import random

_SCALE = 1.0 / (1 << 53)


def derive(seed: int, *keys: object) -> int:
    """A 64-bit integer fixed by ``seed`` and ``keys`` (their ``str`` forms)."""
    text = "\x1f".join([str(seed), *(str(k) for k in keys)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def stream(seed: int, *keys: object) -> random.Random:
    """A generator of its own for a sequence of draws (one year of weather, say)."""
    return random.Random(derive(seed, *keys))


def uniform(seed: int, *keys: object) -> float:
    """One draw in [0, 1)."""
    return (derive(seed, *keys) >> 11) * _SCALE


def normal(seed: int, *keys: object) -> float:
    """One standard normal draw: Box–Muller on the two 32-bit halves of one derivation."""
    bits = derive(seed, *keys)
    u1 = ((bits >> 32) + 0.5) / 4294967296.0  # in (0, 1): the logarithm stays finite
    u2 = (bits & 0xFFFFFFFF) / 4294967296.0
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
