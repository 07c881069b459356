"""The overview page: what an operator checks first, on a phone at the field's edge.

Everything is rendered on the server from the same queries as the JSON API;
live.js then keeps values, health and alerts current from the event stream.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.forecasting import crops_with_models
from edge.web.access import Viewer
from edge.web.i18n import choose_language
from edge.web.pages import figures
from edge.web.pages.alert_text import alert_text
from edge.web.pages.fleet import vehicle_summaries
from edge.web.pages.relative_time import time_helpers
from edge.web.pages.sketch import band_scale, sparkline_path
from edge.web.queries import (
    Alert,
    FieldSummary,
    Sparkline,
    active_alerts,
    field_summaries,
    health_summary,
)
from edge.web.queries.alerts import evaluate, gather_state
from edge.web.templating import Pages
from edge.web.view import ServiceView

HOUR_S = 3600.0
SPARK_HOURS = 24


def hourly_slots(spark: Sparkline | None, now: float) -> list[float | None]:
    """The sparkline's means placed on the last 24 clock hours, None where an hour
    has no data, so a gap shows as a gap instead of squeezing the line."""
    if spark is None:
        return []
    current = math.floor(now / HOUR_S) * HOUR_S
    by_hour = dict(zip(spark.ts, spark.mean, strict=False))
    return [by_hour.get(current - (SPARK_HOURS - 1 - i) * HOUR_S) for i in range(SPARK_HOURS)]


def field_card(summary: FieldSummary, now: float) -> dict[str, Any]:
    card = summary.model_dump()
    card["spark_path"] = sparkline_path(hourly_slots(summary.sparkline, now))
    fc = summary.forecast
    if fc is not None and fc.p10 is not None and fc.p50 is not None and fc.p90 is not None:
        card["band"] = band_scale(fc.p10, fc.p50, fc.p90)
    else:
        card["band"] = None
    return card


def worded(alerts: list[Alert], lang: str) -> list[dict[str, Any]]:
    return [{**a.model_dump(), "text": alert_text(a, lang)} for a in alerts]


def overview_pages(view: ServiceView, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def overview(request: Request, _: Viewer) -> HTMLResponse:
        lang = choose_language(request)
        now = time.time()
        # Health, latest readings and recent events are read once, for the cards,
        # the alerts and the health block alike.
        full_health = await view.health()
        state = await gather_state(view, full_health)
        alerts = evaluate(view.config, state)
        fields, health = await asyncio.gather(
            field_summaries(view, state), health_summary(view, full_health)
        )
        latest = state.latest
        cards = [field_card(f, now) for f in fields]
        modelled = await asyncio.to_thread(crops_with_models, view.config)
        for card, summary in zip(cards, fields, strict=True):
            card["alerts"] = worded(summary.alerts, lang)
            card["has_model"] = summary.crop in modelled
        context = {
            "fields": cards,
            "alerts": worded(alerts, lang),
            "field_names": {f.id: f.name for f in fields},
            "health": health.model_dump(),
            "figures": {
                "disk": figures.disk(health.disk_used_bytes, health.disk_budget_bytes),
                "uptime": figures.duration(health.uptime_s, lang),
            },
            "vehicles": vehicle_summaries(view.config, latest),
            **time_helpers(request),
        }
        return pages.render(request, "overview.html", context, nav="overview")

    @router.get("/fragments/alerts", response_class=HTMLResponse)
    async def alerts_fragment(request: Request, _: Viewer) -> HTMLResponse:
        """The alerts list alone, in the reader's language: the page swaps it in
        when the stream says the alerts changed, instead of wording alerts in script."""
        lang = choose_language(request)
        alerts = await active_alerts(view)
        names = {fid: f.name for fid, f in view.config.site.fields.items()}
        context = {"alerts": worded(alerts, lang), "field_names": names, **time_helpers(request)}
        return pages.render(request, "_alerts.html", context)

    return router
