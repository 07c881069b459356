"""The ASGI application: server-rendered pages plus a JSON API (OpenAPI at /docs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from edge.web.view import ServiceView

HERE = Path(__file__).parent


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


def _format_ts(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def create_app(view: ServiceView) -> FastAPI:
    app = FastAPI(title="Kakashi gateway API", version="0.1.0")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["ts"] = _format_ts
    templates.env.filters["value"] = _format_value
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def overview(request: Request) -> HTMLResponse:
        readings = await view.latest_readings()
        return templates.TemplateResponse(
            request, "overview.html", {"site_name": view.site_name, "readings": readings}
        )

    @app.get("/api/readings/latest", response_model=list[LatestReadingOut])
    async def latest() -> list[dict[str, Any]]:
        """The newest reading of every device point, sorted by device and point."""
        return await view.latest_readings()

    @app.post("/api/devices/{device}/points/{point}/write")
    async def write_point(device: str, point: str, body: WriteIn, request: Request) -> JSONResponse:
        """Write one point of a device, ahead of polling on its bus.

        The value is checked against the device profile before anything is
        sent (422 with the rule broken); 404 for an unknown device. 200 when
        the device acknowledged (and read back equal, with ``verify``), 502
        with the same body when it did not. Every attempt is audited.
        """
        # Until users and roles exist, the audit names the client address.
        actor = f"api@{request.client.host}" if request.client else "api"
        try:
            result = await view.write_point(
                device, point, body.value, actor=actor, verify=body.verify
            )
        except LookupError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return JSONResponse(result, status_code=200 if result["ok"] else 502)

    @app.get("/api/events")
    async def events(limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Newest first: the audit log of writes, service starts and stops, disk budget."""
        return await view.events(limit)

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        """Supervised tasks, bus queues (with drop counts), devices and storage."""
        return await view.health()

    return app
