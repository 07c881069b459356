"""Every configured device: its health as the pollers see it and its points' latest values."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from edge.web.queries.catalogue import device_points
from edge.web.queries.errors import NotFoundError
from edge.web.view import ServiceView

DeviceHealth = Literal["up", "down", "probing", "unknown"]
KNOWN_STATES: frozenset[str] = frozenset({"up", "down", "probing"})


class PointStatus(BaseModel):
    point: str
    unit: str
    description: str
    writable: bool
    value: float | str | None
    ts: float | None
    """When the latest value was read; None if the point was never read."""
    quality: str | None
    """good, invalid, out_of_range, or stale (older than three poll intervals)."""


class DeviceSummary(BaseModel):
    id: str
    profile: str
    bus: str
    field: str | None
    vehicle: str | None
    enabled: bool
    poll_interval_s: float
    state: DeviceHealth
    """up, down or probing as the poller sees it; unknown when nothing polls it
    (disabled, or the pollers are not running)."""
    last_success_ts: float | None
    last_error: str
    last_error_ts: float | None
    errors: dict[str, int]
    """Failed requests by kind: timeout, exception, frame, transport."""
    error_total: int
    requests: int
    polls: int
    latency_ms: float | None
    """Smoothed round trip of answered reads."""
    latency_last_ms: float | None
    writes: int
    write_errors: int
    points: list[PointStatus]


def _ms(seconds: object) -> float | None:
    return None if not isinstance(seconds, int | float) else round(seconds * 1000.0, 3)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _summary(
    view: ServiceView,
    dev_id: str,
    state: dict[str, Any],
    latest: dict[str, dict[str, Any]],
) -> DeviceSummary:
    dev = view.config.devices[dev_id]
    points: list[PointStatus] = []
    for info in device_points(view.config, dev_id):
        row = latest.pop(info.name, None)
        points.append(
            PointStatus(
                point=info.name,
                unit=row["unit"] if row else info.unit,
                description=info.description,
                writable=info.writable,
                value=row["value"] if row else None,
                ts=row["ts"] if row else None,
                quality=str(row["quality"]) if row else None,
            )
        )
    # Stored points the profile no longer has (renamed in an update) still show.
    for name, row in sorted(latest.items()):
        points.append(
            PointStatus(
                point=name,
                unit=row["unit"],
                description="",
                writable=False,
                value=row["value"],
                ts=row["ts"],
                quality=str(row["quality"]),
            )
        )
    raw_errors = state.get("errors")
    errors = (
        {str(k): _int(v) for k, v in raw_errors.items()} if isinstance(raw_errors, dict) else {}
    )
    health = str(state.get("state", "unknown"))
    last_success = state.get("last_success_ts")
    last_error_ts = state.get("last_error_ts")
    return DeviceSummary(
        id=dev_id,
        profile=dev.profile,
        bus=dev.bus,
        field=dev.field,
        vehicle=dev.vehicle,
        enabled=dev.enabled,
        poll_interval_s=dev.poll_interval_s,
        state=health if health in KNOWN_STATES else "unknown",  # type: ignore[arg-type]
        last_success_ts=last_success if isinstance(last_success, int | float) else None,
        last_error=str(state.get("last_error", "")),
        last_error_ts=last_error_ts if isinstance(last_error_ts, int | float) else None,
        errors=errors,
        error_total=sum(errors.values()),
        requests=_int(state.get("requests")),
        polls=_int(state.get("polls")),
        latency_ms=_ms(state.get("latency_ewma_s")),
        latency_last_ms=_ms(state.get("latency_last_s")),
        writes=_int(state.get("writes")),
        write_errors=_int(state.get("write_errors")),
        points=points,
    )


def _latest_by_device(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    by_device: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_device.setdefault(str(row["device"]), {})[str(row["point"])] = row
    return by_device


async def device_summaries(view: ServiceView) -> list[DeviceSummary]:
    """Every configured device, in configuration order."""
    states = view.device_states()
    latest = _latest_by_device(await view.latest_readings())
    return [
        _summary(view, dev_id, states.get(dev_id, {}), latest.get(dev_id, {}))
        for dev_id in view.config.devices
    ]


async def device_summary(view: ServiceView, device: str) -> DeviceSummary:
    """One configured device; NotFoundError naming ``device`` otherwise."""
    if device not in view.config.devices:
        raise NotFoundError("device", f"no device named {device!r}")
    states = view.device_states()
    latest = _latest_by_device(await view.latest_readings())
    return _summary(view, device, states.get(device, {}), latest.get(device, {}))
