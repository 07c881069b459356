"""Liveness and readiness for a supervisor, a load balancer or a watchdog.

``/healthz`` answers as soon as the event loop does, so a hung loop shows as a
timeout; ``/readyz`` answers 200 only when readings can be stored: storage is
open and the storage-writer task is running. Neither needs a sign-in (they say
nothing about the farm) nor touches the database.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edge.web.view import ServiceView

WRITER_TASK = "storage-writer"


class Liveness(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    """ready or not ready."""
    reasons: list[str]
    """Why not, in words; empty when ready."""


def readiness_reasons(view: ServiceView, task_statuses: list[dict[str, Any]]) -> list[str]:
    reasons = []
    if view.storage is None:
        reasons.append("storage is not open yet")
    elif view.storage.closed:
        reasons.append("storage is closed")
    tasks = {str(t.get("name")): t for t in task_statuses}
    writer = tasks.get(WRITER_TASK)
    if writer is None:
        reasons.append(f"the {WRITER_TASK} task is not started")
    elif writer.get("state") != "running":
        error = writer.get("last_error") or ""
        reasons.append(
            f"the {WRITER_TASK} task is {writer.get('state')}" + (f": {error}" if error else "")
        )
    return reasons


def probes_api(view: ServiceView) -> APIRouter:
    router = APIRouter(tags=["probes"])

    @router.get("/healthz")
    async def healthz() -> Liveness:
        """Liveness: 200 whenever the event loop answers."""
        return Liveness(status="ok")

    @router.get(
        "/readyz",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready, with the reasons"}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: 200 when storage is open and the storage-writer task runs, else
        503 listing what is missing."""
        reasons = readiness_reasons(view, view.task_statuses())
        body = Readiness(status="not ready" if reasons else "ready", reasons=reasons)
        return JSONResponse(body.model_dump(), status_code=503 if reasons else 200)

    return router
