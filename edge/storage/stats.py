"""A cheap summary of the database for the status page and health checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.storage.disk_usage import file_bytes, used_bytes
from edge.storage.lean_import import Database
from edge.storage.rollup import oldest_raw_ms
from edge.storage.timestamps import from_ms

ANALYSIS_LIMIT = 400
"""Caps the rows ANALYZE reads per index, so it takes about a millisecond however
large the table is. SQLite then estimates the row count from the b-tree's
shape: exact for small tables, within some tens of percent for large ones."""


@dataclass(frozen=True, slots=True)
class StorageStats:
    file_bytes: int
    """Database file plus write-ahead log on disk."""
    used_bytes: int
    """Bytes in pages holding data (what the disk budget limits)."""
    budget_bytes: int | None
    raw_rows_estimate: int
    """As of the last maintenance (see ``ANALYSIS_LIMIT``); counting exactly would
    read every page of a table that can hold tens of millions of rows."""
    oldest_raw_ts: float | None


def refresh_row_estimate(db: Database) -> None:
    db.conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    db.conn.execute("ANALYZE readings")


def collect_stats(db: Database, path: Path, budget_bytes: int | None) -> StorageStats:
    oldest = oldest_raw_ms(db)
    return StorageStats(
        file_bytes=file_bytes(path),
        used_bytes=used_bytes(db),
        budget_bytes=budget_bytes,
        raw_rows_estimate=_estimated_rows(db),
        oldest_raw_ts=None if oldest is None else from_ms(oldest),
    )


def _estimated_rows(db: Database) -> int:
    row = db.conn.execute(
        "SELECT stat FROM sqlite_stat1 WHERE tbl = 'readings' AND idx = 'readings'"
    ).fetchone()
    if row is None:
        return 0
    return int(str(row[0]).split()[0])
