"""The logistics page: orders, plan requests, the plan on a map, run sheets, dispatch
and progress. Server-rendered and usable without scripts (every action is a form
post that comes back to the page); ``logistics.js`` adds live vehicle positions
and progress (polling ``/api/vehicles``) and refreshes a plan being solved.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from edge.logistics import orders as order_ops
from edge.logistics import plans as plan_ops
from edge.logistics.errors import Conflict, FieldError, Invalid, NotFound, Rejected
from edge.logistics.map_view import build_map
from edge.logistics.orders import Order, OrderDraft, OrderPatch, draft_of, places
from edge.logistics.plans import PAGE_BUDGETS_S, PlanRecord
from edge.logistics.progress import ProgressTracker
from edge.web.access import Coordinator, Principal, Viewer
from edge.web.api.logistics import logistics_api, site_today, storage_of
from edge.web.templating import Pages
from edge.web.view import ServiceView

OPEN = ("suggested", "new", "confirmed", "planned")
CLOSED_SHOWN = 15
PLANS_SHOWN = 8
WINDOW_ROWS = 2
MESSAGES = frozenset(
    {
        "order_created", "order_edited", "order_cancelled", "order_rejected",
        "order_confirmed", "order_done", "plan_requested", "plan_dispatched", "plan_cancelled",
    }
)  # fmt: skip
EMPTY_DRAFT: dict[str, Any] = {
    "name": "", "kind": "delivery", "place": "", "lat": "", "lon": "", "kg": "",
    "windows": [["", ""]] * WINDOW_ROWS, "service_min": "5", "vehicle": "", "required": True,
    "site": "", "notes": "",
}  # fmt: skip


def logistics_routes(view: ServiceView, pages: Pages) -> APIRouter:
    """The page and its JSON API (one router, so the app includes logistics once)."""
    tracker = ProgressTracker()
    router = APIRouter()
    router.include_router(logistics_api(view, pages, tracker))
    router.include_router(_pages(view, pages, tracker))
    return router


def _pages(view: ServiceView, pages: Pages, tracker: ProgressTracker) -> APIRouter:
    router = APIRouter(prefix="/logistics", include_in_schema=False)
    config = view.config

    async def page(
        request: Request,
        *,
        plan_id: str | None = None,
        edit: str | None = None,
        values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None,
        message: str | None = None,
        problem: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        storage = storage_of(view)
        ctx = await asyncio.to_thread(_context, view, tracker, plan_id, edit)
        if values is not None:
            ctx["form"] = values
        ctx.update(
            errors=dict(errors or {}),
            message=message if message in MESSAGES else None,
            problem=problem,
            budgets=PAGE_BUDGETS_S,
            places=places(config),
            vehicles=config.vehicles,
            sites={**config.site.depots, **config.site.collection_points},
            clock=_clock(config.site.timezone),
            timezone=config.site.timezone,
        )
        del storage
        return pages.render(
            request, "logistics.html", ctx, nav="logistics", status_code=status_code
        )

    @router.get("", response_class=HTMLResponse)
    async def logistics(
        request: Request,
        _: Viewer,
        plan: str | None = None,
        edit: str | None = None,
        msg: str | None = None,
    ) -> HTMLResponse:
        return await page(request, plan_id=plan, edit=edit, message=msg)

    @router.post("/orders", response_model=None)
    async def create_order(request: Request, who: Coordinator) -> Response:
        form = await _form(request, who)
        values, errors = _form_values(form)
        draft = None
        if not errors:
            try:
                draft = order_ops.validated_draft(_draft_input(values))
                order = await asyncio.to_thread(
                    order_ops.create_order,
                    storage_of(view),
                    config,
                    draft,
                    actor=who.actor,
                    today=site_today(view),
                )
            except Invalid as e:
                errors = _merge(errors, e.errors)
        if errors:
            return await page(request, values=values, errors=errors, status_code=422)
        return _back(msg="order_created", anchor=f"order-{order.id}")

    @router.post("/orders/{order_id}", response_model=None)
    async def edit_order(order_id: str, request: Request, who: Coordinator) -> Response:
        form = await _form(request, who)
        values, errors = _form_values(form)
        if not errors:
            try:
                patch = OrderPatch.model_validate(
                    order_ops.validated_draft(_draft_input(values)).model_dump()
                )
                await asyncio.to_thread(
                    order_ops.update_order,
                    storage_of(view),
                    config,
                    order_id,
                    patch,
                    actor=who.actor,
                )
            except Invalid as e:
                errors = _merge(errors, e.errors)
            except (NotFound, Conflict) as e:
                return await page(request, problem=str(e), status_code=_status(e))
        if errors:
            return await page(request, edit=order_id, values=values, errors=errors, status_code=422)
        return _back(msg="order_edited", anchor=f"order-{order_id}")

    @router.post("/orders/{order_id}/{action}", response_model=None)
    async def order_action(
        order_id: str, action: str, request: Request, who: Coordinator
    ) -> Response:
        await _form(request, who)
        storage = storage_of(view)
        try:
            if action == "cancel":
                order = await asyncio.to_thread(
                    order_ops.cancel_order, storage, order_id, actor=who.actor
                )
                return _back(msg=f"order_{order.status}", anchor="orders")
            if action == "confirm":
                await asyncio.to_thread(
                    order_ops.confirm_order, storage, config, order_id, actor=who.actor
                )
                return _back(msg="order_confirmed", anchor=f"order-{order_id}")
            if action == "done":
                await asyncio.to_thread(order_ops.mark_done, storage, order_id, actor=who.actor)
                return _back(msg="order_done", anchor=f"order-{order_id}")
        except (NotFound, Conflict) as e:
            return await page(request, problem=str(e), status_code=_status(e))
        raise HTTPException(404, f"no order action {action!r}; expected cancel, confirm or done")

    @router.post("/plans", response_model=None)
    async def request_plan(request: Request, who: Coordinator) -> Response:
        form = await _form(request, who)
        raw = str(form.get("budget_s", "10"))
        try:
            budget = float(raw)
        except ValueError:
            budget = -1.0
        try:
            record = await asyncio.to_thread(
                plan_ops.request_plan,
                storage_of(view),
                config,
                budget_s=budget,
                actor=who.actor,
                now=time.time(),
            )
        except Rejected as e:
            return await page(request, problem=str(e), status_code=422)
        except Conflict as e:
            return await page(request, problem=str(e), status_code=409)
        view.plans_requested()
        return _back(msg="plan_requested", plan=record.id, anchor="plan")

    @router.post("/plans/{plan_id}/{action}", response_model=None)
    async def plan_action(
        plan_id: str, action: str, request: Request, who: Coordinator
    ) -> Response:
        await _form(request, who)
        storage = storage_of(view)
        try:
            if action == "dispatch":
                await asyncio.to_thread(plan_ops.dispatch_plan, storage, plan_id, actor=who.actor)
                return _back(msg="plan_dispatched", plan=plan_id, anchor="plan")
            if action == "cancel":
                await asyncio.to_thread(plan_ops.cancel_plan, storage, plan_id, actor=who.actor)
                return _back(msg="plan_cancelled", plan=plan_id, anchor="plan")
        except (NotFound, Conflict) as e:
            return await page(request, plan_id=plan_id, problem=str(e), status_code=_status(e))
        raise HTTPException(404, f"no plan action {action!r}; expected dispatch or cancel")

    return router


async def render_runsheet(
    view: ServiceView, pages: Pages, request: Request, record: PlanRecord, vehicle: str
) -> HTMLResponse:
    route = next((r for r in record.routes if r["vehicle"] == vehicle), None)
    if route is None:
        raise HTTPException(404, f"vehicle {vehicle!r} has no route in plan {record.id}")
    storage = storage_of(view)
    names = record.names()
    stops = {str(s["id"]): s for s in record.problem.get("stops", ()) if isinstance(s, dict)}
    notes = {}
    for order_id in record.orders:
        try:
            order = await asyncio.to_thread(order_ops.get_order, storage, order_id)
        except NotFound:
            continue
        notes[order_id] = str(order.data.get("notes", ""))
    epoch = record.epoch_s(view.config.site.timezone)
    clock = _clock(view.config.site.timezone)
    rows = []
    previous_kg = 0.0
    for n, visit in enumerate(route["visits"]):
        kg = float((visit.get("load_after") or {}).get("kg", 0.0))
        sid = str(visit["id"])
        stop = stops.get(sid, {})
        rows.append(
            {
                "n": n,
                "kind": visit["kind"],
                "id": sid,
                "name": names.get(sid, sid),
                "arrive": clock(epoch + float(visit["arrival_s"])),
                "start": clock(epoch + float(visit["start_s"])),
                "leave": clock(epoch + float(visit["departure_s"])),
                "change_kg": round(abs(kg - previous_kg), 2),
                "load_kg": round(kg, 2),
                "windows": [f"{w[0]}–{w[1]}" for w in stop.get("windows", ())],
                "notes": notes.get(sid.split("@", 1)[0], ""),
                "battery_wh": visit.get("battery_after_wh"),
            }
        )
        previous_kg = kg
    vehicle_cfg = view.config.vehicles.get(vehicle)
    return pages.render(
        request,
        "runsheet.html",
        {
            "record": record,
            "vehicle": vehicle,
            "vehicle_name": vehicle_cfg.name if vehicle_cfg else names.get(vehicle, vehicle),
            "vehicle_kind": vehicle_cfg.type if vehicle_cfg else "",
            "route": route,
            "rows": rows,
            "day": record.data.get("day") or "",
        },
        nav="logistics",
    )


# -- helpers -------------------------------------------------------------------------


def _context(
    view: ServiceView, tracker: ProgressTracker, plan_id: str | None, edit: str | None
) -> dict[str, Any]:
    storage = storage_of(view)
    config = view.config
    open_orders = order_ops.list_orders(storage, OPEN)
    closed = order_ops.list_orders(storage, ("done", "cancelled", "rejected"), CLOSED_SHOWN)
    plans = plan_ops.list_plans(storage, PLANS_SHOWN)
    selected: PlanRecord | None = None
    if plan_id:
        try:
            selected = plan_ops.get_plan(storage, plan_id)
        except NotFound:
            selected = None
    if selected is None:
        selected = next((p for p in plans if p.status not in ("cancelled", "superseded")), None)
    current = plan_ops.current_plan(storage)
    progress = tracker.vehicles(storage, config, current, time.time())
    form: dict[str, Any] = dict(EMPTY_DRAFT)
    editing: Order | None = None
    if edit:
        try:
            editing = order_ops.get_order(storage, edit)
        except NotFound:
            editing = None
        if editing is not None and editing.status in order_ops.EDITABLE:
            form = _form_of(draft_of(config, editing))
        else:
            editing = None
    reached = {s.id.split("@", 1)[0] for v in progress for s in v.stops if s.reached}
    return {
        "orders": open_orders,
        "closed_orders": closed,
        "plans": plans,
        "selected": selected,
        "current": current,
        "progress": progress,
        "reached": reached,
        "map": build_map(
            config,
            selected,
            progress
            if selected is not None and current is not None and selected.id == current.id
            else (),
            [o for o in open_orders if o.status != "suggested"],
        ),
        "form": form,
        "editing": editing,
    }


def _form_of(draft: OrderDraft) -> dict[str, Any]:
    windows = [w.split("-", 1) for w in draft.windows][:WINDOW_ROWS]
    windows += [["", ""]] * (WINDOW_ROWS - len(windows))
    lat, lon = draft.location if draft.location is not None else ("", "")
    return {
        "name": draft.name,
        "kind": draft.kind,
        "place": draft.place or "",
        "lat": "" if draft.place else f"{lat}",
        "lon": "" if draft.place else f"{lon}",
        "kg": f"{draft.kg:g}",
        "windows": windows,
        "service_min": f"{draft.service_min:g}",
        "vehicle": (draft.vehicles or [""])[0],
        "required": draft.required,
        "site": draft.site or "",
        "notes": draft.notes,
    }


def _form_values(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as posted (to show it again) and the errors found reading it."""

    def text(key: str) -> str:
        value = form.get(key, "")
        return value.strip() if isinstance(value, str) else ""

    values: dict[str, Any] = {
        key: text(key)
        for key in (
            "name",
            "kind",
            "place",
            "lat",
            "lon",
            "kg",
            "service_min",
            "vehicle",
            "site",
            "notes",
        )
    }
    values["windows"] = [[text(f"w{i}_from"), text(f"w{i}_to")] for i in range(WINDOW_ROWS)]
    values["required"] = text("required") in ("on", "1", "true", "yes")
    errors: dict[str, str] = {}
    for key in ("kg", "service_min", "lat", "lon"):
        if values[key]:
            try:
                float(values[key])
            except ValueError:
                field = "location" if key in ("lat", "lon") else key
                errors.setdefault(field, f"{key}: expected a number, found {values[key]!r}")
    if not values["kg"]:
        errors["kg"] = "kg: give the weight in kg"
    for i, (start, end) in enumerate(values["windows"]):
        if bool(start) != bool(end):
            errors[f"windows[{i}]"] = f"windows[{i}]: give both the start and the end"
    return values, errors


def _draft_input(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (strings, already checked to parse) as OrderDraft input."""
    out: dict[str, Any] = {
        "name": values["name"],
        "kind": values["kind"] or "delivery",
        "kg": float(values["kg"]),
        "windows": [f"{a}-{b}" for a, b in values["windows"] if a and b],
        "service_min": float(values["service_min"]) if values["service_min"] else 5.0,
        "required": values["required"],
        "notes": values["notes"],
    }
    if values["place"]:
        out["place"] = values["place"]
    elif values["lat"] or values["lon"]:
        out["location"] = (
            float(values["lat"]) if values["lat"] else 999.0,
            float(values["lon"]) if values["lon"] else 999.0,
        )
    if values["vehicle"]:
        out["vehicles"] = [values["vehicle"]]
    if values["site"]:
        out["site"] = values["site"]
    return out


def _merge(errors: dict[str, str], found: list[FieldError]) -> dict[str, str]:
    out = dict(errors)
    for error in found:
        field = error.field
        if field in ("lat", "lon"):
            field = "location"
        out.setdefault(field, error.message)
    return out


async def _form(request: Request, who: Principal) -> FormData:
    """The posted form (its CSRF token was checked by the auth middleware)."""
    del who  # the route's Coordinator parameter has already refused other roles
    return await request.form()


def _back(*, msg: str, plan: str | None = None, anchor: str = "") -> RedirectResponse:
    query = {"msg": msg} | ({"plan": plan} if plan else {})
    return RedirectResponse(
        f"/logistics?{urlencode(query)}" + (f"#{anchor}" if anchor else ""), status_code=303
    )


def _status(exc: Exception) -> int:
    return 404 if isinstance(exc, NotFound) else 409


def _clock(timezone: str) -> Any:
    zone = ZoneInfo(timezone)

    def clock(ts: float | None, with_day: bool = False) -> str:
        if ts is None:
            return "—"
        local = dt.datetime.fromtimestamp(ts, zone)
        return local.strftime("%m-%d %H:%M" if with_day else "%H:%M")

    return clock


__all__ = ["logistics_routes", "render_runsheet"]
