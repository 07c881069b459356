"""The hourly summary cache: backfill, late readings, folds, crashes, and
``rollup_history`` equal to a brute-force aggregation through all of them."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest

from drivers.reading import Quality, Reading
from edge.storage import HourlyRollup, Storage
from edge.storage.lean_import import Database
from edge.storage.summaries import set_watermark, watermark_ms
from edge.storage.timestamps import to_ms
from edge.storage.transaction import write_transaction
from tests.edge.storage.sigkill import assert_intact, kill_after_lines
from tests.edge.storage.summary_checks import (
    HourRow,
    assert_summaries_match_raw,
    brute_force_hours,
)

HOUR = 3600.0
BASE = 1_750_003_200.0  # an hour boundary
NOW = BASE + 10 * HOUR + 1800  # half past the eleventh hour
CHURN = Path(__file__).with_name("summary_churn.py")


def _rows(rollups: list[HourlyRollup]) -> list[HourRow]:
    return [(r.hour, r.n, r.n_good, r.min, r.max, r.mean) for r in rollups]


def _assert_same_hours(actual: list[HourRow], expected: list[HourRow]) -> None:
    # Exact but for the mean, whose sum SQLite adds up in another order.
    assert [row[:5] for row in actual] == [row[:5] for row in expected]
    for got, want in zip(actual, expected, strict=True):
        if want[5] is None:
            assert got[5] is None
        else:
            assert got[5] == pytest.approx(want[5], rel=1e-12, abs=1e-9)


def _summary_count(storage: Storage) -> int:
    with storage.locked() as db:
        return int(db.conn.execute("SELECT count(*) FROM hourly_summaries").fetchone()[0])


def _watermark(storage: Storage) -> int | None:
    with storage.locked() as db:
        return watermark_ms(db)


def _check_invariant(storage: Storage) -> None:
    with storage.locked() as db:
        assert_summaries_match_raw(db)


def _steady(device: str, point: str, start: float, hours: int, step: float = 60) -> list[Reading]:
    return [
        Reading(device, point, start + i * step, float(i % 17), "%")
        for i in range(int(hours * HOUR / step))
    ]


def test_first_maintenance_backfills_complete_hours_only(storage: Storage) -> None:
    readings = _steady("soil-1", "moisture", BASE, 11) + _steady("soil-1", "ec", BASE, 11)
    storage.write_readings(readings)
    before = storage.rollup_history("soil-1", "moisture", BASE, NOW)
    assert _watermark(storage) is None

    report = storage.maintain(NOW)

    assert report.summarised_hours == 10
    assert _watermark(storage) == to_ms(BASE + 10 * HOUR)
    assert _summary_count(storage) == 2 * 10  # the current hour stays raw
    assert storage.rollup_history("soil-1", "moisture", BASE, NOW) == before
    # Raw rows stay until retention: the cache only adds.
    assert len(storage.history("soil-1", "moisture", BASE, BASE + 11 * HOUR)) == 11 * 60
    _check_invariant(storage)
    again = storage.maintain(NOW)
    assert again.summarised_hours == 0
    assert _summary_count(storage) == 20


def test_empty_hours_are_skipped_not_summarised(storage: Storage) -> None:
    storage.write_readings(
        [Reading("d", "p", BASE + 5, 1.0, ""), Reading("d", "p", BASE + 7 * HOUR + 5, 2.0, "")]
    )
    report = storage.maintain(NOW)
    assert report.summarised_hours == 2
    assert _summary_count(storage) == 2
    assert _watermark(storage) == to_ms(BASE + 10 * HOUR)
    rows = _rows(storage.rollup_history("d", "p", BASE, NOW))
    assert rows == [(BASE, 1, 1, 1.0, 1.0, 1.0), (BASE + 7 * HOUR, 1, 1, 2.0, 2.0, 2.0)]


def test_long_ranges_read_the_summaries_not_the_raw_rows(storage: Storage) -> None:
    storage.write_readings(_steady("d", "p", BASE, 11))
    storage.maintain(NOW)
    # Doctor one summary: if the history still showed the raw figure, it would
    # not be reading the cache.
    with storage.locked() as db, write_transaction(db):
        db.conn.execute("UPDATE hourly_summaries SET n = 999 WHERE hour_ts = ?", (to_ms(BASE),))
    hours = storage.rollup_history("d", "p", BASE, NOW)
    assert [h.n for h in hours] == [999] + [60] * 10


def test_late_and_replaced_readings_update_their_summary(storage: Storage) -> None:
    storage.write_readings(_steady("d", "p", BASE, 3))
    storage.maintain(NOW)
    hour = BASE + HOUR
    # A device replays its buffer into a summarised hour, and a stored reading
    # is replaced with another value (INSERT OR REPLACE on the same time).
    storage.write_readings(
        [
            Reading("d", "p", hour + 30, 100.0, "%"),
            Reading("d", "p", hour + 90, None, "%", Quality.INVALID),
            Reading("d", "p", hour + 120, -3.0, "%"),  # was float(62 % 17)
        ]
    )
    _check_invariant(storage)
    (row,) = _rows(storage.rollup_history("d", "p", hour, hour + 1))
    values = [float(i % 17) for i in range(60, 120) if i != 62] + [100.0, -3.0]
    assert row == pytest.approx((hour, 62, 61, -3.0, 100.0, sum(values) / 61))


def test_a_new_series_replayed_before_the_watermark_gets_its_summary(storage: Storage) -> None:
    storage.write_readings(_steady("d", "p", BASE, 2))
    storage.maintain(NOW)
    storage.write_readings(
        [Reading("late", "p", BASE + 10, 4.0, ""), Reading("late", "p", 7, 5.0, "")]
    )
    _check_invariant(storage)
    assert _rows(storage.rollup_history("late", "p", BASE, NOW)) == [(BASE, 1, 1, 4.0, 4.0, 4.0)]
    # Far before anything summarised (1970): still below the watermark.
    assert _rows(storage.rollup_history("late", "p", 0, 1)) == [(0.0, 1, 1, 5.0, 5.0, 5.0)]


def test_folding_an_hour_drops_its_summaries(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "k.db", raw_retention_days=4 / 24)
    storage.write_readings(_steady("d", "p", BASE, 11) + _steady("e", "q", BASE, 11))
    before = storage.rollup_history("d", "p", BASE, NOW)
    report = storage.maintain(NOW)
    # Hours before NOW - 4 h (rounded down to the hour) are folded away first.
    assert report.pruned_retention == 2 * 6 * 60
    assert report.summarised_hours == 4
    _check_invariant(storage)
    assert _summary_count(storage) == 2 * 4
    assert storage.rollup_history("d", "p", BASE, NOW) == before
    # A late reading for a folded hour adds to its rollup, then folds too.
    storage.write_readings([Reading("d", "p", BASE + 30, 50.0, "%")])
    _check_invariant(storage)
    assert storage.rollup_history("d", "p", BASE, BASE + 1)[0].max == 50.0
    storage.maintain(NOW)
    _check_invariant(storage)
    assert storage.rollup_history("d", "p", BASE, BASE + 1)[0].n == 61
    storage.close()


def test_disk_budget_frees_summaries_with_their_raw_rows(tmp_path: Path) -> None:
    budget = 400_000
    storage = Storage.open(tmp_path / "k.db", disk_budget_bytes=budget)
    points = ("a", "b", "c", "d")
    for point in points:
        storage.write_readings(_steady("soil", point, BASE, 11, step=2))
    before = {p: storage.rollup_history("soil", p, BASE, NOW) for p in points}
    report = storage.maintain(NOW)
    assert report.pruned_budget > 0
    assert report.used_bytes <= budget
    assert storage.stats().used_bytes <= budget
    _check_invariant(storage)
    for point in points:
        assert storage.rollup_history("soil", point, BASE, NOW) == before[point]
    storage.close()


def _random_reading(rng: random.Random, devices: list[tuple[str, str]], ts: float) -> Reading:
    device, point = rng.choice(devices)
    roll = rng.random()
    if roll < 0.1:
        return Reading(device, point, ts, None, "u", Quality.INVALID)
    if roll < 0.15:
        return Reading(device, point, ts, rng.uniform(-1, 1), "u", Quality.OUT_OF_RANGE)
    if roll < 0.2:
        return Reading(device, point, ts, "probe-error", "u", Quality.STALE)
    if roll < 0.25:
        return Reading(device, point, ts, "12.5", "u")  # text, even if it looks numeric
    if roll < 0.35:
        return Reading(device, point, ts, rng.randint(-50, 50), "u")
    return Reading(device, point, ts, round(rng.uniform(-20, 60), 3), "u")


# An empty database uses 34 pages of 4 KiB: budgets a page or two above it make
# the budget fold hours as soon as a little data arrives.
@pytest.mark.parametrize(
    ("seed", "budget"), [(1, None), (2, None), (3, None), (4, 147_456), (5, 143_360)]
)
def test_history_equals_brute_force_through_any_mix(
    tmp_path: Path, seed: int, budget: int | None
) -> None:
    """Random writes (current, late, replacing, invalid, text), maintenance runs
    (summarising, folding for retention or budget) and ranges (partial hours):
    the history always equals aggregating every reading ever written."""
    rng = random.Random(seed)
    devices = [("d1", "p1"), ("d1", "p2"), ("d2", "p1")]
    storage = Storage.open(tmp_path / "k.db", raw_retention_days=0.25, disk_budget_bytes=budget)
    now = BASE + 8 * HOUR
    raw: dict[tuple[str, str, int], Reading] = {}
    folded: list[Reading] = []
    maintained = summarised = pruned = pruned_budget = 0
    for _ in range(60):
        action = rng.random()
        if action < 0.5:
            batch = []
            for _ in range(rng.randint(1, 80)):
                if raw and rng.random() < 0.1:
                    # Replace a stored raw reading: same series and time, new value.
                    device, point, ms = rng.choice(list(raw))
                    ts = ms / 1000
                    reading = _random_reading(rng, [(device, point)], ts)
                else:
                    age_ms = rng.randrange(0, 12 * 3_600_000) if rng.random() < 0.3 else 0
                    ts = (to_ms(now) - age_ms - rng.randrange(0, 1_800_000)) / 1000
                    reading = _random_reading(rng, devices, ts)
                batch.append(reading)
            storage.write_readings(batch)
            for reading in batch:
                raw[(reading.device, reading.point, to_ms(reading.ts))] = reading
        elif action < 0.7:
            report = storage.maintain(now)
            maintained += 1
            summarised += report.summarised_hours
            pruned += report.pruned_retention
            pruned_budget += report.pruned_budget
            # What maintenance folded is no longer raw: a later write with the
            # same time adds to the rollup instead of replacing it.
            kept = {
                (device, point, to_ms(ts))
                for device, point in devices
                for ts, _, _ in storage.history(device, point, -math.inf, math.inf)
            }
            for key in [key for key in raw if key not in kept]:
                folded.append(raw.pop(key))
        else:
            now += rng.uniform(0, 1.5 * HOUR)
        _check_invariant(storage)
        everything = folded + list(raw.values())
        for device, point in devices:
            start = now - rng.uniform(0, 14 * HOUR)
            end = start + rng.uniform(0, 14 * HOUR)
            mine = [r for r in everything if (r.device, r.point) == (device, point)]
            _assert_same_hours(
                _rows(storage.rollup_history(device, point, start, end)),
                brute_force_hours(mine, start, end),
            )
    # The mix really had every ingredient.
    assert min(maintained, summarised, pruned, len(folded), len(raw)) > 0
    assert (pruned_budget > 0) == (budget is not None)
    storage.close()


def test_watermark_forgotten_reads_raw_rows_as_before(storage: Storage) -> None:
    storage.write_readings(_steady("d", "p", BASE, 11))
    storage.maintain(NOW)
    cached = storage.rollup_history("d", "p", BASE, NOW)
    with storage.locked() as db, write_transaction(db):
        set_watermark(db, None)
    assert storage.rollup_history("d", "p", BASE, NOW) == cached


def _all_hours(db: Database) -> list[tuple[int, int, int]]:
    return db.conn.execute(
        "SELECT series, hour_ts, n FROM hourly_summaries ORDER BY series, hour_ts"
    ).fetchall()


@pytest.mark.parametrize("seed", [5, 17, 29])
def test_summaries_agree_with_raw_rows_after_sigkill(tmp_path: Path, seed: int) -> None:
    kill_after = random.Random(seed).randint(3, 40)
    path = tmp_path / "churn.db"
    kill_after_lines([sys.executable, str(CHURN), str(path), str(seed)], kill_after)
    assert_intact(path)
    with Storage.open(path) as storage, storage.locked() as db:
        assert watermark_ms(db) is not None
        assert _all_hours(db)
        assert_summaries_match_raw(db)
