"""The gateway's health in a few numbers, for header badges and the overview."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from pydantic import BaseModel

from edge.web.view import ServiceView


class HealthSummary(BaseModel):
    uplink: str
    """off (no MQTT configured), connected, connecting, waiting or stopped."""
    uplink_since: float | None
    """When the current connection was made (connected only)."""
    outbox_backlog: int | None
    """Messages waiting for the broker; None with the uplink off."""
    outbox_bytes: int | None
    outbox_budget_bytes: int | None
    disk_used_bytes: int | None
    disk_budget_bytes: int | None
    disk_used_ratio: float | None
    uptime_s: float
    tasks_ok: int
    """Supervised tasks running."""
    tasks_total: int
    devices_up: int
    devices_total: int
    """Enabled devices the pollers report on."""
    storage_open: bool


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


async def health_summary(view: ServiceView, health: dict[str, Any] | None = None) -> HealthSummary:
    """The summary; pass ``view.health()``'s answer if you already have it."""
    full = await view.health() if health is None else health
    storage = view.storage
    outbox = None
    if storage is not None and not storage.closed:
        # In-memory counts: no table scan.
        stats = await asyncio.to_thread(storage.outbox_stats)
        outbox = None if stats is None else dataclasses.asdict(stats)
    uplink = _mapping(full.get("uplink"))
    store = _mapping(full.get("storage"))
    used = store.get("used_bytes")
    budget = store.get("budget_bytes")
    tasks = [t for t in full.get("tasks", []) if isinstance(t, dict)]
    devices = _mapping(full.get("devices"))
    state = str(uplink.get("state", "off")) if uplink else "off"
    since = uplink.get("connected_since")
    return HealthSummary(
        uplink=state,
        uplink_since=since if state == "connected" and isinstance(since, int | float) else None,
        outbox_backlog=None if outbox is None else int(outbox["pending"]),
        outbox_bytes=None if outbox is None else int(outbox["pending_bytes"]),
        outbox_budget_bytes=None if outbox is None else int(outbox["budget_bytes"]),
        disk_used_bytes=used if isinstance(used, int) else None,
        disk_budget_bytes=budget if isinstance(budget, int) else None,
        disk_used_ratio=(
            used / budget if isinstance(used, int) and isinstance(budget, int) and budget else None
        ),
        uptime_s=float(full.get("uptime_s", 0.0)),
        tasks_ok=sum(1 for t in tasks if t.get("state") == "running"),
        tasks_total=len(tasks),
        devices_up=sum(1 for d in devices.values() if _mapping(d).get("state") == "up"),
        devices_total=len(devices),
        storage_open=storage is not None and not storage.closed,
    )
