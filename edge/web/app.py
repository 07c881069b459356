"""The ASGI application: server-rendered pages plus a JSON API (OpenAPI at /docs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
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

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        """Supervised tasks, bus queues (with drop counts), devices and storage."""
        return await view.health()

    return app
