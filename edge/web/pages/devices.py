"""The devices pages: every device's state at a glance, and one device's points."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.web.access import Viewer
from edge.web.i18n import choose_language, translate
from edge.web.pages.relative_time import time_helpers
from edge.web.queries import NotFoundError, device_summaries, device_summary
from edge.web.templating import Pages
from edge.web.view import ServiceView


def place_names(view: ServiceView) -> dict[str, Any]:
    """Field and vehicle names for showing where a device sits."""
    return {
        "field_names": {fid: f.name for fid, f in view.config.site.fields.items()},
        "vehicle_names": {vid: v.name for vid, v in view.config.vehicles.items()},
    }


def devices_pages(view: ServiceView, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/devices", response_class=HTMLResponse)
    async def devices(request: Request, _: Viewer) -> HTMLResponse:
        summaries = [s.model_dump() for s in await device_summaries(view)]
        context: dict[str, Any] = {
            "devices": summaries,
            **place_names(view),
            **time_helpers(request),
        }
        return pages.render(request, "devices.html", context, nav="devices")

    @router.get("/devices/{device}", response_class=HTMLResponse)
    async def device(request: Request, device: str, _: Viewer) -> HTMLResponse:
        try:
            summary = await device_summary(view, device)
        except NotFoundError:
            lang = choose_language(request)
            missing = {
                "message": translate(lang, "devices.not_found", id=device),
                "back_href": "/devices",
                "back_text": translate(lang, "devices.back"),
            }
            return pages.render(request, "_not_found.html", missing, nav="devices", status_code=404)
        context: dict[str, Any] = {
            "d": summary.model_dump(),
            **place_names(view),
            **time_helpers(request),
        }
        return pages.render(request, "device.html", context, nav="devices")

    return router
