"""``/api/stream`` read by a real HTTP client from a real uvicorn socket, with
readings published on the gateway's bus the way pollers do (on its event loop)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from drivers.reading import Quality, Reading
from edge.service import Service
from edge.web.access import Role
from edge.web.api.stream import MAX_STREAMS, LiveStream
from tests.edge.web.conftest import LiveWeb, token_for
from tests.edge.web.monitoring_data import DEVICE, bad_reading

READ_TIMEOUT_S = 20.0


@dataclass
class ServerLoop:
    """The server's event loop, caught from the first request it serves."""

    loop: asyncio.AbstractEventLoop | None = None

    def call(self, fn: Callable[..., object], *args: object) -> None:
        assert self.loop is not None, "no request served yet"
        self.loop.call_soon_threadsafe(fn, *args)


@pytest.fixture
def server_loop(web_app: FastAPI) -> ServerLoop:
    box = ServerLoop()

    class CatchLoop:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            box.loop = asyncio.get_running_loop()
            await self.app(scope, receive, send)

    web_app.add_middleware(CatchLoop)
    return box


@dataclass
class Event:
    name: str
    data: Any = None
    comment: str = ""


@dataclass
class SseReader:
    lines: Iterator[str]
    retry: int | None = None
    events: list[Event] = field(default_factory=list)

    def next(self) -> Event:
        name, data = "message", list[str]()
        for line in self.lines:
            if line == "":
                if data:
                    event = Event(name, json.loads("\n".join(data)))
                    self.events.append(event)
                    return event
                continue
            if line.startswith(":"):
                return Event("", comment=line[1:].strip())
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "retry":
                self.retry = int(value)
            elif key == "event":
                name = value
            elif key == "data":
                data.append(value)
        raise AssertionError("the stream ended")

    def until(self, name: str) -> Event:
        while True:
            event = self.next()
            if event.name == name:
                return event


@contextlib.contextmanager
def open_stream(client: httpx.Client, url: str, token: str) -> Iterator[SseReader]:
    with client.stream(
        "GET", f"{url}/api/stream", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield SseReader(response.iter_lines())


def stream_consumers(gateway: Service) -> list[str]:
    return [s.name for s in gateway.bus.stats() if s.name.startswith("web-stream-")]


def publish_all(gateway: Service, readings: list[Reading]) -> None:
    for reading in readings:
        gateway.bus.publish(reading)


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)  # bounded polling of a condition, not a synchronisation sleep


def test_stream_sends_health_alerts_and_coalesced_readings(
    server_loop: ServerLoop, live_web: LiveWeb
) -> None:
    gateway = live_web.gateway
    assert gateway.storage is not None
    token = token_for(gateway.storage, Role.VIEWER)
    with (
        httpx.Client(timeout=READ_TIMEOUT_S) as client,
        open_stream(client, live_web.url, token) as stream,
    ):
        health = stream.until("health")
        assert stream.retry == 3000
        assert health.data["uplink"] == "off"
        assert health.data["storage_open"] is True
        alerts = stream.until("alerts")
        assert alerts.data == []
        assert len(stream_consumers(gateway)) == 1

        now = time.time()
        burst = [
            Reading(DEVICE, "moisture", now, 41.0, "%"),
            Reading(DEVICE, "temperature", now, 19.5, "°C"),
            Reading(DEVICE, "moisture", now + 0.1, 42.5, "%"),  # same point: only this one
        ]
        # As a poller does: a poll's points published in one go on the loop.
        server_loop.call(publish_all, gateway, burst)
        sent = stream.until("readings").data
        by_point = {(r["device"], r["point"]): r for r in sent}
        assert len(sent) == len(by_point) == 2
        assert by_point[(DEVICE, "moisture")] == {
            "device": DEVICE,
            "point": "moisture",
            "ts": now + 0.1,
            "value": 42.5,
            "unit": "%",
            "quality": "good",
        }
        assert by_point[(DEVICE, "temperature")]["value"] == 19.5

        later = Reading(DEVICE, "ph", now + 1, None, "pH", Quality.INVALID)
        server_loop.call(gateway.bus.publish, later)
        assert stream.until("readings").data == [
            {
                "device": DEVICE,
                "point": "ph",
                "ts": now + 1,
                "value": None,
                "unit": "pH",
                "quality": "invalid",
            }
        ]
    # The client went away: its bus subscription goes with it.
    wait_until(lambda: stream_consumers(gateway) == [])


def test_streams_beyond_the_limit_get_503_and_anonymous_401(
    server_loop: ServerLoop, live_web: LiveWeb
) -> None:
    gateway = live_web.gateway
    assert gateway.storage is not None
    token = token_for(gateway.storage, Role.VIEWER)
    with (
        httpx.Client(timeout=READ_TIMEOUT_S) as client,
        contextlib.ExitStack() as streams,
    ):
        anonymous = client.get(f"{live_web.url}/api/stream")
        assert anonymous.status_code == 401
        # Readers are kept: dropping one closes its response, and so its stream.
        readers = [streams.enter_context(open_stream(client, live_web.url, token))]
        while len(readers) < MAX_STREAMS:
            readers.append(streams.enter_context(open_stream(client, live_web.url, token)))
        for reader in readers:
            reader.until("health")
        assert len(stream_consumers(gateway)) == MAX_STREAMS
        refused = client.get(
            f"{live_web.url}/api/stream", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 503
        assert str(MAX_STREAMS) in refused.json()["detail"]
        assert refused.headers["retry-after"] == "30"
    wait_until(lambda: stream_consumers(gateway) == [])
    with (
        httpx.Client(timeout=READ_TIMEOUT_S) as client,
        open_stream(client, live_web.url, token) as stream,
    ):
        stream.until("health")  # a slot is free again


async def test_readings_are_rate_limited_and_coalesced_per_point(web_gateway: Service) -> None:
    # The generator itself on this test's loop, cadences shortened: the order of
    # what it yields is fixed by its deadlines, not by how fast this machine is.
    live = LiveStream(web_gateway)
    live.readings_every_s = 0.3
    live.heartbeat_s = 0.05
    events = live.events()
    try:
        for _ in range(3):  # retry, health, alerts
            await anext(events)
        now = time.time()
        web_gateway.bus.publish(Reading(DEVICE, "moisture", now, 40.0, "%"))
        first = await anext(events)
        assert first.startswith("event: readings\n")
        assert '"value":40.0' in first
        web_gateway.bus.publish(Reading(DEVICE, "moisture", now + 1, 41.0, "%"))
        # Within the window after an event, nothing but heartbeats goes out...
        assert await anext(events) == ": keep-alive\n\n"
        web_gateway.bus.publish(Reading(DEVICE, "moisture", now + 2, 42.0, "%"))
        sent = await anext(events)
        while sent.startswith(":"):
            sent = await anext(events)
        # ...then one event with the newest value of the point.
        assert sent.startswith("event: readings\n")
        data = json.loads(sent.split("data: ", 1)[1])
        assert [(r["point"], r["value"]) for r in data] == [("moisture", 42.0)]
    finally:
        await events.aclose()


async def test_heartbeat_periodic_health_and_alerts_when_they_change(
    web_gateway: Service,
) -> None:
    assert web_gateway.storage is not None
    live = LiveStream(web_gateway)
    live.snapshots.max_age_s = 0.0
    live.health_every_s = 0.2
    live.alerts_every_s = 0.1
    live.heartbeat_s = 0.05
    events = live.events()
    seen: list[str] = []
    try:
        assert await anext(events) == "retry: 3000\n\n"
        assert (await anext(events)).startswith("event: health\n")
        assert (await anext(events)).startswith("event: alerts\ndata: []")
        assert live.active == 1
        assert await anext(events) == ": keep-alive\n\n"
        web_gateway.storage.write_readings([bad_reading(time.time(), Quality.OUT_OF_RANGE)])
        while not seen or not seen[-1].startswith("event: alerts"):
            seen.append(await anext(events))
        assert '"kind":"reading_quality"' in seen[-1]
        while not seen[-1].startswith("event: health"):
            seen.append(await anext(events))
        # The alert set did not change again: no second alerts event meanwhile.
        assert sum(s.startswith("event: alerts") for s in seen) == 1
    finally:
        await events.aclose()
    assert live.active == 0
    assert stream_consumers(web_gateway) == []
