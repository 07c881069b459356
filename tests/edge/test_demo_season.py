"""The demo's season so far is loaded once, and again only if a load was interrupted."""

from __future__ import annotations

import json
from pathlib import Path

from drivers.reading import Reading
from edge.demo import SEASON_KEY, load_history, needs_season
from edge.storage import Storage

ROWS = [
    {
        "device": "soil-north-1",
        "point": "moisture",
        "ts": 1_800_000_000.0 + 3600 * i,
        "value": 40.0 + i,
        "unit": "%",
        "quality": "good",
    }
    for i in range(12)
]


def _history(tmp_path: Path) -> Path:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    return path


def _count(db: Path) -> int:
    with Storage.open(db) as storage, storage.locked() as database:
        return int(database.conn.execute("SELECT count(*) FROM readings").fetchone()[0])


def test_a_new_directory_gets_its_season_once(tmp_path: Path) -> None:
    db = tmp_path / "kakashi.db"
    assert needs_season(db)
    with Storage.open(db) as storage:
        assert load_history(storage, _history(tmp_path)) == len(ROWS)
    assert not needs_season(db)
    assert _count(db) == len(ROWS)


def test_an_interrupted_load_is_done_again_without_doubling_anything(tmp_path: Path) -> None:
    db = tmp_path / "kakashi.db"
    with Storage.open(db) as storage:
        load_history(storage, _history(tmp_path))
    # As a kill between the first batches and the end would leave it.
    with Storage.open(db) as storage, storage.transaction() as database:
        database.conn.execute("UPDATE meta SET value = 'loading' WHERE key = ?", (SEASON_KEY,))
    assert needs_season(db)
    with Storage.open(db) as storage:
        load_history(storage, _history(tmp_path))
    assert not needs_season(db)
    assert _count(db) == len(ROWS), "the same point and time replace themselves"


def test_a_directory_with_readings_of_its_own_keeps_its_past(tmp_path: Path) -> None:
    db = tmp_path / "kakashi.db"
    with Storage.open(db) as storage:
        storage.write_readings([Reading("soil-north-1", "moisture", 1.7e9, 30.0, "%")])
    assert not needs_season(db)
