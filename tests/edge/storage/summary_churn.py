"""Writes current and late readings and runs maintenance for ever, on a virtual
clock ten minutes further each round, so summarising, re-summarising and
folding all happen while the summary kill test may strike.

Run by that test: ``python summary_churn.py DB_PATH SEED``. Prints
``round <n>`` (flushed) after each round's maintenance.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.storage import Storage

BASE_TS = 1_750_000_000.0 - 1_750_000_000.0 % 3600
ROUND_S = 600.0
MAX_ROUNDS = 10_000
"""Stops a runaway writer if the test that should kill it is gone."""


def round_readings(rng: random.Random, now: float) -> list[Reading]:
    out: list[Reading] = []
    for _ in range(rng.randint(20, 200)):
        device = f"d{rng.randrange(3)}"
        point = f"p{rng.randrange(2)}"
        # Mostly the last ten minutes, some replayed from up to ten hours ago.
        age = rng.uniform(0, ROUND_S) if rng.random() < 0.8 else rng.uniform(0, 36_000)
        ts = round(now - age, 3)
        roll = rng.random()
        if roll < 0.1:
            out.append(Reading(device, point, ts, None, "u", Quality.INVALID))
        elif roll < 0.15:
            out.append(Reading(device, point, ts, "text", "u"))
        else:
            out.append(Reading(device, point, ts, rng.uniform(-5, 40), "u"))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} DB_PATH SEED", file=sys.stderr)
        return 2
    rng = random.Random(int(argv[2]))
    with Storage.open(Path(argv[1]), raw_retention_days=0.25) as storage:
        for n in range(MAX_ROUNDS):
            now = BASE_TS + 12 * 3600 + n * ROUND_S
            storage.write_readings(round_readings(rng, now))
            storage.maintain(now)
            print(f"round {n}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
