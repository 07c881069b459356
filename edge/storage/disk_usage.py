"""How much of the database file holds data, and how big it is on disk."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from edge.storage.lean_import import Database


def used_bytes(db: Database) -> int:
    """Bytes in pages holding data. Deleting rows moves pages to the freelist,
    where new rows reuse them, so this falls after pruning even though the file
    does not shrink (shrinking needs VACUUM, too slow for the hot path)."""
    pages: int = db.conn.execute("PRAGMA page_count").fetchone()[0]
    free: int = db.conn.execute("PRAGMA freelist_count").fetchone()[0]
    page_size: int = db.conn.execute("PRAGMA page_size").fetchone()[0]
    return (pages - free) * page_size


def file_bytes(path: Path) -> int:
    """The database file plus its write-ahead log, as they sit on disk."""
    total = 0
    for part in (path, path.with_name(path.name + "-wal")):
        with contextlib.suppress(FileNotFoundError):
            total += os.stat(part).st_size
    return total
