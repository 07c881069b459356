"""JSON API: latest readings, device writes, the event log and service health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edge.web.access import Operator, Viewer
from edge.web.view import ServiceView


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


def monitoring_api(view: ServiceView) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["monitoring"])

    @router.get("/readings/latest", response_model=list[LatestReadingOut])
    async def latest(_: Viewer) -> list[dict[str, Any]]:
        """The newest reading of every device point, sorted by device and point."""
        return await view.latest_readings()

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

    @router.get("/events")
    async def events(
        _: Viewer,
        limit: int = Query(100, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        """Newest first: the audit log of writes, service starts and stops, disk budget."""
        return await view.events(limit)

    @router.get("/health")
    async def health(_: Viewer) -> dict[str, Any]:
        """Supervised tasks, bus queues (with drop counts), devices and storage."""
        return await view.health()

    return router
