"""``GET /api/stream``: live values, health and alerts as server-sent events.

Server-sent events rather than a websocket: plain HTTP through any proxy, and
browsers reconnect by themselves (``retry: 3000``) after a drop of patchy farm
Wi-Fi. Each client gets its own bounded bus subscription; a client that falls
behind loses readings (counted by the bus, as for any consumer), never slows
polling. What is sent:

- ``readings``: at most one event a second, the newest value of each device
  point that changed since the last one (``[{device, point, ts, value, unit,
  quality}]``), so a burst of polls costs one small message;
- ``health``: the health summary on connect and every ``HEALTH_EVERY_S``;
- ``alerts``: the active alerts on connect and whenever their set changes;
- a comment line every ``HEARTBEAT_S`` so proxies and NAT keep the connection.

Health and alerts are computed once for all clients (``SharedSnapshots``), not
once per client.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response, StreamingResponse

from drivers.reading import Reading
from edge.web import queries
from edge.web.access import Viewer
from edge.web.view import ServiceView

T = TypeVar("T")

MAX_STREAMS = 20
"""Concurrent streams; more get 503. Each holds a socket, a queue of up to
``QUEUE_SIZE`` readings and a task: bounded so that a browser tab left open on
every phone in the village cannot eat the Pi's 1 GB (and the browsers retry)."""
QUEUE_SIZE = 1000
"""Readings a client may fall behind by: more than one coalescing window of
every point a village polls, while bounding the memory of a stuck client."""
READINGS_EVERY_S = 1.0
HEALTH_EVERY_S = 10.0
ALERTS_EVERY_S = 5.0
"""How often a client's alert set is compared (the computation is shared)."""
HEARTBEAT_S = 15.0
"""Below the 30-60 s idle timeouts of common proxies and home routers."""
RETRY_MS = 3000

_HEADERS = {
    "Cache-Control": "no-store",
    # nginx would otherwise buffer the stream (X-Accel-Buffering is its switch).
    "X-Accel-Buffering": "no",
}


class SharedSnapshots:
    """Health and alerts, recomputed at most once per ``max_age_s`` for all clients."""

    def __init__(self, max_age_s: float) -> None:
        self.max_age_s = max_age_s
        self._values: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._values.get(key)
            now = time.monotonic()
            if cached is not None and now - cached[0] < self.max_age_s:
                value: T = cached[1]
                return value
            fresh = await compute()
            self._values[key] = (time.monotonic(), fresh)
            return fresh


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _reading(r: Reading) -> dict[str, Any]:
    value = r.value
    if isinstance(value, float) and not math.isfinite(value):
        value = None  # JSON has no NaN; the page shows a dash
    return {
        "device": r.device,
        "point": r.point,
        "ts": r.ts,
        "value": value,
        "unit": r.unit,
        "quality": str(r.quality),
    }


class LiveStream:
    """The stream endpoint's state: open clients and the shared snapshots."""

    def __init__(self, view: ServiceView) -> None:
        self.view = view
        self.active = 0
        # Cadences as attributes so a test can shorten them.
        self.readings_every_s = READINGS_EVERY_S
        self.health_every_s = HEALTH_EVERY_S
        self.alerts_every_s = ALERTS_EVERY_S
        self.heartbeat_s = HEARTBEAT_S
        self._ids = itertools.count(1)
        self.snapshots = SharedSnapshots(max_age_s=2.0)

    async def health(self) -> dict[str, Any]:
        async def compute() -> dict[str, Any]:
            return (await queries.health_summary(self.view)).model_dump()

        return await self.snapshots.get("health", compute)

    async def alerts(self) -> list[dict[str, Any]]:
        async def compute() -> list[dict[str, Any]]:
            return [a.model_dump() for a in await queries.active_alerts(self.view)]

        return await self.snapshots.get("alerts", compute)

    async def events(self) -> AsyncGenerator[str, None]:
        """One client's stream; unsubscribes however it ends (the client leaving
        cancels it at its next wait)."""
        name = f"web-stream-{next(self._ids)}"
        sub = self.view.bus.subscribe(name, QUEUE_SIZE)
        self.active += 1
        loop = asyncio.get_running_loop()
        try:
            yield f"retry: {RETRY_MS}\n\n"
            yield sse("health", await self.health())
            alerts = await self.alerts()
            alert_key = _alert_key(alerts)
            yield sse("alerts", alerts)
            pending: dict[tuple[str, str], Reading] = {}
            now = loop.time()
            last_sent = now - self.readings_every_s
            flush_at: float | None = None
            next_health = now + self.health_every_s
            next_alerts = now + self.alerts_every_s
            next_beat = now + self.heartbeat_s
            while True:
                deadline = min(next_health, next_alerts, next_beat)
                if flush_at is not None:
                    deadline = min(deadline, flush_at)
                try:
                    async with asyncio.timeout(max(0.0, deadline - loop.time())):
                        first = await sub.get()
                except TimeoutError:
                    pass
                else:
                    # A poll publishes all its points at once: take what is queued.
                    for r in [first, *sub.get_nowait_batch(QUEUE_SIZE)]:
                        pending[(r.device, r.point)] = r
                    if flush_at is None:
                        flush_at = max(loop.time(), last_sent + self.readings_every_s)
                now = loop.time()
                if flush_at is not None and now >= flush_at:
                    yield sse("readings", [_reading(r) for r in pending.values()])
                    pending.clear()
                    flush_at = None
                    last_sent = now
                    next_beat = now + self.heartbeat_s
                if now >= next_health:
                    yield sse("health", await self.health())
                    next_health = now + self.health_every_s
                    next_beat = now + self.heartbeat_s
                if now >= next_alerts:
                    alerts = await self.alerts()
                    key = _alert_key(alerts)
                    if key != alert_key:
                        alert_key = key
                        yield sse("alerts", alerts)
                        next_beat = now + self.heartbeat_s
                    next_alerts = now + self.alerts_every_s
                if now >= next_beat:
                    yield ": keep-alive\n\n"
                    next_beat = now + self.heartbeat_s
        finally:
            self.view.bus.unsubscribe(name)
            self.active -= 1


def _alert_key(alerts: list[dict[str, Any]]) -> frozenset[tuple[str, str]]:
    return frozenset((str(a["id"]), str(a["severity"])) for a in alerts)


def stream_api(view: ServiceView) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["monitoring"])
    live = LiveStream(view)

    @router.get(
        "/stream",
        response_class=StreamingResponse,
        response_model=None,
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": "Server-sent events: readings, health, alerts",
            },
            503: {"description": f"Already {MAX_STREAMS} streams open; retry later"},
        },
    )
    async def stream(_: Viewer) -> Response:
        """Live readings (coalesced to one event a second), health every 10 s, alerts
        when they change, a heartbeat every 15 s; ``retry: 3000`` for reconnects."""
        if live.active >= MAX_STREAMS:
            return JSONResponse(
                {"detail": f"too many live streams open ({MAX_STREAMS}); retry later"},
                status_code=503,
                headers={"Retry-After": "30"},
            )
        return StreamingResponse(live.events(), media_type="text/event-stream", headers=_HEADERS)

    return router
