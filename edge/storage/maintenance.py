"""Keeping the database inside its retention window and its disk budget.

Both work one hour at a time, oldest first: fold the hour's raw rows into the
hourly rollups and delete them in one transaction (see ``rollup``). The lock is
taken per hour, so the writer is never held up for a whole maintenance run.
Only complete hours are folded: the current hour is still being written.

Between folding for retention and for the budget, complete hours whose raw
rows are kept are summarised into the hourly summary cache (see
``summaries``), again one hour per transaction, advancing its watermark. The
first run on a database full of raw rows backfills it this way, letting the
writer in between hours. The budget comes last so it counts the summaries
too; folding an hour frees its summaries along with its raw rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from edge.storage.disk_usage import used_bytes
from edge.storage.lean_import import Database
from edge.storage.rollup import FoldResult, fold_hour, oldest_raw_ms
from edge.storage.stats import refresh_row_estimate
from edge.storage.summaries import summarise_next_hour
from edge.storage.timestamps import HOUR_MS, from_ms, hour_floor_ms
from edge.storage.transaction import write_transaction

log = logging.getLogger(__name__)

Locked = Callable[[], AbstractContextManager[Database]]


class RecordEvent(Protocol):
    def __call__(
        self,
        kind: str,
        message: str,
        *,
        severity: str = ...,
        source: str = ...,
        data: Mapping[str, object] | None = ...,
        ts: float | None = ...,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    rolled_up_hours: int
    """(series, hour) rollup rows created or added to."""
    pruned_retention: int
    """Raw rows folded away because they were older than the retention window."""
    pruned_budget: int
    """Raw rows folded away, oldest first, to get under the disk budget."""
    used_bytes: int
    budget_bytes: int | None
    summarised_hours: int = 0
    """Hours newly summarised into the hourly summary cache (each for every series)."""


@dataclass
class _Tally:
    rollup_rows: int = 0
    pruned: int = 0
    hours: int = 0

    def add(self, fold: FoldResult) -> None:
        self.rollup_rows += fold.rollup_rows
        self.pruned += fold.pruned
        self.hours += 1


def maintain(
    locked: Locked,
    *,
    now_ms: int,
    retention_ms: int,
    budget_bytes: int | None,
    record_event: RecordEvent,
) -> MaintenanceReport:
    retention = _fold_until(locked, hour_floor_ms(now_ms - retention_ms))
    if retention.pruned:
        log.info(
            "retention: folded %d raw readings from %d hours into hourly rollups",
            retention.pruned,
            retention.hours,
        )
    summarised = _summarise_until(locked, hour_floor_ms(now_ms))
    # One hour is the usual run's share; only a backfill is worth a line.
    if summarised > 1:
        log.info("summarised %d complete hours of raw readings", summarised)
    budget = _Tally()
    with locked() as db:
        used = used_bytes(db)
    if budget_bytes is not None and used > budget_bytes:
        budget, used = _fold_to_budget(
            locked, now_ms=now_ms, budget_bytes=budget_bytes, record_event=record_event
        )
    with locked() as db:
        refresh_row_estimate(db)
    return MaintenanceReport(
        rolled_up_hours=retention.rollup_rows + budget.rollup_rows,
        pruned_retention=retention.pruned,
        pruned_budget=budget.pruned,
        used_bytes=used,
        budget_bytes=budget_bytes,
        summarised_hours=summarised,
    )


def _summarise_until(locked: Locked, limit_ms: int) -> int:
    """Summarise every complete hour before ``limit_ms`` (hour-aligned) past the
    watermark; return how many hours held raw rows."""
    hours = 0
    while True:
        with locked() as db, write_transaction(db):
            step = summarise_next_hour(db, limit_ms)
        if step is None:
            return hours
        if step.hour_ms is not None:
            hours += 1


def _fold_until(locked: Locked, limit_ms: int) -> _Tally:
    """Fold every hour of raw data that starts before ``limit_ms`` (hour-aligned)."""
    tally = _Tally()
    while True:
        with locked() as db:
            oldest = oldest_raw_ms(db)
            if oldest is None or oldest >= limit_ms:
                return tally
            with write_transaction(db):
                fold = fold_hour(db, hour_floor_ms(oldest))
        tally.add(fold)
        if not fold.pruned:
            _report_stuck(oldest)
            return tally


def _fold_to_budget(
    locked: Locked, *, now_ms: int, budget_bytes: int, record_event: RecordEvent
) -> tuple[_Tally, int]:
    tally = _Tally()
    complete_before = hour_floor_ms(now_ms)
    through_ms: int | None = None
    while True:
        with locked() as db:
            used = used_bytes(db)
            if used <= budget_bytes:
                break
            oldest = oldest_raw_ms(db)
            if oldest is None or oldest >= complete_before:
                break
            through_ms = hour_floor_ms(oldest) + HOUR_MS
            with write_transaction(db):
                fold = fold_hour(db, hour_floor_ms(oldest))
            used = used_bytes(db)
        tally.add(fold)
        if not fold.pruned:
            _report_stuck(oldest)
            break
    met = used <= budget_bytes
    through = "nothing" if through_ms is None else f"raw data before {_iso(through_ms)}"
    message = (
        f"disk budget {budget_bytes} bytes exceeded: pruned {tally.pruned} oldest raw "
        f"readings ({through}, kept as hourly rollups); now using {used} bytes"
    )
    if not met:
        message += "; still over budget, only the current hour's raw data or other tables remain"
    log.warning("%s", message)
    # Through the store's own event path, so the warning also goes upstream
    # (the outbox) when an uplink is configured.
    record_event(
        "disk_budget",
        message,
        severity="warning",
        source="storage",
        data={
            "budget_bytes": budget_bytes,
            "used_bytes": used,
            "pruned": tally.pruned,
            "hours": tally.hours,
            "under_budget": met,
        },
        ts=now_ms / 1000,
    )
    with locked() as db:
        used = used_bytes(db)
    return tally, used


def _report_stuck(oldest_ms: int) -> None:
    # Cannot happen while readings only reference existing series, but a loop
    # that frees nothing must stop rather than spin.
    log.error(
        "maintenance: folding the hour of the oldest raw reading (%s) deleted nothing; "
        "stopping this run",
        _iso(oldest_ms),
    )


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(from_ms(ms), UTC).isoformat(timespec="seconds")
