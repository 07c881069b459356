from __future__ import annotations

import logging
import statistics
from pathlib import Path

import pytest

from drivers.reading import Quality, Reading
from edge.storage import HourlyRollup, Storage

HOUR = 3600.0
DAY = 86_400.0
NOW = 1_750_003_200.0 + 30 * 60  # half past an hour


def _hour_of_readings(device: str, point: str, start: float, seed: int) -> list[Reading]:
    """One reading a minute: mostly good numbers, some invalid, some good text."""
    out: list[Reading] = []
    for minute in range(60):
        ts = start + minute * 60
        if minute % 7 == 0:
            out.append(Reading(device, point, ts, None, "%", Quality.INVALID))
        elif minute % 11 == 0:
            out.append(Reading(device, point, ts, "err", "%"))
        else:
            out.append(Reading(device, point, ts, float((minute * seed) % 53) / 2, "%"))
    return out


def _expected(readings: list[Reading]) -> tuple[int, int, float, float, float]:
    good = [
        float(r.value)
        for r in readings
        if r.quality is Quality.GOOD and isinstance(r.value, int | float)
    ]
    return len(readings), len(good), min(good), max(good), statistics.fmean(good)


def _summary(rollup: HourlyRollup) -> tuple[int, int, float | None, float | None, float | None]:
    return rollup.n, rollup.n_good, rollup.min, rollup.max, rollup.mean


def test_retention_rolls_up_then_prunes_exactly_once(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "k.db", raw_retention_days=1)
    old_start = NOW - 3 * DAY - (NOW % HOUR)  # three complete hours, three days ago
    old: dict[str, list[list[Reading]]] = {"moisture": [], "ec": []}
    for seed, point in enumerate(old, start=3):
        for hour in range(3):
            batch = _hour_of_readings("soil-1", point, old_start + hour * HOUR, seed + hour)
            old[point].append(batch)
            storage.write_readings(batch)
    # The hour holding the retention cutoff is not complete past it: kept raw.
    straddling = [Reading("soil-1", "moisture", NOW - DAY - 60 * m, 1.0, "%") for m in range(5)]
    recent = [Reading("soil-1", "moisture", NOW - 60 * m, 2.0, "%") for m in range(5)]
    storage.write_readings(straddling + recent)
    before = storage.rollup_history("soil-1", "moisture", old_start, old_start + 3 * HOUR)

    report = storage.maintain(NOW)

    assert report.rolled_up_hours == 6  # 2 series x 3 hours
    assert report.pruned_retention == 6 * 60
    assert report.pruned_budget == 0
    assert storage.history("soil-1", "moisture", old_start, NOW - 2 * DAY) == []
    assert len(storage.history("soil-1", "moisture", NOW - 2 * DAY, NOW + 1)) == 10
    for point, hours in old.items():
        rollups = storage.rollup_history("soil-1", point, old_start, old_start + 3 * HOUR)
        assert [r.hour for r in rollups] == [old_start + h * HOUR for h in range(3)]
        for rollup, readings in zip(rollups, hours, strict=True):
            assert _summary(rollup) == pytest.approx(_expected(readings))
    # Folding moved the numbers from raw rows to rollups without changing them.
    after = storage.rollup_history("soil-1", "moisture", old_start, old_start + 3 * HOUR)
    assert after == before

    again = storage.maintain(NOW)
    assert (again.rolled_up_hours, again.pruned_retention) == (0, 0)
    assert storage.rollup_history("soil-1", "moisture", old_start, old_start + 3 * HOUR) == after
    storage.close()


def test_late_readings_add_to_a_folded_hour(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "k.db", raw_retention_days=1)
    hour = NOW - 2 * DAY - (NOW % HOUR)
    storage.write_readings([Reading("soil-1", "ph", hour + 60 * m, 6.0, "pH") for m in range(4)])
    storage.maintain(NOW)
    # A node replays its buffer: readings for an hour already folded away.
    late = [
        Reading("soil-1", "ph", hour + 600, 5.0, "pH"),
        Reading("soil-1", "ph", hour + 660, 9.0, "pH"),
    ]
    storage.write_readings(late)
    combined = pytest.approx((6, 6, 5.0, 9.0, (4 * 6.0 + 5.0 + 9.0) / 6))
    assert _summary(storage.rollup_history("soil-1", "ph", hour, hour + HOUR)[0]) == combined
    report = storage.maintain(NOW)
    assert (report.rolled_up_hours, report.pruned_retention) == (1, 2)
    assert _summary(storage.rollup_history("soil-1", "ph", hour, hour + HOUR)[0]) == combined
    storage.close()


def test_rollup_history_covers_raw_hours_not_folded_yet(storage: Storage) -> None:
    start = NOW - (NOW % HOUR)
    storage.write_readings(
        [Reading("d", "p", start + 10, 1.0, ""), Reading("d", "p", start + HOUR + 10, 3.0, "")]
    )
    rollups = storage.rollup_history("d", "p", start + 5, start + HOUR + 1)
    assert [(r.hour, r.n, r.mean) for r in rollups] == [(start, 1, 1.0), (start + HOUR, 1, 3.0)]
    assert storage.rollup_history("d", "p", start + 5, start + 5) == []
    assert storage.rollup_history("nobody", "p", start, start + HOUR) == []


def test_disk_budget_prunes_oldest_raw_first_and_keeps_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "k.db"
    points = ("moisture", "temperature", "ec", "ph")
    first_hour = NOW - (NOW % HOUR) - 8 * HOUR
    # An old rollup, and events, that the budget must never touch.
    with Storage.open(path, raw_retention_days=1) as setup:
        ancient = NOW - 10 * DAY
        setup.write_readings(
            [Reading("soil-1", "moisture", ancient + m, 7.0, "%") for m in range(3)]
        )
        setup.maintain(NOW)
        setup.record_event("boot", "service started", ts=NOW - 5 * HOUR)
    ancient_rollup = (3, 3, 7.0, 7.0, 7.0)

    budget = 600_000
    storage = Storage.open(path, raw_retention_days=30, disk_budget_bytes=budget)
    total = 0
    for hour in range(8):  # eight complete hours, one reading every 2 s per point
        for point in points:
            start = first_hour + hour * HOUR
            batch = [
                Reading("soil-1", point, start + 2 * i, float(i % 40), "%") for i in range(1800)
            ]
            total += storage.write_readings(batch)
    assert storage.stats().used_bytes > 2 * budget

    with caplog.at_level(logging.WARNING, logger="edge.storage"):
        report = storage.maintain(NOW)

    assert report.used_bytes <= budget
    assert report.budget_bytes == budget
    assert report.pruned_retention == 0
    assert 0 < report.pruned_budget < total
    assert storage.stats().used_bytes <= budget
    remaining = {p: storage.history("soil-1", p, first_hour, NOW) for p in points}
    kept = sum(len(rows) for rows in remaining.values())
    assert kept == total - report.pruned_budget
    # Oldest first across all series: every series lost the same oldest hours,
    # and what is left is one unbroken run up to the newest reading.
    oldest_left = {rows[0][0] for rows in remaining.values()}
    assert len(oldest_left) == 1
    assert oldest_left.pop() % HOUR == first_hour % HOUR
    for rows in remaining.values():
        assert rows[-1][0] == first_hour + 8 * HOUR - 2
        assert len(rows) == (first_hour + 8 * HOUR - rows[0][0]) / 2
    # Nothing is lost from the hourly view: pruned hours live on as rollups.
    for point in points:
        hours = storage.rollup_history("soil-1", point, first_hour, NOW)
        assert [h.n for h in hours] == [1800] * 8
    assert (
        _summary(storage.rollup_history("soil-1", "moisture", ancient, ancient + 1)[0])
        == ancient_rollup
    )
    events = storage.events(10)
    assert [e.kind for e in events] == ["disk_budget", "boot"]
    assert events[0].severity == "warning"
    assert events[0].data is not None
    assert events[0].data["pruned"] == report.pruned_budget
    assert any(
        f"pruned {report.pruned_budget} oldest raw readings" in r.getMessage()
        and r.levelno == logging.WARNING
        for r in caplog.records
    )
    storage.close()


def test_budget_never_prunes_the_current_hour(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "k.db", disk_budget_bytes=4096)
    current = NOW - (NOW % HOUR)
    storage.write_readings([Reading("d", "p", current + i, float(i), "") for i in range(1000)])
    report = storage.maintain(NOW)
    assert report.pruned_budget == 0
    assert report.used_bytes > 4096
    assert len(storage.history("d", "p", current, NOW)) == 1000
    (event,) = storage.events(5)
    assert event.kind == "disk_budget"
    assert "still over budget" in event.message
    storage.close()
