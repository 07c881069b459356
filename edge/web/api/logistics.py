"""JSON API for logistics: orders, plan requests, plans and their exports, dispatch,
and the vehicles' progress. Viewers read; coordinators and admins change.

Refusals: 422 names the field (``{"detail": [{"loc": ["body", "kg"], "msg": ...}]}``,
the shape FastAPI uses for its own validation), 404 for an unknown id, 409 when
the record's status forbids the change (dispatching a plan that is not proposed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from edge.logistics import orders as order_ops
from edge.logistics import plans as plan_ops
from edge.logistics.errors import Conflict, Invalid, NotFound, Rejected
from edge.logistics.exports import geojson, qgc_mission
from edge.logistics.orders import STATUSES as ORDER_STATUSES
from edge.logistics.orders import Order, OrderDraft, OrderPatch
from edge.logistics.plans import MAX_BUDGET_S, MIN_BUDGET_S, PlanRecord
from edge.logistics.progress import ProgressTracker
from edge.storage.store import Storage
from edge.web.access import Coordinator, Viewer
from edge.web.templating import Pages
from edge.web.view import ServiceView

T = TypeVar("T")
DEFAULT_BUDGET_S = 10
OrderStatus = Literal["suggested", "new", "confirmed", "planned", "done", "cancelled", "rejected"]


class OrderOut(BaseModel):
    id: str
    kind: str
    status: str
    name: str
    created: float
    updated: float
    data: dict[str, Any] = Field(description="The stop in PROBLEM.json form, or a suggestion")


class PlanRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_s: int = Field(
        DEFAULT_BUDGET_S,
        ge=MIN_BUDGET_S,
        le=MAX_BUDGET_S,
        description="Seconds the planner may search",
    )


class PlanSummaryOut(BaseModel):
    id: str
    status: str
    created: float
    updated: float
    actor: str
    requested_by: str
    budget_s: float | None
    orders: list[str]
    vehicles: list[str] = Field(description="Vehicles with a route")
    dropped: list[dict[str, str]]
    error: str | None


class PlanOut(PlanSummaryOut):
    day: str | None
    epoch_s: float
    skipped: list[dict[str, str]]
    notes: list[str]
    problem: dict[str, Any]
    plan: dict[str, Any] | None


class StopProgressOut(BaseModel):
    id: str
    name: str
    kind: str
    location: list[float]
    planned_s: float
    reached: bool


class VehicleOut(BaseModel):
    id: str
    name: str
    kind: str
    position: list[float] | None = Field(description="[lat, lon] of the latest GPS fix")
    position_ts: float | None
    battery_pct: float | None
    last_seen: float | None
    plan: str | None = Field(description="The dispatched plan it is on")
    stops_total: int
    stops_reached: int
    stops: list[StopProgressOut]
    next_stop: str | None
    next_stop_name: str | None
    eta_s: float | None


def order_out(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "kind": order.kind,
        "status": order.status,
        "name": order.name,
        "created": order.created,
        "updated": order.updated,
        "data": order.data,
    }


def plan_summary(record: PlanRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "status": record.status,
        "created": record.created,
        "updated": record.updated,
        "actor": record.actor,
        "requested_by": record.requested_by,
        "budget_s": record.budget_s,
        "orders": record.orders,
        "vehicles": [str(r["vehicle"]) for r in record.routes],
        "dropped": [
            {"id": str(d.get("id")), "reason": str(d.get("reason"))}
            for d in (record.plan or {}).get("dropped", ())
        ],
        "error": record.error,
    }


def plan_out(record: PlanRecord, timezone: str) -> dict[str, Any]:
    return {
        **plan_summary(record),
        "day": record.data.get("day"),
        "epoch_s": record.epoch_s(timezone),
        "skipped": record.data.get("skipped", []),
        "notes": record.data.get("notes", []),
        "problem": record.problem,
        "plan": record.plan,
    }


def refusal(exc: Exception) -> HTTPException:
    """The HTTP answer to a refusal from edge.logistics."""
    if isinstance(exc, Invalid):
        return HTTPException(
            422,
            [
                {
                    "loc": ["body", *e.field.replace("[", ".").replace("]", "").split(".")],
                    "msg": e.message,
                    "type": "value_error",
                }
                for e in exc.errors
            ],
        )
    if isinstance(exc, Rejected):
        return HTTPException(
            422,
            [
                {"loc": ["body", m.split(":", 1)[0]], "msg": m, "type": "value_error"}
                for m in exc.errors
            ],
        )
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, Conflict):
        return HTTPException(409, str(exc))
    if isinstance(exc, ValueError):
        # The documented 422 shape; the only ValueError here is a vehicle of the
        # wrong kind (a cart has no QGroundControl mission).
        return HTTPException(
            422, [{"loc": ["path", "vehicle"], "msg": str(exc), "type": "value_error"}]
        )
    raise exc


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking logistics call off the event loop, its refusals as HTTP answers."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except (Invalid, Rejected, NotFound, Conflict, ValueError) as exc:
        raise refusal(exc) from None


def storage_of(view: ServiceView) -> Storage:
    if view.storage is None:
        raise HTTPException(503, "storage is not open yet; try again in a moment")
    return view.storage


def site_today(view: ServiceView) -> dt.date:
    return dt.datetime.now(ZoneInfo(view.config.site.timezone)).date()


def logistics_api(view: ServiceView, pages: Pages, tracker: ProgressTracker) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["logistics"])
    config = view.config
    tz = config.site.timezone

    # -- orders ------------------------------------------------------------------

    @router.get("/orders", response_model=list[OrderOut])
    async def list_orders(
        _: Viewer,
        status: Annotated[
            list[OrderStatus] | None, Query(description="Only these statuses")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[dict[str, Any]]:
        """Newest first."""
        found = await run(order_ops.list_orders, storage_of(view), status, limit)
        return [order_out(o) for o in found]

    @router.post("/orders", response_model=OrderOut, status_code=201)
    async def create_order(body: OrderDraft, who: Coordinator) -> dict[str, Any]:
        """A new order (status ``new``), checked by the planner's own rules; 422 names
        the field at fault."""
        order = await run(
            order_ops.create_order,
            storage_of(view),
            config,
            body,
            actor=who.actor,
            today=site_today(view),
        )
        return order_out(order)

    @router.get("/orders/{order_id}", response_model=OrderOut)
    async def get_order(order_id: str, _: Viewer) -> dict[str, Any]:
        return order_out(await run(order_ops.get_order, storage_of(view), order_id))

    @router.patch("/orders/{order_id}", response_model=OrderOut)
    async def edit_order(order_id: str, body: OrderPatch, who: Coordinator) -> dict[str, Any]:
        """Change a suggested, new or confirmed order (409 otherwise); editing a
        suggestion confirms it."""
        order = await run(
            order_ops.update_order, storage_of(view), config, order_id, body, actor=who.actor
        )
        return order_out(order)

    @router.delete("/orders/{order_id}", response_model=OrderOut)
    async def cancel_order(order_id: str, who: Coordinator) -> dict[str, Any]:
        """Cancel an order (a suggestion is rejected); the record stays, with its status."""
        return order_out(
            await run(order_ops.cancel_order, storage_of(view), order_id, actor=who.actor)
        )

    @router.post("/orders/{order_id}/confirm", response_model=OrderOut)
    async def confirm_order(order_id: str, who: Coordinator) -> dict[str, Any]:
        """Confirm a suggested (or new) order: from now on it is planned."""
        return order_out(
            await run(order_ops.confirm_order, storage_of(view), config, order_id, actor=who.actor)
        )

    @router.post("/orders/{order_id}/done", response_model=OrderOut)
    async def order_done(order_id: str, who: Coordinator) -> dict[str, Any]:
        """Mark a planned order done (the coordinator's word, not the GPS's)."""
        return order_out(
            await run(order_ops.mark_done, storage_of(view), order_id, actor=who.actor)
        )

    # -- plans -------------------------------------------------------------------

    @router.get("/plans", response_model=list[PlanSummaryOut])
    async def list_plans(_: Viewer, limit: int = Query(20, ge=1, le=200)) -> list[dict[str, Any]]:
        """Newest first."""
        return [plan_summary(p) for p in await run(plan_ops.list_plans, storage_of(view), limit)]

    @router.post("/plans", response_model=PlanOut, status_code=202)
    async def request_plan(who: Coordinator, body: PlanRequestIn | None = None) -> dict[str, Any]:
        """Plan every new and confirmed order within ``budget_s`` seconds. The plan is
        ``requested`` now and ``proposed`` once solved (or ``failed`` with the planner's
        reasons); 409 when there is nothing to plan."""
        budget = body.budget_s if body is not None else DEFAULT_BUDGET_S
        record = await run(
            plan_ops.request_plan,
            storage_of(view),
            config,
            budget_s=budget,
            actor=who.actor,
            now=time.time(),
        )
        view.plans_requested()
        return plan_out(record, tz)

    @router.get("/plans/{plan_id}", response_model=PlanOut)
    async def get_plan(plan_id: str, _: Viewer) -> dict[str, Any]:
        return plan_out(await run(plan_ops.get_plan, storage_of(view), plan_id), tz)

    @router.get("/plans/{plan_id}/geojson")
    async def plan_geojson(plan_id: str, _: Viewer) -> JSONResponse:
        """Routes, visits, dropped stops and no-fly zones as GeoJSON (RFC 7946);
        409 while the plan has no routes."""
        record = await run(plan_ops.get_plan, storage_of(view), plan_id)
        data = await run(geojson, record)
        return JSONResponse(data, media_type="application/geo+json")

    @router.get("/plans/{plan_id}/qgc/{vehicle}")
    async def plan_qgc(plan_id: str, vehicle: str, _: Viewer) -> JSONResponse:
        """A drone's route as a QGroundControl ``.plan`` file; 422 for a cart, 404
        when the vehicle has no route."""
        record = await run(plan_ops.get_plan, storage_of(view), plan_id)
        data = await run(qgc_mission, record, vehicle)
        return JSONResponse(
            data,
            headers={"Content-Disposition": f'attachment; filename="{plan_id}-{vehicle}.plan"'},
        )

    @router.get("/plans/{plan_id}/runsheet/{vehicle}", response_class=HTMLResponse)
    async def plan_runsheet(
        plan_id: str, vehicle: str, request: Request, _: Viewer
    ) -> HTMLResponse:
        """A printable run sheet: the vehicle's stops in order with times, names,
        amounts and notes."""
        from edge.web.pages.logistics import render_runsheet

        record = await run(plan_ops.get_plan, storage_of(view), plan_id)
        return await render_runsheet(view, pages, request, record, vehicle)

    @router.post("/plans/{plan_id}/dispatch", response_model=PlanOut)
    async def dispatch(plan_id: str, who: Coordinator) -> dict[str, Any]:
        """Send a proposed plan's missions to its vehicles (409 unless proposed); the
        plan dispatched before it is superseded."""
        record = await run(plan_ops.dispatch_plan, storage_of(view), plan_id, actor=who.actor)
        return plan_out(record, tz)

    @router.post("/plans/{plan_id}/cancel", response_model=PlanOut)
    async def cancel_plan(plan_id: str, who: Coordinator) -> dict[str, Any]:
        """Cancel a requested or proposed plan (409 otherwise)."""
        record = await run(plan_ops.cancel_plan, storage_of(view), plan_id, actor=who.actor)
        return plan_out(record, tz)

    # -- vehicles ----------------------------------------------------------------

    @router.get("/vehicles", response_model=list[VehicleOut])
    async def vehicles(_: Viewer) -> list[dict[str, Any]]:
        """Each vehicle's latest position and battery, and its progress along the
        dispatched plan: stops reached (GPS within 30 m for carts, 20 m for drones),
        next stop and ETA."""
        storage = storage_of(view)
        current = await run(plan_ops.current_plan, storage)
        found = await run(tracker.vehicles, storage, config, current, time.time())
        return [v.as_json() for v in found]

    return router


__all__ = ["ORDER_STATUSES", "logistics_api"]
