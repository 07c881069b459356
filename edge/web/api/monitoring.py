"""JSON API: readings (latest and history), devices, fields, forecasts, alerts,
the event log, service health, and device writes.

Every route reads through :mod:`edge.web.queries`, which the pages share; this
module only maps their answers and errors to HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edge.web import queries
from edge.web.access import Operator, Viewer
from edge.web.api.metrics import metrics_api
from edge.web.api.probes import probes_api
from edge.web.api.stream import stream_api
from edge.web.queries import (
    Alert,
    BadParameterError,
    DeviceSummary,
    FieldSummary,
    ForecastHistory,
    ForecastOut,
    NotFoundError,
    ReadingSeries,
)
from edge.web.view import ServiceView

T = TypeVar("T")


class LatestReadingOut(BaseModel):
    device: str
    point: str
    ts: float
    value: float | str | None
    unit: str
    quality: str


class WriteIn(BaseModel):
    value: float | str
    verify: bool = True


class ErrorOut(BaseModel):
    detail: str


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown device, point or field (named)"}
}

# Where each parameter a query may complain about sits in the request, so a 422
# has the same shape as FastAPI's own validation errors.
_PARAM_PLACE: dict[str, str] = {
    "start": "query",
    "end": "query",
    "resolution": "query",
    "device": "path",
    "point": "path",
    "field": "path",
}


async def answer(call: Awaitable[T]) -> T:
    """Run a query: NotFoundError becomes 404, BadParameterError 422, both naming the input."""
    try:
        return await call
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except BadParameterError as exc:
        raise RequestValidationError(
            [
                {
                    "loc": (_PARAM_PLACE.get(exc.param, "query"), exc.param),
                    "msg": str(exc),
                    "type": "value_error",
                }
            ]
        ) from exc


def monitoring_api(view: ServiceView) -> APIRouter:
    """Everything monitoring serves: this JSON API, the live stream, Prometheus
    metrics and the liveness/readiness probes (one router for ``create_app``)."""
    router = APIRouter()
    router.include_router(_json_api(view))
    router.include_router(stream_api(view))
    router.include_router(metrics_api(view))
    router.include_router(probes_api(view))
    return router


def _json_api(view: ServiceView) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["monitoring"])

    @router.get("/readings/latest", response_model=list[LatestReadingOut])
    async def latest(_: Viewer) -> list[dict[str, Any]]:
        """The newest reading of every device point, sorted by device and point.

        ``quality`` is ``stale`` when the value is older than three poll intervals."""
        return await view.latest_readings()

    @router.get("/readings/{device}/{point}", responses=NOT_FOUND)
    async def reading_history(
        _: Viewer,
        device: str = Path(description="Device id as configured"),
        point: str = Path(description="Point name from the device's profile"),
        start: float | None = Query(
            None, description="Seconds since the epoch; default: 24 h before end"
        ),
        end: float | None = Query(None, description="Seconds since the epoch; default: now"),
        resolution: Literal["auto", "raw", "hour"] = Query(
            "auto",
            description="auto: raw up to 48 h, hourly roll-ups beyond; raw at most 7 days",
        ),
        max_points: int = Query(queries.DEFAULT_POINTS, ge=2, le=queries.MAX_POINTS),
    ) -> ReadingSeries:
        """History of one point over ``[start, end)`` (at most 400 days).

        Raw points are ``{ts, value, quality}``; hourly ones ``{ts, mean, min, max,
        n, n_good}``. At most ``max_points`` are sent: raw readings are thinned to
        the lowest and highest value of each time bucket, so spikes survive;
        hours are merged into longer buckets. ``bucket_s`` says how wide they are.
        """
        return await answer(
            queries.reading_series(view, device, point, start, end, resolution, max_points)
        )

    @router.get("/devices")
    async def devices(_: Viewer) -> list[DeviceSummary]:
        """Every configured device: state, last success, errors by kind, latency, points."""
        return await queries.device_summaries(view)

    @router.get("/devices/{device}", responses=NOT_FOUND)
    async def device(device: str, _: Viewer) -> DeviceSummary:
        """One device, as in ``/api/devices``."""
        return await answer(queries.device_summary(view, device))

    @router.post("/devices/{device}/points/{point}/write")
    async def write_point(
        device: str,
        point: str,
        body: WriteIn,
        who: Operator,
    ) -> JSONResponse:
        """Write one point of a device, ahead of polling on its bus.

        The value is checked against the device profile before anything is
        sent (422 with the rule broken); 404 for an unknown device. 200 when
        the device acknowledged (and read back equal, with ``verify``), 502
        with the same body when it did not. Every attempt is audited with the
        user who asked.
        """
        try:
            result = await view.write_point(
                device, point, body.value, actor=who.actor, verify=body.verify
            )
        except LookupError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return JSONResponse(result, status_code=200 if result["ok"] else 502)

    @router.get("/fields")
    async def fields(_: Viewer) -> list[FieldSummary]:
        """Every field: key readings, 24 h soil-moisture sparkline, latest forecast, alerts."""
        return await queries.field_summaries(view)

    @router.get("/fields/{field}", responses=NOT_FOUND)
    async def field(field: str, _: Viewer) -> FieldSummary:
        """One field, as in ``/api/fields``."""
        return await answer(queries.field_summary(view, field))

    @router.get("/fields/{field}/forecasts", responses=NOT_FOUND)
    async def field_forecasts(
        field: str,
        _: Viewer,
        start: float | None = Query(None, description="Seconds; default: 200 days before end"),
        end: float | None = Query(None, description="Seconds; default: now"),
    ) -> ForecastHistory:
        """The field's forecasts made in ``[start, end)``, oldest first."""
        return await answer(queries.forecast_history(view, field, start, end))

    @router.get("/forecasts/latest")
    async def forecasts_latest(_: Viewer) -> list[ForecastOut]:
        """The newest forecast of each field that has one."""
        return await queries.latest_forecasts(view)

    @router.get("/alerts")
    async def alerts(_: Viewer) -> list[Alert]:
        """Alerts active now, worst first (computed from current state; nothing stored)."""
        return await queries.active_alerts(view)

    @router.get("/events")
    async def events(
        _: Viewer,
        limit: int = Query(100, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        """Newest first: the audit log of writes, service starts and stops, disk budget."""
        return await view.events(limit)

    @router.get("/health")
    async def health(_: Viewer) -> dict[str, Any]:
        """Supervised tasks, bus queues (with drop counts), devices and storage, and a
        ``summary`` for badges: uplink, outbox backlog, disk, uptime, tasks ok/total."""
        full = await view.health()
        summary = await queries.health_summary(view, full)
        return {**full, "summary": summary.model_dump()}

    return router
