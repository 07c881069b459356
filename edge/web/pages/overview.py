"""The overview page: what an operator checks first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.web.access import Viewer
from edge.web.templating import Pages
from edge.web.view import ServiceView


def overview_pages(view: ServiceView, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def overview(request: Request, _: Viewer) -> HTMLResponse:
        readings = await view.latest_readings()
        return pages.render(request, "overview.html", {"readings": readings}, nav="overview")

    return router
