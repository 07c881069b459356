"""Sending the outbox to a connected broker: live first, the backlog at a bounded rate.

When a connection comes up, everything already queued is the *backlog*: it is
sent oldest first, flagged historical, at most ``backlog_rate`` messages a
second. Whatever is queued after that is *live* and goes out at once, so an
hour of catching up never delays the current readings. Each message is
published at QoS 1 and deleted from the outbox only after its PUBACK; deletes
are batched (one transaction, one fsync, per batch). At most ``max_inflight``
messages wait for their PUBACK at a time.

Delivery is at least once: a message whose PUBACK was lost with the connection,
or whose delete had not committed when the power went, is sent again on the
next connection, with the same ``id``. Live messages arrive in ``id`` order,
and so do historical ones; the two streams interleave.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from edge.storage.outbox import OutboxRow
from edge.storage.store import Storage
from edge.uplink.rate import TokenBucket
from edge.uplink.wire import Publication, Wire

log = logging.getLogger(__name__)

PAGE = 200
"""Rows read from the outbox at a time: enough to keep the window full, little
enough that a 100 000-message backlog never sits in memory."""
ACK_BATCH = 200
ACK_FLUSH_S = 0.5
"""Acknowledged messages are deleted at least this often: a crash re-sends at
most this much, and the SD card sees at most two fsyncs a second for it."""
IDLE_CHECK_S = 5.0
"""Looked for new rows this often even without a wake-up, in case another
process wrote to the outbox."""

Send = Callable[[Publication], Awaitable[None]]


class SessionEnded(Exception):  # noqa: N818 - the session's end, named as the log shows it
    """A publish failed: the connection is gone or the broker stopped acknowledging."""


@dataclass(slots=True)
class DrainStats:
    sent_live: int = 0
    sent_historical: int = 0
    acknowledged: int = 0
    deleted: int = 0
    last_ack_ts: float | None = None
    backlog_through: int = 0
    """The last id of the backlog of the current (or last) connection."""
    backlog_sent_through: int = 0
    draining: bool = False
    """A connection is up and its backlog boundary taken: new rows go out live."""


class Drainer:
    """One connection's drain. :meth:`notify` is called when rows were queued."""

    def __init__(
        self,
        storage: Storage,
        wire: Wire,
        send: Send,
        *,
        max_inflight: int,
        backlog_rate: float,
        stats: DrainStats | None = None,
    ) -> None:
        self._storage = storage
        self._wire = wire
        self._send = send
        self._max_inflight = max_inflight
        # A tenth of a second's worth at once: the backlog is paced, not sent in gulps.
        self._bucket = TokenBucket(backlog_rate, burst=max(1.0, backlog_rate / 10))
        self.stats = stats or DrainStats()
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._acked: list[int] = []
        self._first_ack = 0.0
        self._failure: BaseException | None = None
        self._queued_generation = 0
        """Bumped by every notify; a fetch that came back short is only trusted
        to mean "nothing new" for the generation it started in."""
        self._seen_generation = -1
        self._last_live_fetch = -IDLE_CHECK_S
        self._retained_live: dict[str, int] = {}

    def notify(self) -> None:
        self._queued_generation += 1
        self._wake.set()

    async def run(self) -> None:
        """Drain until a publish fails (raises SessionEnded) or cancelled; acks are
        deleted before it returns either way."""
        try:
            await self._drain()
        finally:
            self.stats.draining = False
            for task in self._inflight:
                task.cancel()
            await self._delete_acked(final=True)

    async def _drain(self) -> None:
        boundary = await asyncio.to_thread(self._storage.outbox_last_id)
        self.stats.backlog_through = boundary
        self.stats.backlog_sent_through = 0
        self.stats.draining = True
        live: deque[OutboxRow] = deque()
        backlog: deque[OutboxRow] = deque()
        live_cursor, backlog_cursor = boundary, 0
        while True:
            self._wake.clear()
            if self._failure is not None:
                raise SessionEnded(str(self._failure)) from self._failure
            await self._delete_acked()
            if not live and self._room and self._should_fetch_live():
                generation = self._queued_generation
                self._last_live_fetch = time.monotonic()
                rows = await asyncio.to_thread(self._storage.outbox_rows, live_cursor, None, PAGE)
                live.extend(rows)
                if len(rows) < PAGE:
                    self._seen_generation = generation
            while live and self._room:
                row = live.popleft()
                live_cursor = row.id
                self._publish(row, historical=False)
            if not backlog and self._room and backlog_cursor < boundary:
                rows = await asyncio.to_thread(
                    self._storage.outbox_rows, backlog_cursor, boundary, PAGE
                )
                backlog.extend(rows)
                if not rows:
                    backlog_cursor = boundary
            while backlog and self._room and self._bucket.take():
                row = backlog.popleft()
                backlog_cursor = self.stats.backlog_sent_through = row.id
                self._publish(row, historical=True)
            if live and self._room:
                continue
            await self._wait(self._next_timeout(bool(backlog) or backlog_cursor < boundary))

    def _should_fetch_live(self) -> bool:
        if self._seen_generation != self._queued_generation:
            return True
        # Nothing announced: look anyway now and then (another process may write).
        return time.monotonic() - self._last_live_fetch >= IDLE_CHECK_S

    @property
    def _room(self) -> bool:
        return len(self._inflight) < self._max_inflight

    def _next_timeout(self, backlog_left: bool) -> float:
        timeout = IDLE_CHECK_S
        if backlog_left and self._room:
            timeout = min(timeout, self._bucket.wait_s())
        if self._acked:
            timeout = min(timeout, max(0.0, self._first_ack + ACK_FLUSH_S - time.monotonic()))
        return timeout

    async def _wait(self, seconds: float) -> None:
        if self._wake.is_set():
            return
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass

    def _publish(self, row: OutboxRow, *, historical: bool) -> None:
        publication = self._wire.publication(row, historical)
        if publication.retain:
            publication = self._keep_newest_retained(publication, row.id, historical)
        if historical:
            self.stats.sent_historical += 1
        else:
            self.stats.sent_live += 1
        # Tasks start in the order they are created, so the client is handed
        # the messages in id order and the broker forwards them in that order.
        task = asyncio.create_task(self._publish_one(publication, row.id))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    def _keep_newest_retained(self, pub: Publication, row_id: int, historical: bool) -> Publication:
        # The backlog trails live data: an old mission sent retained after a
        # newer one went out live would become the topic's retained state.
        if not historical:
            self._retained_live[pub.topic] = row_id
        elif self._retained_live.get(pub.topic, 0) > row_id:
            return Publication(pub.topic, pub.payload, pub.qos, retain=False)
        return pub

    async def _publish_one(self, publication: Publication, row_id: int) -> None:
        try:
            await self._send(publication)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            if self._failure is None:
                self._failure = e
                log.warning(
                    "publishing outbox message %d on %s failed: %s", row_id, publication.topic, e
                )
        else:
            if not self._acked:
                self._first_ack = time.monotonic()
            self._acked.append(row_id)
            self.stats.acknowledged += 1
            self.stats.last_ack_ts = time.time()
        # Free the slot before waking the loop: the done callback would only run
        # after the loop has looked, found the window full, and gone back to sleep.
        task = asyncio.current_task()
        if task is not None:
            self._inflight.discard(task)
        self._wake.set()

    async def _delete_acked(self, *, final: bool = False) -> None:
        if not self._acked:
            return
        due = len(self._acked) >= ACK_BATCH or time.monotonic() - self._first_ack >= ACK_FLUSH_S
        if not (due or final):
            return
        ids, self._acked = self._acked, []
        try:
            if final:
                # On the way out, possibly cancelled: a thread hop could be
                # cancelled again, so the delete runs here (it is short).
                deleted = self._storage.outbox_delete(ids)
            else:
                deleted = await asyncio.to_thread(self._storage.outbox_delete, ids)
        except Exception as e:
            # The messages were delivered; if they cannot be deleted now they
            # will be sent again (same ids) after the next connection.
            log.error("deleting %d acknowledged outbox messages failed: %s", len(ids), e)
            if not final:
                self._acked = ids + self._acked
            return
        self.stats.deleted += deleted
