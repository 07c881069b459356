"""Each configured field as the overview shows it: key readings, a 24 h
sparkline, the latest yield forecast and its active alerts.

Reads only the ``latest`` table, the hourly roll-up history of one point per
field, the newest forecasts and the alert rules: never a scan of raw readings
beyond the sparkline's own day.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import BaseModel

from edge.web.queries.alerts import Alert, GatewayState, alerts_of_field, evaluate, gather_state
from edge.web.queries.errors import NotFoundError
from edge.web.queries.forecasts import ForecastOut, latest_forecasts
from edge.web.view import ServiceView

SPARKLINE_S = 24 * 3600.0

KEY_POINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("soil_moisture", ("moisture", "vwc", "soil_moisture")),
    ("soil_temperature", ("temperature", "soil_temperature")),
    ("ec", ("ec", "conductivity")),
    ("ph", ("ph",)),
    ("nitrogen", ("nitrogen",)),
    ("phosphorus", ("phosphorus",)),
    ("potassium", ("potassium",)),
    ("air_temperature", ("air_temperature",)),
    ("humidity", ("humidity",)),
)
"""Role -> point names that serve it, in the order the overview lists them; the
first device of the field (in configuration order) having one serves the role."""
MOISTURE_ROLE = "soil_moisture"


class KeyReading(BaseModel):
    role: str
    device: str
    point: str
    value: float | str | None
    unit: str
    ts: float
    quality: str


class Sparkline(BaseModel):
    device: str
    point: str
    unit: str
    ts: list[float]
    """Start of each hour."""
    mean: list[float | None]
    """Hourly mean of good readings (None for an hour with none)."""


class FieldSummary(BaseModel):
    id: str
    name: str
    crop: str
    area_ha: float
    planted: str | None
    """ISO date."""
    boundary: list[tuple[float, float]]
    """[longitude, latitude] pairs (GeoJSON order)."""
    devices: list[str]
    readings: list[KeyReading]
    sparkline: Sparkline | None
    """Soil moisture over the last 24 h, if the field has a moisture probe."""
    forecast: ForecastOut | None
    alerts: list[Alert]


def _key_readings(
    devices: list[str], latest: dict[tuple[str, str], dict[str, Any]]
) -> list[KeyReading]:
    found: list[KeyReading] = []
    for role, names in KEY_POINTS:
        pick = next(
            ((d, n) for d in devices for n in names if (d, n) in latest),
            None,
        )
        if pick is None:
            continue
        row = latest[pick]
        found.append(
            KeyReading(
                role=role,
                device=pick[0],
                point=pick[1],
                value=row["value"],
                unit=str(row["unit"]),
                ts=float(row["ts"]),
                quality=str(row["quality"]),
            )
        )
    return found


async def _sparkline(view: ServiceView, reading: KeyReading | None) -> Sparkline | None:
    if reading is None or view.storage is None:
        return None
    now = time.time()
    hours = await asyncio.to_thread(
        view.storage.rollup_history,
        reading.device,
        reading.point,
        now - SPARKLINE_S + 3600.0,  # the current hour is the 24th
        now,
    )
    return Sparkline(
        device=reading.device,
        point=reading.point,
        unit=reading.unit,
        ts=[h.hour for h in hours],
        mean=[None if h.mean is None else round(h.mean, 3) for h in hours],
    )


async def field_summaries(
    view: ServiceView, state: GatewayState | None = None
) -> list[FieldSummary]:
    """Every configured field, in configuration order. A page that also shows the
    gateway's alerts passes the ``state`` it gathered, so nothing is read twice."""
    return await _summaries(view, list(view.config.site.fields), state)


async def field_summary(view: ServiceView, field_id: str) -> FieldSummary:
    """One field; NotFoundError naming ``field`` otherwise."""
    if field_id not in view.config.site.fields:
        raise NotFoundError("field", f"no field named {field_id!r}")
    return (await _summaries(view, [field_id]))[0]


async def _summaries(
    view: ServiceView, field_ids: list[str], state: GatewayState | None = None
) -> list[FieldSummary]:
    if state is None:
        state = await gather_state(view)
    latest = {(str(r["device"]), str(r["point"])): r for r in state.latest}
    forecasts = {f.field: f for f in await latest_forecasts(view)}
    alerts = evaluate(view.config, state)
    result: list[FieldSummary] = []
    for field_id in field_ids:
        cfg = view.config.site.fields[field_id]
        devices = [d for d, dev in view.config.devices.items() if dev.field == field_id]
        readings = _key_readings(devices, latest)
        moisture = next((r for r in readings if r.role == MOISTURE_ROLE), None)
        result.append(
            FieldSummary(
                id=field_id,
                name=cfg.name,
                crop=str(cfg.crop),
                area_ha=cfg.area_ha,
                planted=None if cfg.planted is None else cfg.planted.isoformat(),
                boundary=[(float(p[0]), float(p[1])) for p in cfg.boundary],
                devices=devices,
                readings=readings,
                sparkline=await _sparkline(view, moisture),
                forecast=forecasts.get(field_id),
                alerts=alerts_of_field(alerts, field_id),
            )
        )
    return result
