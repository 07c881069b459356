"""Active alerts, computed on request from the gateway's current state.

Nothing is stored: an alert is active while its condition holds, so it clears
itself when the device answers again or the disk is pruned. The rules and
their thresholds are all here, each with the reason for its value.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from edge.config import Config
from edge.storage import Event
from edge.web.view import ServiceView

Severity = Literal["info", "warning", "error", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2, "critical": 3}

STALE_AFTER_POLLS = 3
STALE_GRACE_S = 5.0
"""As the service judges a latest value stale: three missed polls and a little
slack for a slow bus, so a badge does not flicker between two polls."""
STARTUP_GRACE_POLLS = 3
"""A device still probing this many poll intervals after start has never
answered: at start every device is probing until its first poll, which is no
reason to raise an alert."""
UPLINK_GRACE_S = 120.0
"""The uplink reconnects by itself with a jittered backoff of up to a minute
(``mqtt.reconnect_max_s``); a drop shorter than two retries is not news."""
OUTBOX_BACKLOG_WARN = 1000
"""Paced at the default 50 messages a second, a thousand queued messages is
20 s of catching up: more than that means the uplink has been away for long."""
OUTBOX_BUDGET_ERROR = 0.8
"""Past this share of its budget the outbox soon starts dropping the oldest
unsent readings (the budget policy): time to fix the uplink."""
DISK_WARN = 0.8
DISK_ERROR = 0.95
"""At the disk budget maintenance prunes the oldest raw readings: 80 % leaves
days of warning at a farm's data rates, 95 % means pruning is imminent."""
TASK_RESTART_WINDOW_S = 3600.0
"""A supervised task that crashed within the hour is shown even if it is
running again: a task crashing every few minutes looks "running" most of the time."""
EVENT_WINDOW_S = 24 * 3600.0
EVENT_SEVERITIES: tuple[str, ...] = ("warning", "error", "critical")
EVENT_ALERT_LIMIT = 10
"""The newest warning-or-worse events of the last day; a flood of failed
writes must not bury the device and disk alerts on a phone screen."""


class Alert(BaseModel):
    id: str
    """Stable while the condition lasts: the page can tell new alerts from old."""
    severity: Severity
    kind: str
    """device_down, device_probing, reading_stale, reading_quality, uplink_down,
    outbox_backlog, disk_usage, task_restarting, task_failed, event."""
    subject_kind: Literal["device", "field", "gateway"]
    subject: str
    """The device or field id, or the site id for the gateway itself."""
    field: str | None
    """The field the subject belongs to, if any (to list a field's alerts)."""
    message: str
    """English text; pages translate from ``kind`` and ``params``."""
    params: dict[str, str]
    since: float | None
    """When the condition started, where known."""


@dataclass(frozen=True, slots=True)
class GatewayState:
    """What the rules look at, gathered once."""

    now: float
    health: Mapping[str, Any]
    latest: list[dict[str, Any]]
    events: list[Event] = field(default_factory=list)


async def gather_state(view: ServiceView, health: Mapping[str, Any] | None = None) -> GatewayState:
    now = time.time()
    full = await view.health() if health is None else health
    latest = await view.latest_readings()
    events: list[Event] = []
    storage = view.storage
    if storage is not None and not storage.closed:
        events = await asyncio.to_thread(
            storage.events_since, now - EVENT_WINDOW_S, EVENT_SEVERITIES, EVENT_ALERT_LIMIT
        )
    return GatewayState(now, full, latest, events)


async def active_alerts(view: ServiceView) -> list[Alert]:
    """Every alert active now, worst first, then oldest first."""
    return evaluate(view.config, await gather_state(view))


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def evaluate(config: Config, state: GatewayState) -> list[Alert]:
    site = config.site.id
    alerts: list[Alert] = []

    def add(
        severity: Severity,
        kind: str,
        subject_kind: Literal["device", "field", "gateway"],
        subject: str,
        message: str,
        since: float | None,
        key: str = "",
        field: str | None = None,
        **params: object,
    ) -> None:
        alerts.append(
            Alert(
                id=f"{kind}:{subject}" + (f":{key}" if key else ""),
                severity=severity,
                kind=kind,
                subject_kind=subject_kind,
                subject=subject,
                field=field,
                message=message,
                params={k: "" if v is None else str(v) for k, v in params.items()},
                since=since,
            )
        )

    health = state.health
    uptime = _num(health.get("uptime_s")) or 0.0
    devices = health.get("devices")
    states: Mapping[str, Any] = devices if isinstance(devices, dict) else {}
    silent: set[str] = set()
    for dev_id, dev in config.devices.items():
        st = states.get(dev_id)
        if not dev.enabled or not isinstance(st, dict):
            continue
        last_ok = _num(st.get("last_success_ts"))
        error = str(st.get("last_error", ""))
        if st.get("state") == "down":
            silent.add(dev_id)
            add(
                "error",
                "device_down",
                "device",
                dev_id,
                f"{dev_id} does not answer" + (f": {error}" if error else ""),
                _num(st.get("last_error_ts")) if last_ok is None else last_ok,
                field=dev.field,
                device=dev_id,
                error=error,
            )
        elif st.get("state") == "probing" and uptime > STARTUP_GRACE_POLLS * dev.poll_interval_s:
            silent.add(dev_id)
            add(
                "warning",
                "device_probing",
                "device",
                dev_id,
                f"{dev_id} has not answered yet"
                if last_ok is None
                else f"{dev_id} is being retried after failures",
                last_ok,
                field=dev.field,
                device=dev_id,
                error=error,
            )

    stale_points: dict[str, list[tuple[str, float]]] = {}
    bad_points: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for row in state.latest:
        dev_id, point = str(row["device"]), str(row["point"])
        quality = str(row["quality"])
        if quality == "stale":
            stale_points.setdefault(dev_id, []).append((point, float(row["ts"])))
        elif quality in ("out_of_range", "invalid"):
            bad_points.setdefault((dev_id, quality), []).append((point, float(row["ts"])))
    # One alert per device and kind of trouble: a battery with six unfitted
    # cells is one problem to look at, not six.
    for (dev_id, quality), points in bad_points.items():
        dev_cfg = config.devices.get(dev_id)
        names = ", ".join(p for p, _ in points)
        add(
            "warning",
            "reading_quality",
            "device",
            dev_id,
            f"{dev_id} {names}: {quality.replace('_', ' ')}",
            min(ts for _, ts in points),
            key=quality,
            field=dev_cfg.field if dev_cfg is not None else None,
            device=dev_id,
            point=names,
            quality=quality,
            count=len(points),
        )
    for dev_id, points in stale_points.items():
        if dev_id in silent:
            continue  # its down/probing alert already says it
        dev_cfg = config.devices.get(dev_id)
        names = ", ".join(p for p, _ in points)
        add(
            "warning",
            "reading_stale",
            "device",
            dev_id,
            f"{dev_id}: no fresh value for {names}",
            min(ts for _, ts in points),
            field=dev_cfg.field if dev_cfg is not None else None,
            device=dev_id,
            points=names,
            count=len(points),
        )

    uplink = health.get("uplink")
    if config.mqtt.enabled and isinstance(uplink, dict):
        if uplink.get("state") != "connected" and uptime > UPLINK_GRACE_S:
            error = str(uplink.get("last_error") or "")
            add(
                "warning",
                "uplink_down",
                "gateway",
                site,
                f"MQTT uplink to {uplink.get('broker', '')} is not connected"
                + (f": {error}" if error else ""),
                _num(uplink.get("last_error_ts")),
                broker=uplink.get("broker"),
                error=error,
            )
        outbox = uplink.get("outbox")
        if isinstance(outbox, dict):
            pending = int(outbox.get("pending", 0))
            budget = int(outbox.get("budget_bytes", 0))
            used = int(outbox.get("pending_bytes", 0))
            if budget and used > OUTBOX_BUDGET_ERROR * budget:
                add(
                    "error",
                    "outbox_backlog",
                    "gateway",
                    site,
                    f"outbox holds {pending} unsent messages, {used / budget:.0%} of its budget",
                    _num(outbox.get("oldest_ts")),
                    pending=pending,
                    share=f"{used / budget:.0%}",
                )
            elif pending > OUTBOX_BACKLOG_WARN:
                add(
                    "warning",
                    "outbox_backlog",
                    "gateway",
                    site,
                    f"outbox holds {pending} unsent messages",
                    _num(outbox.get("oldest_ts")),
                    pending=pending,
                    share=f"{used / budget:.0%}" if budget else "",
                )

    storage = health.get("storage")
    if isinstance(storage, dict):
        used_b, budget_b = storage.get("used_bytes"), storage.get("budget_bytes")
        if isinstance(used_b, int) and isinstance(budget_b, int) and budget_b > 0:
            share = used_b / budget_b
            if share >= DISK_WARN:
                add(
                    "error" if share >= DISK_ERROR else "warning",
                    "disk_usage",
                    "gateway",
                    site,
                    f"storage uses {share:.0%} of its disk budget",
                    None,
                    share=f"{share:.0%}",
                    used_mb=f"{used_b / 1e6:.0f}",
                    budget_mb=f"{budget_b / 1e6:.0f}",
                )

    for task in health.get("tasks", []):
        if not isinstance(task, dict):
            continue
        name = str(task.get("name"))
        error = str(task.get("last_error", ""))
        failed_ts = _num(task.get("last_error_ts"))
        if task.get("state") == "backoff":
            add(
                "error",
                "task_restarting",
                "gateway",
                site,
                f"task {name} crashed and is restarting: {error}",
                failed_ts,
                key=name,
                task=name,
                error=error,
            )
        elif failed_ts is not None and state.now - failed_ts < TASK_RESTART_WINDOW_S:
            add(
                "warning",
                "task_failed",
                "gateway",
                site,
                f"task {name} crashed {int(task.get('restarts', 0))} times: {error}",
                failed_ts,
                key=name,
                task=name,
                error=error,
                restarts=task.get("restarts", 0),
            )

    for event in state.events:
        add(
            event.severity if event.severity in SEVERITY_RANK else "warning",  # type: ignore[arg-type]
            "event",
            "gateway",
            site,
            event.message,
            event.ts,
            key=str(event.id),
            event=event.kind,
            source=event.source,
            actor=event.actor,
            text=event.message,
        )

    alerts.sort(key=lambda a: (-SEVERITY_RANK[a.severity], a.since or state.now, a.id))
    return alerts


def alerts_of_field(alerts: list[Alert], field_id: str) -> list[Alert]:
    return [a for a in alerts if a.field == field_id]
