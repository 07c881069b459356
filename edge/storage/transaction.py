"""Explicit write transactions on the storage connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from edge.storage.lean_import import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One atomic write: everything inside commits together or not at all.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so a transaction never
    fails half-way because another connection started writing after it read.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full) leaves the transaction open; a failed
        # statement may already have rolled it back.
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
