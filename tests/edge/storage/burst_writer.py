"""Writes batches of readings for ever, reporting each one once it is stored.

Run by the kill test: ``python burst_writer.py DB_PATH``. Prints
``stored <batch_no> <n_rows>`` (flushed) only after ``write_readings`` returned,
so every line is a promise that the batch is durable. A batch's readings are a
pure function of its number, so the test can check each promise.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.storage import Storage

BASE_TS = 1_750_000_000.0
MAX_BATCHES = 100_000
"""Stops a runaway writer if the test that should kill it is gone."""


def batch_size(batch_no: int) -> int:
    return random.Random(batch_no).randint(1, 400)


def batch_readings(batch_no: int) -> list[Reading]:
    """Readings of one batch: distinct (device, point, ts) from every other batch."""
    device = f"d{batch_no % 7}"
    out: list[Reading] = []
    for i in range(batch_size(batch_no)):
        ts = BASE_TS + batch_no + i / 1000
        point = f"p{i % 6}"
        if i % 11 == 0:
            out.append(Reading(device, point, ts, None, "u", Quality.INVALID))
        elif i % 13 == 0:
            out.append(Reading(device, point, ts, f"text-{batch_no}", "u", Quality.STALE))
        else:
            out.append(Reading(device, point, ts, batch_no + i / 1000, "u"))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} DB_PATH", file=sys.stderr)
        return 2
    with Storage.open(Path(argv[1])) as storage:
        for batch_no in range(MAX_BATCHES):
            stored = storage.write_readings(batch_readings(batch_no))
            print(f"stored {batch_no} {stored}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
