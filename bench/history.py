"""Cost of a 30-day hourly history (``Storage.rollup_history``) with and without
the hourly summary cache, and of the maintenance run that backfills the cache.

The database holds ``--days`` of 10 s readings for ``--series`` points, all
still raw as with the default 30-day retention. "before" is the state a
database is in right after migration 4 (no watermark: every raw row is
aggregated per request); "after" follows one maintenance run, which summarises
every complete hour, one hour per transaction. Both answers are checked equal.
Prints progress, then one JSON object as the last line.

    python bench/history.py [--days 30] [--series 1] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drivers.reading import Reading  # noqa: E402
from edge.storage import Storage  # noqa: E402
from edge.storage.rollup import HourlyRollup  # noqa: E402

STEP_S = 10.0
BATCH = 20_000


def fill(storage: Storage, series: int, days: float, now: float) -> int:
    start = now - days * 86_400
    polls = int(days * 86_400 / STEP_S)
    batch: list[Reading] = []
    rows = 0
    for i in range(polls):
        ts = start + i * STEP_S
        for s in range(series):
            batch.append(
                Reading(f"soil-{s // 4 + 1}", f"p{s % 4}", ts, 20.0 + (i + s) % 97 / 7, "")
            )
        if len(batch) >= BATCH:
            rows += storage.write_readings(batch)
            batch = []
    rows += storage.write_readings(batch)
    return rows


def p50_ms(
    storage: Storage, start: float, end: float, repeat: int
) -> tuple[float, list[HourlyRollup]]:
    times = []
    answer: list[HourlyRollup] = []
    for _ in range(repeat):
        t = time.perf_counter()
        answer = storage.rollup_history("soil-1", "p0", start, end)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--series", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage.open(Path(tmp) / "kakashi.db")
        now = time.time()
        t0 = time.perf_counter()
        rows = fill(storage, args.series, args.days, now)
        print(f"filled {rows} readings in {time.perf_counter() - t0:.0f} s", flush=True)
        start = now - args.days * 86_400
        before, old = p50_ms(storage, start, now, args.repeat)
        print(f"before: p50 {before} ms for {len(old)} hours", flush=True)
        t0 = time.perf_counter()
        report = storage.maintain(now)
        backfill_s = time.perf_counter() - t0
        print(
            f"backfill: {report.summarised_hours} hours summarised in {backfill_s:.2f} s",
            flush=True,
        )
        after, new = p50_ms(storage, start, now, args.repeat)
        print(f"after: p50 {after} ms", flush=True)
        assert new == old, "the cache changed the answer"
        t0 = time.perf_counter()
        storage.maintain(now)
        idle_ms = (time.perf_counter() - t0) * 1000
        storage.close()
    print(
        json.dumps(
            {
                "rows": rows,
                "series": args.series,
                "hours": len(new),
                "p50_before_ms": before,
                "p50_after_ms": after,
                "backfill_s": round(backfill_s, 2),
                "backfill_hours": report.summarised_hours,
                "maintenance_caught_up_ms": round(idle_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
