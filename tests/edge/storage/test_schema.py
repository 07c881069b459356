from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from drivers.reading import Quality, Reading
from edge.storage import SCHEMA_VERSION, Storage, StorageError, migrate
from edge.storage.forecast_history import latest_forecasts
from edge.storage.lean_import import Database
from edge.storage.schema import schema_version
from edge.storage.summaries import watermark_ms
from tests.edge.storage.summary_checks import assert_summaries_match_raw

CORE_TABLES = {
    "series",
    "readings",
    "latest",
    "rollups_hourly",
    "hourly_summaries",
    "devices",
    "forecasts",
    "orders",
    "plans",
    "events",
    "outbox",
}


def _raw(path: Path) -> Database:
    """A plain connection, as an older Kakashi or a fresh file would present it."""
    return Database(sqlite3.connect(str(path), isolation_level=None), execute_plugins=False)


def _fill_schema_1(db: Database) -> None:
    db.execute("INSERT INTO series (id, device, point, unit) VALUES (1, 'soil-1', 'moisture', '%')")
    db.conn.executemany(
        "INSERT INTO readings (series, ts, value, quality) VALUES (1, ?, ?, ?)",
        [(1_000, 21.5, 0), (2_000, None, 1), (3_000, "probe-error", 2)],
    )
    db.execute("INSERT INTO latest (series, ts, value, quality) VALUES (1, 3000, 21.5, 0)")
    db.execute(
        "INSERT INTO rollups_hourly (series, hour_ts, n, n_good, min, max, sum) "
        "VALUES (1, 0, 3, 1, 21.5, 21.5, 21.5)"
    )
    db.execute(
        "INSERT INTO events (ts, kind, severity, source, message, data) "
        "VALUES (5000, 'boot', 'info', 'service', 'started', '{\"pid\": 1}')"
    )
    db.execute(
        "INSERT INTO outbox (created, topic, payload, qos, kind) "
        "VALUES (6000, 'kakashi/r', x'0102', 1, 'reading')"
    )


def test_empty_file_migrates_to_latest(tmp_path: Path) -> None:
    db = _raw(tmp_path / "new.db")
    assert migrate(db) == SCHEMA_VERSION == schema_version(db)
    assert CORE_TABLES | {"meta"} <= set(db.table_names())
    assert "actor" in db.table("events").columns_dict
    recorded = {row["key"] for row in db.query("SELECT key FROM meta")}
    assert recorded == {f"migration.{v}.applied" for v in range(1, SCHEMA_VERSION + 1)}


def test_schema_1_database_with_data_migrates_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = _raw(path)
    assert migrate(db, target=1) == 1
    assert "meta" not in db.table_names()
    assert "actor" not in db.table("events").columns_dict
    _fill_schema_1(db)
    db.close()

    db = _raw(path)
    assert migrate(db) == SCHEMA_VERSION
    rows = db.execute("SELECT ts, value, quality FROM readings ORDER BY ts").fetchall()
    assert rows == [(1_000, 21.5, 0), (2_000, None, 1), (3_000, "probe-error", 2)]
    assert db.execute("SELECT device, point, unit FROM series").fetchall() == [
        ("soil-1", "moisture", "%")
    ]
    assert db.execute("SELECT n, n_good, sum FROM rollups_hourly").fetchall() == [(3, 1, 21.5)]
    assert db.execute("SELECT payload FROM outbox").fetchall() == [(b"\x01\x02",)]
    # The new column exists, and events from before it are attributed to the system.
    assert db.execute("SELECT kind, message, actor FROM events").fetchall() == [
        ("boot", "started", "system")
    ]
    plan = " ".join(
        row[3]
        for row in db.execute("EXPLAIN QUERY PLAN SELECT * FROM events WHERE ts > 100").fetchall()
    )
    assert "events_ts" in plan
    # Migration 1 ran before meta existed; only what ran now is recorded.
    assert [row["key"] for row in db.query("SELECT key FROM meta")] == [
        f"migration.{v}.applied" for v in range(2, SCHEMA_VERSION + 1)
    ]


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    db = _raw(tmp_path / "k.db")
    migrate(db)
    before = db.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    assert migrate(db) == SCHEMA_VERSION
    assert db.execute("SELECT key, value FROM meta ORDER BY key").fetchall() == before


def test_failed_migration_rolls_back_to_the_previous_version(tmp_path: Path) -> None:
    db = _raw(tmp_path / "k.db")
    migrate(db, target=1)
    # A table in the way makes migration 2 fail after it has already added
    # events.actor; the whole step must be undone.
    db.execute("CREATE TABLE meta (something TEXT)")
    with pytest.raises(sqlite3.OperationalError, match="meta"):
        migrate(db)
    assert schema_version(db) == 1
    assert "actor" not in db.table("events").columns_dict
    assert "events_ts" not in {index.name for index in db.table("events").indexes}


def test_newer_schema_is_refused_not_downgraded(tmp_path: Path) -> None:
    db = _raw(tmp_path / "future.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match=rf"future\.db.*version {SCHEMA_VERSION + 1}.*newer"):
        migrate(db)


def test_target_outside_the_known_versions_is_refused(tmp_path: Path) -> None:
    db = _raw(tmp_path / "k.db")
    with pytest.raises(StorageError, match=rf"must be 0\.\.{SCHEMA_VERSION}, got 7"):
        migrate(db, target=7)
    migrate(db)
    with pytest.raises(StorageError, match="already past target 1"):
        migrate(db, target=1)


def test_schema_2_plans_gain_updated_and_actor_and_forecasts_their_detail(tmp_path: Path) -> None:
    db = _raw(tmp_path / "v2.db")
    assert migrate(db, target=2) == 2
    db.execute(
        "INSERT INTO plans (id, created, status, data) VALUES ('p1', 7000, 'dispatched', '{}')"
    )
    db.execute(
        "INSERT INTO forecasts (field, ts, p10, p50, p90, model_version) "
        "VALUES ('f', 1, 1.0, 2.0, 3.0, 'm')"
    )
    assert migrate(db) == SCHEMA_VERSION
    assert db.execute("SELECT id, updated, actor FROM plans").fetchall() == [("p1", 7000, "system")]
    assert db.execute(
        "SELECT p50, features_used, progress, expected_harvest FROM forecasts"
    ).fetchall() == [(2.0, None, None, None)]
    assert {"users", "sessions", "api_tokens"} <= set(db.table_names())


def test_schema_4_forecasts_gain_notes_and_old_ones_read_as_none(tmp_path: Path) -> None:
    db = _raw(tmp_path / "v4.db")
    assert migrate(db, target=4) == 4
    db.execute(
        "INSERT INTO forecasts (field, ts, p10, p50, p90, model_version, features_used) "
        "VALUES ('f', 1, 1.0, 2.0, 3.0, 'm', '[\"gdd\"]')"
    )
    assert migrate(db) == SCHEMA_VERSION
    [old] = latest_forecasts(db)
    assert (old.p50, old.features_used, old.notes) == (2.0, ("gdd",), ())
    db.execute("UPDATE forecasts SET notes = 'not json'")
    assert latest_forecasts(db)[0].notes == ()


def test_schema_3_database_with_data_migrates_and_backfills_its_summaries(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v3.db"
    hour = 1_750_003_200.0
    readings = [
        Reading("soil-1", "moisture", hour + 60 * m, float(m % 9), "%") for m in range(5 * 60)
    ] + [Reading("soil-1", "ec", hour + 90, "probe-error", "µS/cm", Quality.STALE)]
    # Rows as a schema-3 Kakashi stored them: raw readings and an old rollup,
    # no summaries.
    db = _raw(path)
    assert migrate(db, target=3) == 3
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("INSERT INTO series (id, device, point, unit) VALUES (1, 'soil-1', 'moisture', '%')")
    db.execute("INSERT INTO series (id, device, point, unit) VALUES (2, 'soil-1', 'ec', 'µS/cm')")
    db.conn.executemany(
        "INSERT INTO readings (series, ts, value, quality) VALUES (?, ?, ?, ?)",
        [
            (
                1 if r.point == "moisture" else 2,
                round(r.ts * 1000),
                r.value,
                0 if r.quality == "good" else 3,
            )
            for r in readings
        ],
    )
    db.execute(
        "INSERT INTO rollups_hourly (series, hour_ts, n, n_good, min, max, sum) "
        "VALUES (1, 1750000000000 - 1750000000000 % 3600000, 2, 2, 1.0, 3.0, 4.0)"
    )
    db.close()

    db = _raw(path)
    assert migrate(db) == SCHEMA_VERSION
    assert "hourly_summaries" in db.table_names()
    assert db.execute("SELECT count(*) FROM hourly_summaries").fetchone() == (0,)
    assert watermark_ms(db) is None
    assert db.execute("SELECT count(*) FROM readings").fetchone() == (5 * 60 + 1,)
    assert db.execute("SELECT n, n_good, sum FROM rollups_hourly").fetchall() == [(2, 2, 4.0)]
    assert [row["key"] for row in db.query("SELECT key FROM meta WHERE key LIKE 'migration.%'")][
        -1
    ] == f"migration.{SCHEMA_VERSION}.applied"
    db.close()

    with Storage.open(path) as storage:
        start, end = hour - 86_400, hour + 6 * 3600
        before = storage.rollup_history("soil-1", "moisture", start, end)
        assert [h.n for h in before] == [2] + [60] * 5
        report = storage.maintain(hour + 5 * 3600 + 1800)
        assert report.summarised_hours == 5
        assert storage.rollup_history("soil-1", "moisture", start, end) == before
        assert [(h.n, h.n_good) for h in storage.rollup_history("soil-1", "ec", start, end)] == [
            (1, 0)
        ]
        with storage.locked() as db:
            assert_summaries_match_raw(db)
            assert db.execute("SELECT count(*) FROM hourly_summaries").fetchone() == (6,)
