"""Throughput and CPU cost of ``Storage.write_readings``, for bench/ingest.py."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

from drivers.reading import Quality, Reading
from edge.storage import Storage

DEVICES = 40
POINTS: tuple[tuple[str, str, float, float], ...] = (
    # point, unit, low, high: the spread a soil probe and its radio report
    ("moisture", "%", 12.0, 45.0),
    ("temperature", "°C", 4.0, 32.0),
    ("ec", "µS/cm", 150.0, 2200.0),
    ("ph", "pH", 5.2, 7.8),
    ("battery", "V", 3.3, 4.2),
    ("rssi", "dBm", -112.0, -58.0),
)
POLL_INTERVAL_S = 10.0
START_TS = 1_750_000_000.0


def _readings(total: int, seed: int = 7) -> Iterator[Reading]:
    rng = random.Random(seed)
    produced = 0
    poll = 0
    while True:
        ts = START_TS + poll * POLL_INTERVAL_S
        for device in range(DEVICES):
            for point, unit, low, high in POINTS:
                if produced == total:
                    return
                produced += 1
                # About one in a hundred polls hits a probe's "no value" sentinel.
                if rng.random() < 0.01:
                    yield Reading(f"node-{device:02d}", point, ts, None, unit, Quality.INVALID)
                else:
                    value = round(rng.uniform(low, high), 2)
                    yield Reading(f"node-{device:02d}", point, ts, value, unit)
        poll += 1


def measure_writer(path: Path, total: int = 200_000, batch: int = 500) -> dict[str, float]:
    """Write ``total`` readings in batches of ``batch`` into a new database at ``path``.

    Only the ``write_readings`` calls are timed; making the readings is not.
    """
    if total < 1 or batch < 1:
        raise ValueError(f"measure_writer: total and batch must be >= 1, got {total}, {batch}")
    wall = 0.0
    cpu = 0.0
    pending: list[Reading] = []
    with Storage.open(path) as storage:
        for reading in _readings(total):
            pending.append(reading)
            if len(pending) == batch:
                wall, cpu = _timed_write(storage, pending, wall, cpu)
                pending = []
        if pending:
            wall, cpu = _timed_write(storage, pending, wall, cpu)
    return {
        "readings_per_s": total / wall if wall > 0 else float("inf"),
        "cpu_s_per_100k": cpu * 100_000 / total,
    }


def _timed_write(
    storage: Storage, readings: list[Reading], wall: float, cpu: float
) -> tuple[float, float]:
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    storage.write_readings(readings)
    return wall + time.perf_counter() - wall_start, cpu + time.process_time() - cpu_start
