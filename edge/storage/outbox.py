"""The outbox: messages for the broker, written in the transaction that stores their data.

A reading batch, an event, a forecast or a plan and the messages announcing it
commit together, so whatever storage reported stored is also queued for the
uplink, through kill -9 and power cuts alike (the database is fsync'd on every
commit). The uplink deletes a message only once the broker has acknowledged it.

What the messages say (topics, JSON) is the uplink's business: it hands storage
a :class:`MessageFactory`. What the outbox may cost on disk is decided here,
inside the same transactions, so the outbox never grows past its budget between
two checks. When a new message would not fit, room is made, cheapest loss first:

1. forecasts superseded by a newer one for the same topic are dropped;
2. the oldest complete hour of raw reading messages is replaced by one hourly
   rollup message per device (count, min, max, mean of each point, computed
   from storage, which still holds the readings or their rollups), again and
   again until the outbox is back under ``LOW_WATER`` of its budget;
3. the oldest rollup messages are dropped;
4. a new raw reading message that still does not fit is refused (the readings
   stay in storage; only their upload is given up).

Plans and events are never dropped or refused: they are few and small, and they
may take the outbox a little over its budget. Each application of the policy
is logged, counted and recorded as an ``outbox_budget`` event (which itself is
queued, so the upstream learns what it will not receive).

Column use: ``created`` is when a message's data was created (for readings, the
time of the first reading it holds: every raw reading message holds readings of
one device within one clock hour, which is what makes step 2 exact);
``historical`` marks messages that are historical whenever they are sent
(rollups); ``sent`` stays 0 because acknowledged messages are deleted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal, Protocol

from drivers.reading import Reading
from edge.storage.events import Event, insert_event
from edge.storage.lean_import import Database
from edge.storage.rollup import HourlyRollup, hourly_history
from edge.storage.timestamps import HOUR_MS, from_ms, hour_floor_ms, now_ms

if TYPE_CHECKING:
    from models.forecast import Forecast

log = logging.getLogger(__name__)

Kind = Literal["reading", "forecast", "plan", "event"]

ROW_OVERHEAD_BYTES = 40
"""Counted per message on top of its topic and payload: the id, times, flags and
the b-tree cell. The budget is an estimate of pages, not a byte-exact limit."""

LOW_WATER = 0.9
"""Making room frees down to this share of the budget, so that a full outbox
applies the policy once per tenth of its budget, not on every batch."""

REFUSAL_LOG_INTERVAL_S = 60.0

_SIZE = "length(payload) + length(CAST(topic AS BLOB))"
_DELETE_CHUNK = 500
"""Ids per DELETE statement, well under SQLite's limit on bound parameters."""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    kind: Kind
    topic: str
    payload: bytes
    created_ms: int
    historical: bool = False
    """Historical whenever it is sent (a rollup standing in for dropped readings)."""
    qos: int = 1

    @property
    def size(self) -> int:
        return len(self.payload) + len(self.topic.encode()) + ROW_OVERHEAD_BYTES


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored message, as the uplink reads it back."""

    id: int
    created_ms: int
    kind: str
    topic: str
    payload: bytes
    qos: int
    historical: bool


class MessageFactory(Protocol):
    """How the uplink words each kind of data; storage only stores the result."""

    def readings(self, readings: Sequence[Reading]) -> list[OutboxMessage]:
        """Messages for stored readings. Each must hold readings of one device within
        one clock hour, with ``created_ms`` the time of its first reading."""
        ...

    def device_of(self, readings_topic: str) -> str | None:
        """The device a raw reading message's topic names."""
        ...

    def rollup(
        self, device: str, hour_ms: int, points: Mapping[str, HourlyRollup]
    ) -> OutboxMessage:
        """One message summarising one device's hour, standing in for its readings."""
        ...

    def event(self, event: Event) -> OutboxMessage: ...

    def forecast(self, forecast: Forecast) -> OutboxMessage: ...

    def plan(self, plan_id: str, created_ms: int, plan: Mapping[str, Any]) -> list[OutboxMessage]:
        """Messages dispatching a plan (a mission per vehicle), from its JSON form."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """What the service gives storage to turn the outbox on."""

    messages: MessageFactory
    budget_bytes: int

    def __post_init__(self) -> None:
        if self.budget_bytes <= 0:
            raise ValueError(f"outbox: budget_bytes must be > 0, got {self.budget_bytes}")


@dataclass(slots=True)
class PolicyCounters:
    """What the budget policy has done since the service started."""

    runs: int = 0
    forecasts_superseded: int = 0
    readings_folded: int = 0
    """Raw reading messages replaced by hourly rollups."""
    rollups_added: int = 0
    rollups_dropped: int = 0
    readings_refused: int = 0
    """Raw reading messages not queued because the outbox was full."""

    def add(self, other: PolicyCounters) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    pending_bytes: int
    budget_bytes: int
    oldest_ts: float | None
    """When the data of the oldest pending message was created (seconds)."""
    policy: dict[str, int]


@dataclass(slots=True)
class _Pending:
    count: int = 0
    bytes: int = 0


class Outbox:
    """The outbox table and its budget, driven by ``Storage`` under its lock.

    Counts are kept in memory (counted once at start) so the hot path never
    scans the table. Changes made inside a transaction are staged and only
    counted once it commits (:meth:`commit`), or forgotten (:meth:`discard`).
    """

    def __init__(self, db: Database, policy: OutboxPolicy) -> None:
        self.policy = policy
        count, size = db.conn.execute(
            f"SELECT count(*), total({_SIZE}) FROM outbox WHERE sent = 0"
        ).fetchone()
        self._pending = _Pending(int(count), int(size) + int(count) * ROW_OVERHEAD_BYTES)
        self._staged = _Pending()
        self._staged_added = 0
        self.counters = PolicyCounters()
        self._staged_counters = PolicyCounters()
        self._listeners: list[Callable[[], None]] = []
        self._last_refusal_log = -math.inf

    @property
    def messages(self) -> MessageFactory:
        return self.policy.messages

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after each commit that queued messages (from the
        committing thread: an asyncio listener must hand over thread-safely)."""
        self._listeners.append(listener)

    # -- inside the caller's write transaction --------------------------------

    def enqueue(self, db: Database, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        budget = self.policy.budget_bytes
        incoming = sum(m.size for m in messages)
        if self._used + incoming > budget:
            self._make_room(db, incoming)
        for message in messages:
            if _droppable_raw(message) and self._used + message.size > budget:
                self._refuse(message)
                continue
            self._insert(db, message)

    def commit(self) -> None:
        self._pending.count += self._staged.count
        self._pending.bytes += self._staged.bytes
        self.counters.add(self._staged_counters)
        added = self._staged_added
        self._forget_staged()
        if added:
            for listener in self._listeners:
                try:
                    listener()
                except Exception:
                    log.exception("outbox: a listener failed")

    def discard(self) -> None:
        self._forget_staged()

    # -- reading and acknowledging --------------------------------------------

    def rows(
        self, db: Database, after_id: int, through_id: int | None, limit: int
    ) -> list[OutboxRow]:
        """Pending messages with ``after_id < id <= through_id``, oldest first."""
        upper = 2**63 - 1 if through_id is None else through_id
        cursor = db.conn.execute(
            "SELECT id, created, kind, topic, payload, qos, historical FROM outbox "
            "WHERE sent = 0 AND id > ? AND id <= ? ORDER BY id LIMIT ?",
            (after_id, upper, limit),
        )
        return [
            OutboxRow(mid, created, kind, topic, bytes(payload), qos, bool(historical))
            for mid, created, kind, topic, payload, qos, historical in cursor
        ]

    def last_id(self, db: Database) -> int:
        row = db.conn.execute("SELECT max(id) FROM outbox").fetchone()
        return int(row[0] or 0)

    def delete(self, db: Database, ids: Sequence[int]) -> int:
        """Delete acknowledged messages (caller owns the transaction); return how many."""
        deleted = 0
        for start in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[start : start + _DELETE_CHUNK]
            marks = ",".join("?" * len(chunk))
            sizes = db.conn.execute(
                f"DELETE FROM outbox WHERE id IN ({marks}) RETURNING {_SIZE}", chunk
            ).fetchall()
            deleted += self._removed(sizes)
        return deleted

    def stats(self, db: Database) -> OutboxStats:
        row = db.conn.execute(
            "SELECT created FROM outbox WHERE sent = 0 ORDER BY id LIMIT 1"
        ).fetchone()
        return OutboxStats(
            pending=self._pending.count,
            pending_bytes=self._pending.bytes,
            budget_bytes=self.policy.budget_bytes,
            oldest_ts=None if row is None else from_ms(row[0]),
            policy={f.name: getattr(self.counters, f.name) for f in fields(self.counters)},
        )

    # -- internals -------------------------------------------------------------

    @property
    def _used(self) -> int:
        return self._pending.bytes + self._staged.bytes

    def _forget_staged(self) -> None:
        self._staged = _Pending()
        self._staged_added = 0
        self._staged_counters = PolicyCounters()

    def _insert(self, db: Database, message: OutboxMessage) -> None:
        db.conn.execute(
            "INSERT INTO outbox (created, topic, payload, qos, kind, historical) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                message.created_ms,
                message.topic,
                message.payload,
                message.qos,
                message.kind,
                int(message.historical),
            ),
        )
        self._staged.count += 1
        self._staged.bytes += message.size
        self._staged_added += 1

    def _removed(self, sizes: Sequence[tuple[Any, ...]], size_at: int = -1) -> int:
        """Account for deleted rows whose byte size is column ``size_at`` of each."""
        self._staged.count -= len(sizes)
        self._staged.bytes -= sum(int(r[size_at]) for r in sizes) + len(sizes) * ROW_OVERHEAD_BYTES
        return len(sizes)

    def _make_room(self, db: Database, incoming: int) -> None:
        budget = self.policy.budget_bytes
        target = int(budget * LOW_WATER) - incoming
        before = self._used
        run = PolicyCounters(runs=1)
        run.forecasts_superseded = self._drop_superseded_forecasts(db)
        if self._used > target:
            self._fold_oldest_hours(db, target, run)
        if self._used > target:
            run.rollups_dropped = self._drop_oldest_rollups(db, target)
        if self._used == before:
            # Nothing left to give up (the current hour, plans, events): the
            # refusals that follow are counted and logged, not one event per batch.
            return
        self._staged_counters.add(run)
        self._report(db, run, before, budget)

    def _drop_superseded_forecasts(self, db: Database) -> int:
        # A forecast is retained on its topic: a newer one for the same field
        # replaces it for every subscriber that was not listening in between.
        rows = db.conn.execute(
            f"DELETE FROM outbox WHERE kind = 'forecast' AND sent = 0 AND id NOT IN ("
            "SELECT max(id) FROM outbox WHERE kind = 'forecast' AND sent = 0 GROUP BY topic"
            f") RETURNING {_SIZE}"
        ).fetchall()
        return self._removed(rows)

    def _fold_oldest_hours(self, db: Database, target: int, run: PolicyCounters) -> None:
        # The current hour is still being written; folding it would summarise
        # half an hour and then queue its second half raw.
        current_hour = hour_floor_ms(now_ms())
        while self._used > target:
            row = db.conn.execute(
                "SELECT created FROM outbox WHERE kind = 'reading' AND historical = 0 "
                "AND sent = 0 ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None or hour_floor_ms(row[0]) >= current_hour:
                return
            hour = hour_floor_ms(row[0])
            dropped = db.conn.execute(
                "DELETE FROM outbox WHERE kind = 'reading' AND historical = 0 AND sent = 0 "
                f"AND created >= ? AND created < ? RETURNING topic, {_SIZE}",
                (hour, hour + HOUR_MS),
            ).fetchall()
            run.readings_folded += self._removed(dropped)
            devices = {self.messages.device_of(topic) for topic, _ in dropped}
            for device in sorted(d for d in devices if d is not None):
                points = _hour_of_device(db, device, hour)
                if points:
                    self._insert(db, self.messages.rollup(device, hour, points))
                    run.rollups_added += 1

    def _drop_oldest_rollups(self, db: Database, target: int) -> int:
        dropped = 0
        while self._used > target:
            rows = db.conn.execute(
                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE kind = 'reading' "
                f"AND historical = 1 AND sent = 0 ORDER BY id LIMIT 20) RETURNING {_SIZE}"
            ).fetchall()
            if not rows:
                break
            dropped += self._removed(rows)
        return dropped

    def _refuse(self, message: OutboxMessage) -> None:
        self._staged_counters.readings_refused += 1
        now = time.monotonic()
        if now - self._last_refusal_log >= REFUSAL_LOG_INTERVAL_S:
            self._last_refusal_log = now
            log.error(
                "outbox full (%d of %d bytes, only plans, events and the current hour left): "
                "readings on %s are stored but will not be sent; %d messages refused so far",
                self._used,
                self.policy.budget_bytes,
                message.topic,
                self.counters.readings_refused + self._staged_counters.readings_refused,
            )

    def _report(self, db: Database, run: PolicyCounters, before: int, budget: int) -> None:
        message = (
            f"outbox budget {budget} bytes reached ({before} used): "
            f"{run.forecasts_superseded} superseded forecasts dropped, "
            f"{run.readings_folded} reading messages replaced by {run.rollups_added} hourly "
            f"rollups, {run.rollups_dropped} oldest rollups dropped; now {self._used} bytes"
        )
        log.warning("%s", message)
        data = {
            "budget_bytes": budget,
            "used_before": before,
            "used_after": self._used,
            "forecasts_superseded": run.forecasts_superseded,
            "readings_folded": run.readings_folded,
            "rollups_added": run.rollups_added,
            "rollups_dropped": run.rollups_dropped,
        }
        when = now_ms()
        insert_event(
            db,
            when,
            "outbox_budget",
            message,
            severity="warning",
            source="uplink",
            actor="system",
            data=data,
        )
        event_id = int(db.conn.execute("SELECT last_insert_rowid()").fetchone()[0])
        event = Event(
            event_id,
            from_ms(when),
            "outbox_budget",
            "warning",
            "uplink",
            "system",
            message,
            dict(data),
        )
        # Inserted past the budget check: the upstream must learn what it lost.
        self._insert(db, self.messages.event(event))


def _droppable_raw(message: OutboxMessage) -> bool:
    return message.kind == "reading" and not message.historical


def _hour_of_device(db: Database, device: str, hour_ms: int) -> dict[str, HourlyRollup]:
    points: dict[str, HourlyRollup] = {}
    for sid, point in db.conn.execute(
        "SELECT id, point FROM series WHERE device = ? ORDER BY point", (device,)
    ):
        summary = hourly_history(db, sid, hour_ms, hour_ms + HOUR_MS)
        if summary:
            points[point] = summary[0]
    return points
