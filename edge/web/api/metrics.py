"""``GET /metrics``: the gateway in Prometheus text exposition format 0.0.4.

Written by hand (the format is a few lines of rules) rather than with
prometheus_client, which would add a dependency and a second registry of
state the service already keeps. Prometheus scrapes it with a viewer's API
token (``Authorization: Bearer ...``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import resource
import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from edge.web.access import Viewer
from edge.web.view import ServiceView

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STREAM_PREFIX = "web-stream-"
"""Live page streams come and go; their bus queues are summed under one
consumer label so each browser tab does not make a new time series."""


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Exposition:
    """Metric families in order, each HELP and TYPE once, then its samples."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._declared: set[str] = set()

    def family(self, name: str, kind: str, help_text: str) -> None:
        if name in self._declared:
            return
        self._declared.add(name)
        self._lines.append(f"# HELP {name} {escape_help(help_text)}")
        self._lines.append(f"# TYPE {name} {kind}")

    def sample(
        self, name: str, value: float | None, labels: Mapping[str, str] | None = None
    ) -> None:
        if value is None:
            return
        if labels:
            inner = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items())
            self._lines.append(f"{name}{{{inner}}} {format_value(value)}")
        else:
            self._lines.append(f"{name} {format_value(value)}")

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def process_rss_bytes() -> int | None:
    """Resident memory now (Linux ``/proc/self/statm``); None elsewhere."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def render_metrics(view: ServiceView) -> str:
    health = await view.health()
    out = Exposition()

    bus = health.get("bus") or {}
    out.family("kakashi_readings_published_total", "counter", "Readings published on the bus.")
    out.sample("kakashi_readings_published_total", _num(bus.get("published")))
    consumers: dict[str, dict[str, float]] = {}
    for c in bus.get("consumers", []):
        name = str(c.get("name"))
        name = "web-stream" if name.startswith(STREAM_PREFIX) else name
        agg = consumers.setdefault(name, {"delivered": 0.0, "dropped": 0.0, "depth": 0.0})
        for key in agg:
            agg[key] += _num(c.get(key)) or 0.0
    for metric, key, kind, text in (
        ("kakashi_bus_delivered_total", "delivered", "counter", "Readings taken by a consumer."),
        ("kakashi_bus_dropped_total", "dropped", "counter", "Readings a full queue dropped."),
        ("kakashi_bus_queue_depth", "depth", "gauge", "Readings waiting in a consumer's queue."),
    ):
        out.family(metric, kind, text)
        for name, agg in consumers.items():
            out.sample(metric, agg[key], {"consumer": name})

    devices: Mapping[str, Any] = health.get("devices") or {}
    out.family("kakashi_device_up", "gauge", "1 if the device answers polls, else 0.")
    for dev, st in devices.items():
        out.sample("kakashi_device_up", 1.0 if st.get("state") == "up" else 0.0, {"device": dev})
    out.family("kakashi_device_errors_total", "counter", "Failed device requests by kind.")
    for dev, st in devices.items():
        for kind, n in (st.get("errors") or {}).items():
            out.sample("kakashi_device_errors_total", _num(n), {"device": dev, "kind": str(kind)})
    out.family("kakashi_device_requests_total", "counter", "Requests sent to the device.")
    for dev, st in devices.items():
        out.sample("kakashi_device_requests_total", _num(st.get("requests")), {"device": dev})
    out.family(
        "kakashi_device_poll_latency_seconds", "gauge", "Smoothed round trip of answered reads."
    )
    for dev, st in devices.items():
        out.sample(
            "kakashi_device_poll_latency_seconds", _num(st.get("latency_ewma_s")), {"device": dev}
        )

    storage = health.get("storage") or {}
    for metric, key, text in (
        ("kakashi_storage_file_bytes", "file_bytes", "Database file plus WAL on disk."),
        ("kakashi_storage_used_bytes", "used_bytes", "Bytes in database pages holding data."),
        ("kakashi_storage_budget_bytes", "budget_bytes", "The configured disk budget."),
        ("kakashi_storage_raw_rows", "raw_rows_estimate", "Raw readings stored (estimate)."),
    ):
        out.family(metric, "gauge", text)
        out.sample(metric, _num(storage.get(key)))

    store = view.storage
    if store is not None and not store.closed:
        stats = await asyncio.to_thread(store.outbox_stats)
        if stats is not None:
            outbox = dataclasses.asdict(stats)
            out.family("kakashi_outbox_pending_messages", "gauge", "Messages waiting for MQTT.")
            out.sample("kakashi_outbox_pending_messages", _num(outbox["pending"]))
            out.family("kakashi_outbox_pending_bytes", "gauge", "Bytes waiting for MQTT.")
            out.sample("kakashi_outbox_pending_bytes", _num(outbox["pending_bytes"]))

    uplink = health.get("uplink")
    if isinstance(uplink, dict):
        out.family("kakashi_uplink_connected", "gauge", "1 if the MQTT uplink is connected.")
        out.sample("kakashi_uplink_connected", 1.0 if uplink.get("state") == "connected" else 0.0)

    tasks = [t for t in health.get("tasks", []) if isinstance(t, dict)]
    out.family("kakashi_task_restarts_total", "counter", "Restarts of a supervised task.")
    for t in tasks:
        out.sample("kakashi_task_restarts_total", _num(t.get("restarts")), {"task": str(t["name"])})
    out.family("kakashi_task_running", "gauge", "1 if the supervised task is running.")
    for t in tasks:
        running = 1.0 if t.get("state") == "running" else 0.0
        out.sample("kakashi_task_running", running, {"task": str(t["name"])})

    if store is not None and not store.closed:
        forecasts = await asyncio.to_thread(store.latest_forecasts)
        for q in ("p10", "p50", "p90"):
            metric = f"kakashi_forecast_yield_{q}_tonnes_per_hectare"
            out.family(metric, "gauge", f"Latest yield forecast of the field, {q}.")
            for f in forecasts:
                out.sample(metric, getattr(f, q), {"field": f.field})

    out.family("kakashi_uptime_seconds", "gauge", "Seconds since the service started.")
    out.sample("kakashi_uptime_seconds", _num(health.get("uptime_s")))
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    rss = process_rss_bytes()
    out.sample("process_resident_memory_bytes", None if rss is None else float(rss))
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.")
    out.sample("process_cpu_seconds_total", process_cpu_seconds())
    out.family("kakashi_scrape_timestamp_seconds", "gauge", "When this page was made.")
    out.sample("kakashi_scrape_timestamp_seconds", time.time())
    return out.text()


def metrics_api(view: ServiceView) -> APIRouter:
    router = APIRouter(tags=["monitoring"])

    @router.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text 0.0.4"}},
    )
    async def metrics(_: Viewer) -> PlainTextResponse:
        """Readings, bus drops, device health and latency, storage, outbox, uplink,
        task restarts, forecasts, process memory and CPU (Prometheus text 0.0.4)."""
        return PlainTextResponse(await render_metrics(view), media_type=CONTENT_TYPE)

    return router
