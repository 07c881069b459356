"""Small values the uplink keeps across restarts, in the database's ``meta`` table
(Sparkplug's ``bdSeq``, the Home Assistant configs published last time)."""

from __future__ import annotations

from edge.storage.store import Storage


def read_meta(storage: Storage, key: str) -> str | None:
    with storage.locked() as db:
        row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def write_meta(storage: Storage, key: str, value: str) -> None:
    with storage.transaction() as db:
        db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def next_bd_seq(storage: Storage, key: str = "uplink.sparkplug.bd_seq") -> int:
    """The ``bdSeq`` for the next connection: one more than the last (mod 256),
    stored before connecting so a restart never reuses the one in a pending will."""
    with storage.transaction() as db:
        row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        last = str(row[0]) if row is not None else ""
        value = (int(last) + 1) % 256 if last.isdigit() else 0
        db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))
    return value
