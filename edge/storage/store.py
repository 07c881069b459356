"""``Storage``: the service's one handle on its SQLite database.

Every method is synchronous and thread-safe: the service calls them through
``asyncio.to_thread`` and a lock serialises use of the single connection.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from drivers.reading import Reading
from edge.storage.database import open_database
from edge.storage.errors import StorageError
from edge.storage.events import Event, events_since, insert_event, recent_events
from edge.storage.forecast_history import StoredForecast, forecast_history, latest_forecasts
from edge.storage.history import HistoryRow, raw_history
from edge.storage.ingest import write_batch
from edge.storage.latest import LatestReading, latest_readings
from edge.storage.lean_import import Database
from edge.storage.maintenance import MaintenanceReport, maintain
from edge.storage.outbox import Outbox, OutboxPolicy, OutboxRow, OutboxStats
from edge.storage.rollup import HourlyRollup, hourly_history
from edge.storage.series import SeriesCache
from edge.storage.stats import StorageStats, collect_stats, refresh_row_estimate
from edge.storage.timestamps import bound_to_ms, from_ms, now_ms, to_ms
from edge.storage.transaction import write_transaction

if TYPE_CHECKING:
    from models.forecast import Forecast

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
        outbox: OutboxPolicy | None = None,
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
        self._outbox = None if outbox is None else Outbox(db, outbox)
        if outbox is None:
            _warn_of_unsent(db, path)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        raw_retention_days: float = 30,
        disk_budget_bytes: int | None = None,
        outbox: OutboxPolicy | None = None,
    ) -> Storage:
        """Open (creating or migrating) the database at ``path``.

        With ``outbox`` (the uplink is enabled), every stored reading batch,
        event, forecast and plan is queued for the broker in its own
        transaction; without it nothing is queued.
        """
        db = open_database(path)
        try:
            return cls(
                db,
                path,
                raw_retention_days=raw_retention_days,
                disk_budget_bytes=disk_budget_bytes,
                outbox=outbox,
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

    @property
    def outbox(self) -> Outbox | None:
        """The outbox, when the uplink is enabled; use it inside :meth:`transaction`."""
        return self._outbox

    @property
    def closed(self) -> bool:
        return self._closed

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

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction under the lock, whose outbox messages count
        (and wake the uplink) only once it has committed."""
        with self.locked() as db:
            try:
                with write_transaction(db):
                    yield db
            except BaseException:
                if self._outbox is not None:
                    self._outbox.discard()
                raise
            if self._outbox is not None:
                self._outbox.commit()

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
            return write_batch(db, self._series, readings, self._outbox)

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

    def series_unit(self, device: str, point: str) -> str | None:
        """The unit of a stored series, None if nothing was ever stored for it."""
        with self.locked() as db:
            row = db.conn.execute(
                "SELECT unit FROM series WHERE device = ? AND point = ?", (device, point)
            ).fetchone()
            return None if row is None else str(row[0])

    def rollup_history(
        self, device: str, point: str, start: float, end: float
    ) -> list[HourlyRollup]:
        """One summary per hour starting in [hour of ``start``, ``end``), each hour
        whole, combining stored rollups, the summary cache of complete hours, and
        raw readings not summarised yet (see ``summaries``)."""
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
        with self.transaction() as db:
            insert_event(
                db, when, kind, message, severity=severity, source=source, actor=actor, data=data
            )
            if self._outbox is not None:
                event_id = int(db.conn.execute("SELECT last_insert_rowid()").fetchone()[0])
                event = Event(
                    event_id,
                    from_ms(when),
                    kind,
                    severity,
                    source,
                    actor,
                    message,
                    None if data is None else dict(data),
                )
                self._outbox.enqueue(db, [self._outbox.messages.event(event)])

    def write_forecast(self, forecast: Forecast) -> None:
        """Store a field's forecast (replacing one made at the same time)."""
        with self.transaction() as db:
            db.conn.execute(
                "INSERT OR REPLACE INTO forecasts (field, ts, p10, p50, p90, model_version, "
                "features_used, progress, expected_harvest, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    forecast.field,
                    to_ms(forecast.ts),
                    forecast.p10,
                    forecast.p50,
                    forecast.p90,
                    forecast.model_version,
                    json.dumps(list(forecast.features_used)),
                    forecast.progress,
                    forecast.expected_harvest.isoformat(),
                    json.dumps(list(forecast.notes)),
                ),
            )
            if self._outbox is not None:
                self._outbox.enqueue(db, [self._outbox.messages.forecast(forecast)])

    def forecasts(
        self, field: str, start: float, end: float, limit: int = 10_000
    ) -> list[StoredForecast]:
        """Forecasts of ``field`` made in ``[start, end)`` (seconds), oldest first."""
        with self.locked() as db:
            return forecast_history(db, field, bound_to_ms(start), bound_to_ms(end), limit)

    def latest_forecasts(self) -> list[StoredForecast]:
        """The newest forecast of every field that has one."""
        with self.locked() as db:
            return latest_forecasts(db)

    def write_plan(
        self,
        plan_id: str,
        plan: Mapping[str, Any],
        *,
        status: str = "dispatched",
        ts: float | None = None,
    ) -> None:
        """Store a plan in its JSON form (``planner.plan_json.plan_to_dict``) and,
        with the uplink on, queue its missions, one per vehicle."""
        when = now_ms() if ts is None else to_ms(ts)
        data = json.dumps(dict(plan), sort_keys=True, allow_nan=False)
        with self.transaction() as db:
            db.conn.execute(
                "INSERT OR REPLACE INTO plans (id, created, status, data) VALUES (?, ?, ?, ?)",
                (plan_id, when, status, data),
            )
            if self._outbox is not None:
                self._outbox.enqueue(db, self._outbox.messages.plan(plan_id, when, plan))

    def outbox_rows(self, after_id: int, through_id: int | None, limit: int) -> list[OutboxRow]:
        """Queued messages with ``after_id < id <= through_id`` (None: no bound), oldest first."""
        with self.locked() as db:
            return (
                [] if self._outbox is None else self._outbox.rows(db, after_id, through_id, limit)
            )

    def outbox_last_id(self) -> int:
        with self.locked() as db:
            return 0 if self._outbox is None else self._outbox.last_id(db)

    def outbox_delete(self, ids: Sequence[int]) -> int:
        """Forget messages the broker acknowledged; return how many were still queued."""
        if not ids or self._outbox is None:
            return 0
        with self.transaction() as db:
            return self._outbox.delete(db, ids)

    def outbox_stats(self) -> OutboxStats | None:
        with self.locked() as db:
            return None if self._outbox is None else self._outbox.stats(db)

    def events(self, limit: int) -> list[Event]:
        """The ``limit`` newest events, newest first."""
        with self.locked() as db:
            return recent_events(db, limit)

    def events_since(self, start: float, severities: Sequence[str], limit: int) -> list[Event]:
        """Events at or after ``start`` with one of ``severities``, newest first."""
        with self.locked() as db:
            return events_since(db, bound_to_ms(start), severities, limit)

    def maintain(self, now: float) -> MaintenanceReport:
        """Fold raw data past the retention window, summarise complete hours into
        the summary cache, then enforce the disk budget."""
        return maintain(
            self.locked,
            now_ms=to_ms(now),
            retention_ms=self._retention_ms,
            budget_bytes=self._budget,
            record_event=self.record_event,
        )

    def stats(self) -> StorageStats:
        with self.locked() as db:
            return collect_stats(db, self._path, self._budget)


def _warn_of_unsent(db: Database, path: Path) -> None:
    # A gateway whose uplink was switched off keeps what it had not sent yet;
    # say so, rather than let it sit unnoticed.
    unsent = int(db.conn.execute("SELECT count(*) FROM outbox WHERE sent = 0").fetchone()[0])
    if unsent:
        log.warning(
            "%s: the outbox holds %d unsent messages and the uplink is off; "
            "they are kept and sent once [mqtt] is enabled again",
            path,
            unsent,
        )
