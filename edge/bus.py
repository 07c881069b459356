"""The in-process bus: producers publish without ever blocking, each consumer has
its own bounded queue, and what a full queue cannot take is counted and logged.

A slow consumer (an SD card in a bad mood, a stalled uplink) must never hold up
polling, so :meth:`Bus.publish` never waits. It must be called from the event
loop's thread; a driver running in a thread hands over with
``loop.call_soon_threadsafe(bus.publish, item)``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

DROP_LOG_INTERVAL_S = 10.0
"""A full queue logs at most once per interval, with the running count, so a
flood of drops cannot itself flood the log on the SD card."""


@dataclass(frozen=True, slots=True)
class SubscriptionStats:
    name: str
    depth: int
    maxsize: int
    delivered: int
    dropped: int


class Subscription(Generic[T]):
    """One consumer's bounded view of the bus."""

    def __init__(self, name: str, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"subscription {name!r}: maxsize must be >= 1, got {maxsize}")
        self.name = name
        self.maxsize = maxsize
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize)
        self.delivered = 0
        self.dropped = 0
        self._last_drop_log = float("-inf")

    def offer(self, item: T) -> bool:
        """Queue ``item`` if there is room; count and report it if there is not."""
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            now = time.monotonic()
            if now - self._last_drop_log >= DROP_LOG_INTERVAL_S:
                self._last_drop_log = now
                log.warning(
                    "bus consumer %r is full (%d queued); %d items dropped so far",
                    self.name,
                    self.maxsize,
                    self.dropped,
                )
            return False
        return True

    async def get(self) -> T:
        item = await self._queue.get()
        self.delivered += 1
        return item

    def get_nowait_batch(self, max_items: int) -> list[T]:
        """Everything already queued, up to ``max_items``, without waiting."""
        batch: list[T] = []
        while len(batch) < max_items:
            try:
                batch.append(self._queue.get_nowait())
            except asyncio.QueueEmpty:
                break
        self.delivered += len(batch)
        return batch

    async def get_batch(
        self, max_items: int, max_wait_s: float, into: list[T] | None = None
    ) -> list[T]:
        """Wait for one item, then gather more for at most ``max_wait_s``.

        Batching is what lets one SQLite transaction (one fsync) carry hundreds
        of readings; the wait bounds how old the oldest unsaved reading gets.
        Items are appended to ``into`` (and it is returned) so that a caller
        cancelled mid-wait still holds what was already taken off the queue.
        """
        batch: list[T] = [] if into is None else into
        if not batch:
            batch.append(await self.get())
        batch.extend(self.get_nowait_batch(max_items - len(batch)))
        if len(batch) >= max_items or max_wait_s <= 0:
            return batch
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
        # cancellation that races with an arriving item, hanging shutdown.
        try:
            async with asyncio.timeout(max_wait_s):
                while len(batch) < max_items:
                    batch.append(await self.get())
                    batch.extend(self.get_nowait_batch(max_items - len(batch)))
        except TimeoutError:
            pass
        return batch

    def stats(self) -> SubscriptionStats:
        return SubscriptionStats(
            self.name, self._queue.qsize(), self.maxsize, self.delivered, self.dropped
        )


class Bus(Generic[T]):
    """Fan-out of every published item to every subscription."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, Subscription[T]] = {}
        self.published = 0

    def subscribe(self, name: str, maxsize: int) -> Subscription[T]:
        if name in self._subscriptions:
            raise ValueError(f"bus already has a consumer named {name!r}")
        sub: Subscription[T] = Subscription(name, maxsize)
        self._subscriptions[name] = sub
        return sub

    def unsubscribe(self, name: str) -> None:
        self._subscriptions.pop(name, None)

    def publish(self, item: T) -> None:
        self.published += 1
        for sub in self._subscriptions.values():
            sub.offer(item)

    def stats(self) -> list[SubscriptionStats]:
        return [sub.stats() for sub in self._subscriptions.values()]
