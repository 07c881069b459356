"""Yield forecasts as the page shows them: each field's newest, and a field's history."""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel

from edge.storage.forecast_history import StoredForecast
from edge.web.queries.errors import NotFoundError
from edge.web.queries.readings import check_range
from edge.web.view import ServiceView

DEFAULT_HISTORY_S = 200 * 86_400.0
"""A forecast history defaults to a whole season (rice is ~120-150 days)."""
MAX_FORECASTS = 5000
"""An hourly forecaster makes ~3,600 in a 150-day season."""


class ForecastOut(BaseModel):
    field: str
    ts: float
    """When it was made."""
    p10: float | None
    p50: float | None
    p90: float | None
    """Yield in t/ha: p50 the central forecast (the expected yield), p10-p90 the band it
    falls in 8 times out of 10."""
    model_version: str
    features_used: list[str]
    progress: float | None
    """Share of the season elapsed, 0..1."""
    expected_harvest: str | None
    """ISO date."""
    notes: list[str]
    """What was degraded: an input missing (band widened), held, or taken as none."""

    @classmethod
    def of(cls, stored: StoredForecast) -> ForecastOut:
        return cls(
            field=stored.field,
            ts=stored.ts,
            p10=stored.p10,
            p50=stored.p50,
            p90=stored.p90,
            model_version=stored.model_version,
            features_used=list(stored.features_used),
            progress=stored.progress,
            expected_harvest=stored.expected_harvest,
            notes=list(stored.notes),
        )


class ForecastHistory(BaseModel):
    field: str
    start: float
    end: float
    forecasts: list[ForecastOut]


async def latest_forecasts(view: ServiceView) -> list[ForecastOut]:
    """The newest forecast of each field that has one."""
    if view.storage is None:
        return []
    rows = await asyncio.to_thread(view.storage.latest_forecasts)
    return [ForecastOut.of(row) for row in rows]


async def forecast_history(
    view: ServiceView, field: str, start: float | None = None, end: float | None = None
) -> ForecastHistory:
    """Forecasts of ``field`` made in ``[start, end)``.

    Raises NotFoundError or BadParameterError naming the input."""
    if field not in view.config.site.fields:
        raise NotFoundError("field", f"no field named {field!r}")
    begin, stop = check_range(start, end, time.time(), DEFAULT_HISTORY_S)
    rows = (
        []
        if view.storage is None
        else await asyncio.to_thread(view.storage.forecasts, field, begin, stop, MAX_FORECASTS)
    )
    return ForecastHistory(
        field=field, start=begin, end=stop, forecasts=[ForecastOut.of(r) for r in rows]
    )
