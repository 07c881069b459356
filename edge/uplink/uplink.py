"""The uplink task: connect, serve a session, and when it ends, back off and connect again.

:meth:`Uplink.run` is what the supervisor runs. It never gives up on the broker:
a refused or lost connection is logged and retried after a jittered delay that
doubles up to ``reconnect_max_s`` (reset once a connection has lasted
``stable_after_s``), so a gateway whose broker is gone for days costs one
connection attempt a minute. Meanwhile storage keeps queueing into the outbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

import aiomqtt

from drivers.reading import Reading
from edge.bus import Subscription
from edge.storage.outbox import OutboxStats
from edge.uplink.backoff import Backoff
from edge.uplink.connection import SetupError, make_client
from edge.uplink.drain import Drainer, DrainStats, SessionEnded
from edge.uplink.meta import next_bd_seq
from edge.uplink.session import OFFLINE, Parts, Session
from edge.uplink.wire import Publication, Wire

if TYPE_CHECKING:
    from models.forecast import Forecast
    from planner.plan import Plan

log = logging.getLogger(__name__)

LIVE_BATCH = 500
LIVE_WAIT_S = 1.0
"""Live values are gathered for up to a second, so a busy bus costs at most one
``latest`` message per device per second."""
STATS_PERIOD_S = 5.0
QUIET_AFTER_FAILURES = 3
QUIET_LOG_INTERVAL_S = 600.0


class Uplink:
    def __init__(self, parts: Parts, live: Subscription[Reading] | None = None) -> None:
        if parts.storage.outbox is None:
            raise ValueError(
                f"uplink: storage {parts.storage.path} was opened without an outbox; "
                "open it with outbox=outbox_policy(config)"
            )
        self._parts = parts
        self._live = live
        settings = parts.settings
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._wire = Wire(parts.sparkplug)
        self.drain_stats = DrainStats()
        self._drainer: Drainer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.state = "stopped"
        self.attempts = 0
        self.connections = 0
        self.connected_since: float | None = None
        self.last_error = ""
        self.last_error_ts: float | None = None
        self.retry_in_s: float | None = None
        self.receive_maximum: int | None = None
        """What the broker announced (MQTT 5); the window is narrowed to it."""
        self.window = parts.settings.max_inflight
        self._outbox_stats: OutboxStats | None = None
        self._outbox_stats_ts: float | None = None
        self._last_retry_log = -QUIET_LOG_INTERVAL_S
        parts.storage.outbox.add_listener(self._on_queued)

    # -- what the service calls ----------------------------------------------

    async def run(self) -> None:
        """Serve the broker until cancelled (the supervised task)."""
        self._loop = asyncio.get_running_loop()
        try:
            async with asyncio.TaskGroup() as group:
                if self._live is not None:
                    group.create_task(self._follow_bus(self._live))
                group.create_task(self._refresh_stats())
                group.create_task(self._connect_forever())
        finally:
            self.state = "stopped"
            self.connected_since = None

    async def publish_plan(self, plan: Plan, plan_id: str | None = None) -> str:
        """Store ``plan`` and queue its missions, retained, one per vehicle; return its id."""
        from planner.plan_json import plan_to_dict

        plan_id = plan_id or f"plan-{uuid.uuid4().hex[:12]}"
        await asyncio.to_thread(self._parts.storage.write_plan, plan_id, plan_to_dict(plan))
        return plan_id

    async def publish_forecast(self, forecast: Forecast) -> None:
        """Store a field's forecast and queue it (retained on the field's topic)."""
        await asyncio.to_thread(self._parts.storage.write_forecast, forecast)

    def health(self) -> dict[str, Any]:
        settings = self._parts.settings
        outbox = None
        if self._outbox_stats is not None:
            outbox = {**dataclasses.asdict(self._outbox_stats), "as_of": self._outbox_stats_ts}
        commands = self._parts.commands
        node = self._parts.sparkplug
        return {
            "state": self.state,
            "broker": f"{settings.host}:{settings.port}",
            "client_id": settings.client_id,
            "connected_since": self.connected_since,
            "attempts": self.attempts,
            "connections": self.connections,
            "retry_in_s": self.retry_in_s,
            "window": self.window,
            "broker_receive_maximum": self.receive_maximum,
            "last_error": self.last_error,
            "last_error_ts": self.last_error_ts,
            "sent": dataclasses.asdict(self.drain_stats),
            "outbox": outbox,
            "commands": None
            if commands is None
            else {"accepted": commands.accepted, "rejected": commands.rejected},
            "sparkplug": None if node is None else {"bd_seq": node.bd_seq},
        }

    # -- internals -------------------------------------------------------------

    def _on_queued(self) -> None:
        # Called by storage after a commit, usually from a worker thread.
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_drainer)

    def _wake_drainer(self) -> None:
        if self._drainer is not None:
            self._drainer.notify()

    async def _follow_bus(self, live: Subscription[Reading]) -> None:
        # Runs whether or not the broker is there, so the bus queue never fills
        # with values nobody will publish.
        while True:
            batch = await live.get_batch(LIVE_BATCH, LIVE_WAIT_S)
            self._parts.latest.update(batch)

    async def _refresh_stats(self) -> None:
        while True:
            self._outbox_stats = await asyncio.to_thread(self._parts.storage.outbox_stats)
            self._outbox_stats_ts = time.time()
            await asyncio.sleep(STATS_PERIOD_S)

    async def _connect_forever(self) -> None:
        settings = self._parts.settings
        while True:
            self.state = "connecting"
            self.retry_in_s = None
            self.attempts += 1
            started = time.monotonic()
            try:
                await self._serve_once()
            except Exception as e:
                self._failed(_describe(e))
                if not _expected(e):
                    # Not the network or the broker: a fault of ours, worth its traceback.
                    log.error("mqtt session failed unexpectedly", exc_info=e)
            if time.monotonic() - started >= settings.stable_after_s:
                self._backoff.reset()
            delay = self._backoff.next_delay()
            self.state = "waiting"
            self.retry_in_s = delay
            self._log_retry(delay)
            await asyncio.sleep(delay)

    def _log_retry(self, delay: float) -> None:
        # The first failures of an outage are news; then one line every ten
        # minutes is enough for an outage that lasts days on an SD card.
        settings = self._parts.settings
        now = time.monotonic()
        quiet = self._backoff.failures > QUIET_AFTER_FAILURES
        if quiet and now - self._last_retry_log < QUIET_LOG_INTERVAL_S:
            return
        self._last_retry_log = now
        log.warning(
            "mqtt %s:%d: %s; connecting again in %.1f s (attempt %d)%s",
            settings.host,
            settings.port,
            self.last_error,
            delay,
            self.attempts,
            "; next report in 10 minutes" if quiet else "",
        )

    def _learn_receive_maximum(self, maximum: int) -> None:
        self.receive_maximum = maximum

    def _failed(self, reason: str) -> None:
        self.last_error = reason
        self.last_error_ts = time.time()

    async def _serve_once(self) -> None:
        parts = self._parts
        settings = parts.settings
        will = Publication(settings.topics.status, OFFLINE, qos=1, retain=True)
        if parts.sparkplug is not None:
            parts.sparkplug.bd_seq = await asyncio.to_thread(next_bd_seq, parts.storage)
            will = parts.sparkplug.death(parts.sparkplug.bd_seq)
        self.receive_maximum = None
        client = make_client(settings, will, self._learn_receive_maximum)
        async with client:
            self.connections += 1
            self.connected_since = time.time()
            self.state = "connected"
            log.info(
                "mqtt %s:%d: connected as %s", settings.host, settings.port, settings.client_id
            )
            session = Session(client, parts, self._wire, self.drain_stats, self.receive_maximum)
            self.window = session.window
            self._drainer = session.drainer
            try:
                await session.run()
            except asyncio.CancelledError:
                await session.goodbye()
                raise
            finally:
                self._drainer = None
                self.connected_since = None


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _expected(error: BaseException) -> bool:
    """Failures of the link or the broker, which a reconnect is the answer to."""
    expected = (aiomqtt.MqttError, OSError, SetupError, SessionEnded, TimeoutError)
    return all(isinstance(leaf, expected) for leaf in _leaves(error))


def _describe(error: BaseException) -> str:
    """The root cause, in one line: an ExceptionGroup from a session says little."""
    leaf = _leaves(error)[0]
    text = str(leaf) or type(leaf).__name__
    if isinstance(leaf, SetupError | aiomqtt.MqttError):
        return text
    return f"{type(leaf).__name__}: {text}"
