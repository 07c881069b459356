"""The field page: its facts, a chart per sensor point over a chosen range, the
forecast history and the sensor list.

The server renders the whole view for the range in the URL (a summary line per
chart, tables for the forecasts and sensors), so a link or a phone without
scripts still shows it; field.js then draws the charts from the readings API
and switches ranges without a reload.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from edge.web.access import Viewer
from edge.web.i18n import choose_language, translate
from edge.web.pages import field_range
from edge.web.pages.alert_text import alert_text
from edge.web.pages.relative_time import time_helpers
from edge.web.queries import (
    BadParameterError,
    NotFoundError,
    RawPoint,
    ReadingSeries,
    device_summary,
    field_summary,
    forecast_history,
    reading_series,
)
from edge.web.templating import Pages
from edge.web.view import ServiceView

FORECAST_ROWS = 8
"""Forecasts listed in the table under the chart: the newest, enough to see a trend."""
SKIP_UNITS = frozenset({"bool", ""})
"""Flags and unitless codes are listed, not charted."""


def series_summary(series: ReadingSeries) -> dict[str, Any]:
    """How many values, lowest, average and highest: the chart in one line."""
    n = 0
    total = 0.0
    lows: list[float] = []
    highs: list[float] = []
    for p in series.points:
        if isinstance(p, RawPoint):
            if p.quality == "good" and isinstance(p.value, int | float):
                n += 1
                total += p.value
                lows.append(p.value)
                highs.append(p.value)
        elif p.n_good and p.mean is not None:
            n += p.n_good
            total += p.mean * p.n_good
            lows += [] if p.min is None else [p.min]
            highs += [] if p.max is None else [p.max]
    return {
        "n": n,
        "min": min(lows) if lows else None,
        "mean": total / n if n else None,
        "max": max(highs) if highs else None,
        "resolution": series.resolution,
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _script_config(data: dict[str, Any]) -> Markup:
    # In a <script> element "</" could end it early; JSON allows "<\/".
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


def field_pages(view: ServiceView, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/fields/{field_id}", response_class=HTMLResponse)
    async def field_page(
        request: Request,
        field_id: str,
        _: Viewer,
        range_key: str | None = Query(None, alias="range"),
        first: str | None = Query(None, alias="from"),
        last: str | None = Query(None, alias="to"),
    ) -> HTMLResponse:
        lang = choose_language(request)
        try:
            summary = await field_summary(view, field_id)
        except NotFoundError:
            missing = {
                "message": translate(lang, "field.not_found", id=field_id),
                "back_href": "/",
                "back_text": translate(lang, "nav.overview"),
            }
            return pages.render(
                request, "_not_found.html", missing, nav="overview", status_code=404
            )
        cfg = view.config.site.fields[field_id]
        now = time.time()
        error = ""
        try:
            span = field_range.resolve(
                range_key, first, last, planted=cfg.planted, zone=pages.zone, now=now
            )
        except BadParameterError as exc:
            error = str(exc)
            span = field_range.resolve(
                None, None, None, planted=cfg.planted, zone=pages.zone, now=now
            )

        devices = await asyncio.gather(*(device_summary(view, d) for d in summary.devices))
        charts: list[dict[str, Any]] = []
        sensors: list[dict[str, Any]] = []
        several = len(devices) > 1
        for dev in devices:
            depth = view.config.devices[dev.id].depth_m if dev.id in view.config.devices else None
            # With two probes in a field, "Soil moisture" twice says nothing: name
            # the probe and its depth.
            source = (dev.id + (f" · {depth * 100:.0f} cm" if depth else "")) if several else ""
            for p in dev.points:
                sensors.append({"device": dev.id, **p.model_dump()})
                if p.unit not in SKIP_UNITS and isinstance(p.value, int | float):
                    charts.append(
                        {
                            "device": dev.id,
                            "point": p.point,
                            "unit": p.unit,
                            "source": source,
                            "depth": depth if depth is not None else float("inf"),
                        }
                    )
        # The same quantity side by side, shallow to deep.
        order = {point: i for i, point in enumerate(dict.fromkeys(c["point"] for c in charts))}
        charts.sort(key=lambda c: (order[c["point"]], c["depth"]))
        series = await asyncio.gather(
            *(reading_series(view, c["device"], c["point"], span.start, span.end) for c in charts)
        )
        for chart, s in zip(charts, series, strict=True):
            stats = series_summary(s)
            chart["stats"] = stats
            chart["summary"] = translate(
                lang,
                "field.summary",
                n=stats["n"],
                min=_fmt(stats["min"]),
                mean=_fmt(stats["mean"]),
                max=_fmt(stats["max"]),
                unit=chart["unit"],
            )
        history = await forecast_history(view, field_id)
        forecasts = [f.model_dump() for f in reversed(history.forecasts[-FORECAST_ROWS:])]

        def range_href(key: str) -> str:
            return f"/fields/{field_id}?{urlencode({'range': key})}"

        card = summary.model_dump()
        card["alerts"] = [{**a.model_dump(), "text": alert_text(a, lang)} for a in summary.alerts]
        planted_ts = (
            None
            if cfg.planted is None
            else dt.datetime.combine(cfg.planted, dt.time(), pages.zone).timestamp()
        )
        context: dict[str, Any] = {
            "f": card,
            "span": span,
            "ranges": [(k, range_href(k)) for k in field_range.CHOICES],
            "charts": charts,
            "sensors": sensors,
            "forecasts": forecasts,
            "range_error": error,
            "script_config": _script_config(
                {
                    "field": field_id,
                    "tz": str(pages.zone),
                    "range": span.key,
                    "start": span.start,
                    "end": span.end,
                    "planted": planted_ts,
                    "forecastStart": history.start,
                    "forecastEnd": history.end,
                }
            ),
            **time_helpers(request),
        }
        status = 422 if error else 200
        return pages.render(request, "field.html", context, nav="overview", status_code=status)

    return router
