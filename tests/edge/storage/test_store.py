from __future__ import annotations

import logging
import math
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest

from drivers.reading import Quality, Reading
from edge.storage import LatestReading, Storage, StorageError

T0 = 1_750_000_000.0


def test_round_trip_keeps_values_text_none_and_qualities(storage: Storage) -> None:
    batch = [
        Reading("soil-1", "moisture", T0, 21.5, "%"),
        Reading("soil-1", "moisture", T0 + 10, None, "%", Quality.INVALID),
        Reading("soil-1", "moisture", T0 + 20, 150.0, "%", Quality.OUT_OF_RANGE),
        Reading("soil-1", "moisture", T0 + 30, 21.25, "%", Quality.STALE),
        Reading("soil-1", "temperature", T0 + 0.125, 18.0, "°C"),
        Reading("pump-1", "state", T0 + 5, "on", ""),
    ]
    assert storage.write_readings(batch) == 6

    assert storage.history("soil-1", "moisture", T0, T0 + 60) == [
        (T0, 21.5, Quality.GOOD),
        (T0 + 10, None, Quality.INVALID),
        (T0 + 20, 150.0, Quality.OUT_OF_RANGE),
        (T0 + 30, 21.25, Quality.STALE),
    ]
    # The range is start-inclusive, end-exclusive.
    assert [row[0] for row in storage.history("soil-1", "moisture", T0 + 10, T0 + 30)] == [
        T0 + 10,
        T0 + 20,
    ]
    assert storage.history("pump-1", "state", T0, T0 + 60) == [(T0 + 5, "on", Quality.GOOD)]
    assert storage.history("nobody", "moisture", T0, T0 + 60) == []
    everything = storage.history("soil-1", "moisture", -math.inf, math.inf)
    assert len(everything) == 4
    assert len(storage.rollup_history("soil-1", "moisture", -math.inf, math.inf)) == 1

    assert storage.latest() == [
        LatestReading("pump-1", "state", T0 + 5, "on", "", Quality.GOOD),
        LatestReading("soil-1", "moisture", T0 + 30, 21.25, "%", Quality.STALE),
        LatestReading("soil-1", "temperature", T0 + 0.125, 18.0, "°C", Quality.GOOD),
    ]


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with Storage.open(path) as first:
        first.write_readings([Reading("soil-1", "ph", T0, 6.5, "pH")])
    with Storage.open(path) as second:
        second.write_readings([Reading("soil-1", "ph", T0 + 10, 6.6, "pH")])
        assert [row[1] for row in second.history("soil-1", "ph", T0, T0 + 60)] == [6.5, 6.6]


def test_duplicate_timestamp_replaces_the_earlier_reading(storage: Storage) -> None:
    storage.write_readings([Reading("soil-1", "ec", T0, 800.0, "µS/cm")])
    storage.write_readings([Reading("soil-1", "ec", T0, None, "µS/cm", Quality.INVALID)])
    assert storage.history("soil-1", "ec", T0 - 1, T0 + 1) == [(T0, None, Quality.INVALID)]
    # Within one batch the last one wins too.
    storage.write_readings(
        [Reading("soil-1", "ec", T0, 801.0, "µS/cm"), Reading("soil-1", "ec", T0, 802.0, "µS/cm")]
    )
    assert storage.history("soil-1", "ec", T0 - 1, T0 + 1) == [(T0, 802.0, Quality.GOOD)]


def test_older_reading_does_not_move_latest_back(storage: Storage) -> None:
    storage.write_readings([Reading("cart-2", "battery", T0 + 60, 3.9, "V")])
    storage.write_readings([Reading("cart-2", "battery", T0, 4.1, "V")])  # a replayed buffer
    assert storage.latest() == [LatestReading("cart-2", "battery", T0 + 60, 3.9, "V", Quality.GOOD)]
    assert len(storage.history("cart-2", "battery", T0, T0 + 61)) == 2


def test_new_unit_relabels_the_series(storage: Storage) -> None:
    storage.write_readings([Reading("soil-1", "temperature", T0, 64.0, "°F")])
    storage.write_readings([Reading("soil-1", "temperature", T0 + 10, 18.0, "°C")])
    assert [r.unit for r in storage.latest()] == ["°C"]


def test_malformed_readings_are_left_out_and_named(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    bad_value = Reading("soil-1", "moisture", T0 + 1, cast(Any, [1, 2]), "%")
    bad_ts = Reading("soil-1", "moisture", float("nan"), 1.0, "%")
    bad_quality = Reading("soil-1", "moisture", T0 + 2, 1.0, "%", cast(Any, "great"))
    too_big = Reading("soil-1", "moisture", T0 + 3, 2**70, "%")
    good = Reading("soil-1", "moisture", T0, 20.0, "%")
    with caplog.at_level(logging.WARNING, logger="edge.storage"):
        stored = storage.write_readings(
            [bad_value, good, bad_ts, bad_quality, too_big, cast(Any, "not a reading")]
        )
    assert stored == 1
    assert storage.history("soil-1", "moisture", T0 - 10, T0 + 10) == [(T0, 20.0, Quality.GOOD)]
    message = caplog.records[-1].getMessage()
    assert "left out 5 of 6" in message
    assert "device 'soil-1' point 'moisture': value must be a number" in message


def test_a_failed_batch_leaves_no_trace(storage: Storage) -> None:
    # A temporary trigger (this connection only) makes the batch fail after
    # its new series row was inserted, the way a full disk would mid-batch.
    with storage.locked() as db:
        db.execute(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON readings "
            "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
        )
    with pytest.raises(sqlite3.IntegrityError, match="refused by test trigger"):
        storage.write_readings([Reading("new-dev", "x", T0, 1.0, "")])
    with storage.locked() as db:
        db.execute("DROP TRIGGER refuse")
        assert db.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    # The series staged by the failed batch must not linger in the cache
    # pointing at a row that was rolled back.
    assert storage.write_readings([Reading("new-dev", "x", T0, 1.0, "")]) == 1
    assert storage.history("new-dev", "x", T0, T0 + 1) == [(T0, 1.0, Quality.GOOD)]


def test_events_record_who_and_what(storage: Storage) -> None:
    storage.record_event("boot", "service started", source="service", ts=T0)
    storage.record_event(
        "order_cancelled",
        "order 17 cancelled",
        severity="warning",
        source="web",
        actor="aiko",
        data={"order": 17, "file": Path("/tmp/x.geojson")},
        ts=T0 + 5,
    )
    newest, oldest = storage.events(10)
    assert (oldest.kind, oldest.actor, oldest.severity, oldest.data) == (
        "boot",
        "system",
        "info",
        None,
    )
    assert newest.ts == T0 + 5
    assert (newest.actor, newest.source, newest.severity) == ("aiko", "web", "warning")
    assert newest.data == {"order": 17, "file": "/tmp/x.geojson"}
    assert [e.kind for e in storage.events(1)] == ["order_cancelled"]


def test_unknown_event_severity_is_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match=r"severity must be one of.*got 'loud'"):
        storage.record_event("x", "y", severity="loud")
    assert storage.events(10) == []


def test_stats_describe_the_file(storage: Storage) -> None:
    storage.write_readings([Reading("d", "p", T0 + i, float(i), "") for i in range(100)])
    storage.maintain(T0 + 200)  # refreshes the row estimate; nothing is old enough to fold
    stats = storage.stats()
    assert stats.raw_rows_estimate == 100
    assert stats.oldest_raw_ts == T0
    assert 0 < stats.used_bytes <= stats.file_bytes
    assert stats.budget_bytes is None


def test_closed_storage_says_so(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "k.db")
    storage.close()
    storage.close()  # closing twice is harmless
    with pytest.raises(StorageError, match=r"k\.db is closed"):
        storage.latest()


def test_bad_settings_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="raw_retention_days must be > 0, got 0"):
        Storage.open(tmp_path / "a.db", raw_retention_days=0)
    with pytest.raises(ValueError, match="disk_budget_bytes must be > 0 or None, got -1"):
        Storage.open(tmp_path / "b.db", disk_budget_bytes=-1)
