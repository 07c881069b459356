"""Opening the SQLite file with the settings a field gateway needs."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from edge.storage.errors import StorageError
from edge.storage.lean_import import Database
from edge.storage.schema import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another connection (a CLI export, a backup) to let go."""

JOURNAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024
"""After a checkpoint the WAL file is truncated to this, so one large maintenance
transaction does not leave a big WAL file on the SD card for ever."""


def open_database(path: Path) -> Database:
    """Open the database at ``path`` (creating it and its folder) and migrate it.

    Durability settings, and why:

    - ``journal_mode=WAL``: readers (the web page) never block the writer, and a
      commit appends to one file instead of rewriting pages in place, which is
      gentler on an SD card.
    - ``synchronous=FULL``: in WAL mode, ``NORMAL`` does not fsync the WAL on
      commit, so a power cut can lose the last transactions that were already
      reported committed. ``FULL`` fsyncs the WAL on every commit: once a batch is
      reported stored, it survives ``kill -9`` and power loss. The cost is one
      fsync per batch, which is why readings are written in batches.
    - ``foreign_keys=ON``: readings cannot point at a series that does not exist.
    - ``busy_timeout``: a second connection holding the write lock briefly makes
      a write wait instead of failing at once.

    The connection may be used from any thread (``check_same_thread=False``)
    because the service calls storage through ``asyncio.to_thread``; callers
    must serialise use of it (``Storage`` holds a lock). Transactions are
    explicit (``isolation_level=None``): nothing is committed behind our back.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"cannot create folder {path.parent} for database {path}: {e}") from e
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    except sqlite3.Error as e:
        raise StorageError(f"cannot open database {path}: {e}") from e
    try:
        db = Database(conn, execute_plugins=False)
        _configure(db, path)
        version = migrate(db)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise StorageError(
            f"cannot use {path} as a Kakashi database (expected a SQLite file): {e}"
        ) from e
    except BaseException:
        conn.close()
        raise
    log.debug("opened %s at schema version %d", path, version)
    return db


def _configure(db: Database, path: Path) -> None:
    mode = db.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StorageError(
            f"{path}: expected journal_mode wal, SQLite chose {mode!r} "
            "(is the file on a filesystem without shared-memory support?)"
        )
    db.conn.execute("PRAGMA synchronous=FULL")
    db.conn.execute("PRAGMA foreign_keys=ON")
    db.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
