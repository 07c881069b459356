from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from edge.storage import SCHEMA_VERSION, StorageError, open_database


def test_open_creates_folders_and_sets_durable_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "kakashi.db"
    db = open_database(path)
    try:
        assert path.is_file()
        pragmas = {
            name: db.conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        assert pragmas["journal_mode"] == "wal"
        assert pragmas["synchronous"] == 2  # FULL
        assert pragmas["foreign_keys"] == 1
        assert pragmas["busy_timeout"] > 0
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()


def test_connection_is_usable_from_another_thread(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.db")
    seen: list[object] = []
    worker = threading.Thread(
        target=lambda: seen.append(db.conn.execute("SELECT count(*) FROM series").fetchone()[0])
    )
    worker.start()
    worker.join()
    db.close()
    assert seen == [0]


def test_a_file_that_is_not_sqlite_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(StorageError, match=r"notes\.db.*expected a SQLite file"):
        open_database(path)
    assert path.read_bytes().startswith(b"this is a text file")


def test_foreign_keys_reject_readings_of_unknown_series(tmp_path: Path) -> None:

    db = open_database(tmp_path / "k.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            db.execute("INSERT INTO readings (series, ts, value, quality) VALUES (99, 1, 1.0, 0)")
    finally:
        db.close()
