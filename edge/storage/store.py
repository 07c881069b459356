"""``Storage``: the service's one handle on its SQLite database.

Every method is synchronous and thread-safe: the service calls them through
``asyncio.to_thread`` and a lock serialises use of the single connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from drivers.reading import Reading
from edge.storage.database import open_database
from edge.storage.errors import StorageError
from edge.storage.events import Event, insert_event, recent_events
from edge.storage.history import HistoryRow, raw_history
from edge.storage.ingest import write_batch
from edge.storage.latest import LatestReading, latest_readings
from edge.storage.lean_import import Database
from edge.storage.maintenance import MaintenanceReport, maintain
from edge.storage.rollup import HourlyRollup, hourly_history
from edge.storage.series import SeriesCache
from edge.storage.stats import StorageStats, collect_stats, refresh_row_estimate
from edge.storage.timestamps import bound_to_ms, now_ms, to_ms
from edge.storage.transaction import write_transaction

log = logging.getLogger(__name__)

DAY_MS = 86_400_000


class Storage:
    """Readings, their rollups, events and the other service tables in one file.

    Use :meth:`open`; the constructor takes an already opened database.
    """

    def __init__(
        self,
        db: Database,
        path: Path,
        *,
        raw_retention_days: float = 30,
        disk_budget_bytes: int | None = None,
    ) -> None:
        if not raw_retention_days > 0:
            raise ValueError(
                f"storage {path}: raw_retention_days must be > 0, got {raw_retention_days!r}"
            )
        if disk_budget_bytes is not None and disk_budget_bytes <= 0:
            raise ValueError(
                f"storage {path}: disk_budget_bytes must be > 0 or None, got {disk_budget_bytes!r}"
            )
        self._db = db
        self._path = path
        self._retention_ms = round(raw_retention_days * DAY_MS)
        self._budget = disk_budget_bytes
        self._lock = threading.Lock()
        self._closed = False
        self._series = SeriesCache.load(db)
        refresh_row_estimate(db)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        raw_retention_days: float = 30,
        disk_budget_bytes: int | None = None,
    ) -> Storage:
        db = open_database(path)
        try:
            return cls(
                db,
                path,
                raw_retention_days=raw_retention_days,
                disk_budget_bytes=disk_budget_bytes,
            )
        except BaseException:
            db.close()
            raise

    @property
    def path(self) -> Path:
        return self._path

    @property
    def disk_budget_bytes(self) -> int | None:
        return self._budget

    @contextmanager
    def locked(self) -> Iterator[Database]:
        """The database, held exclusively for the block.

        For modules that own other tables (outbox, orders, plans, forecasts):
        ``with storage.locked() as db, write_transaction(db): ...``.
        """
        with self._lock:
            if self._closed:
                raise StorageError(f"storage {self._path} is closed")
            yield self._db

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Storage:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write_readings(self, readings: Sequence[Reading]) -> int:
        """Store a batch in one transaction; return the rows written.

        When this returns the batch is durable (see ``open_database``). A
        reading for a (device, point, ts) already stored replaces it.
        """
        if not readings:
            return 0
        with self.locked() as db:
            return write_batch(db, self._series, readings)

    def latest(self) -> list[LatestReading]:
        """The newest reading of every series, sorted by device, point."""
        with self.locked() as db:
            return latest_readings(db)

    def history(self, device: str, point: str, start: float, end: float) -> list[HistoryRow]:
        """Raw readings with ``start <= ts < end`` (seconds, may be infinite), oldest first.

        Readings already folded into rollups are not here; see ``rollup_history``.
        """
        with self.locked() as db:
            sid = self._series.find(device, point)
            return [] if sid is None else raw_history(db, sid, bound_to_ms(start), bound_to_ms(end))

    def rollup_history(
        self, device: str, point: str, start: float, end: float
    ) -> list[HourlyRollup]:
        """One summary per hour starting in [hour of ``start``, ``end``), each hour
        whole, combining stored rollups with raw readings not yet folded."""
        with self.locked() as db:
            sid = self._series.find(device, point)
            return (
                [] if sid is None else hourly_history(db, sid, bound_to_ms(start), bound_to_ms(end))
            )

    def record_event(
        self,
        kind: str,
        message: str,
        *,
        severity: str = "info",
        source: str = "",
        actor: str = "system",
        data: Mapping[str, object] | None = None,
        ts: float | None = None,
    ) -> None:
        """Add an event to the log (``ts`` defaults to now)."""
        when = now_ms() if ts is None else to_ms(ts)
        with self.locked() as db, write_transaction(db):
            insert_event(
                db, when, kind, message, severity=severity, source=source, actor=actor, data=data
            )

    def events(self, limit: int) -> list[Event]:
        """The ``limit`` newest events, newest first."""
        with self.locked() as db:
            return recent_events(db, limit)

    def maintain(self, now: float) -> MaintenanceReport:
        """Fold raw data past the retention window, then enforce the disk budget."""
        return maintain(
            self.locked,
            now_ms=to_ms(now),
            retention_ms=self._retention_ms,
            budget_bytes=self._budget,
        )

    def stats(self) -> StorageStats:
        with self.locked() as db:
            return collect_stats(db, self._path, self._budget)
