"""The ingest benchmark's measuring function, run small."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.ingest_writer import DEVICES, POINTS, measure_writer


def test_measure_writer_stores_everything_and_reports_rates(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    total = 3 * DEVICES * len(POINTS) + 17  # not a multiple of the batch size
    figures = measure_writer(path, total=total, batch=100)
    assert set(figures) == {"readings_per_s", "cpu_s_per_100k"}
    assert figures["readings_per_s"] > 0
    assert figures["cpu_s_per_100k"] >= 0
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM readings").fetchone()[0] == total
    assert db.execute("SELECT count(*) FROM series").fetchone()[0] == DEVICES * len(POINTS)
    db.close()
