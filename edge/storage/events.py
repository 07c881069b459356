"""The event log: what happened on the gateway and who asked for it."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edge.storage.lean_import import Database
from edge.storage.timestamps import from_ms

log = logging.getLogger(__name__)

SEVERITIES = frozenset({"debug", "info", "warning", "error", "critical"})


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    ts: float
    """Seconds since the epoch (UTC)."""
    kind: str
    severity: str
    source: str
    actor: str
    """Who asked: a user name, or "system" for what the gateway did by itself."""
    message: str
    data: dict[str, object] | None


def insert_event(
    db: Database,
    ts_ms: int,
    kind: str,
    message: str,
    *,
    severity: str,
    source: str,
    actor: str,
    data: Mapping[str, object] | None,
) -> None:
    """Add one event; the caller owns the transaction."""
    if severity not in SEVERITIES:
        raise ValueError(
            f"event {kind!r}: severity must be one of {sorted(SEVERITIES)}, got {severity!r}"
        )
    # default=str: an event must never fail to record because its details
    # hold something JSON does not know (a Path, a datetime).
    payload = None if data is None else json.dumps(dict(data), default=str, sort_keys=True)
    db.table("events").insert(
        {
            "ts": ts_ms,
            "kind": kind,
            "severity": severity,
            "source": source,
            "actor": actor,
            "message": message,
            "data": payload,
        }
    )


def recent_events(db: Database, limit: int) -> list[Event]:
    """The ``limit`` most recent events, newest first."""
    if limit < 0:
        raise ValueError(f"events: limit must be >= 0, got {limit}")
    rows = db.conn.execute(
        "SELECT id, ts, kind, severity, source, actor, message, data FROM events "
        "ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [
        Event(eid, from_ms(ts), kind, severity, source, actor, message, _decode(eid, data))
        for eid, ts, kind, severity, source, actor, message, data in rows
    ]


def events_since(db: Database, start_ms: int, severities: Sequence[str], limit: int) -> list[Event]:
    """Events with ``ts >= start_ms`` and one of ``severities``, newest first.

    Walks the ``events_ts`` index backwards from now, so a long log costs only
    the recent rows.
    """
    if not severities:
        return []
    marks = ", ".join("?" for _ in severities)
    rows = db.conn.execute(
        "SELECT id, ts, kind, severity, source, actor, message, data FROM events "
        f"WHERE ts >= ? AND severity IN ({marks}) ORDER BY ts DESC, id DESC LIMIT ?",
        (start_ms, *severities, limit),
    )
    return [
        Event(eid, from_ms(ts), kind, severity, source, actor, message, _decode(eid, data))
        for eid, ts, kind, severity, source, actor, message, data in rows
    ]


def _decode(event_id: int, data: str | None) -> dict[str, object] | None:
    if data is None:
        return None
    try:
        decoded = json.loads(data)
    except json.JSONDecodeError as e:
        log.warning("event %d: data is not valid JSON (%s); returning it as text", event_id, e)
        return {"text": data}
    if not isinstance(decoded, dict):
        return {"value": decoded}
    return decoded
