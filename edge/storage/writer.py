"""The task that moves readings from the bus into storage, in batches.

Nothing it has taken from the bus is dropped: a failed write is retried with
backoff (meanwhile the bus queue fills and counts what it cannot take), and on
cancellation everything taken or still queued is written before it stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from drivers.reading import Reading
from edge.bus import Subscription
from edge.storage.store import Storage

log = logging.getLogger(__name__)

RETRY_INITIAL_S = 0.5
RETRY_MAX_S = 30.0
"""A failing disk is retried at most this far apart, so recovery is noticed
within half a minute and the log gets at most two lines a minute."""


async def run_writer(
    sub: Subscription[Reading],
    storage: Storage,
    *,
    batch_max: int = 500,
    max_wait_s: float = 1.0,
    on_stored: Callable[[int], None] | None = None,
    retry_initial_s: float = RETRY_INITIAL_S,
    retry_max_s: float = RETRY_MAX_S,
) -> None:
    """Store readings from ``sub`` until cancelled; ``on_stored(n)`` after each batch."""
    if batch_max < 1:
        raise ValueError(f"storage writer: batch_max must be >= 1, got {batch_max}")
    if not 0 < retry_initial_s <= retry_max_s:
        raise ValueError(
            "storage writer: need 0 < retry_initial_s <= retry_max_s, "
            f"got {retry_initial_s} and {retry_max_s}"
        )
    # Owned here rather than returned by a call, so that on cancellation the
    # readings already taken from the queue are still in reach.
    taken: list[Reading] = []
    try:
        while True:
            await sub.get_batch(batch_max, max_wait_s, into=taken)
            stored = await _store_until_done(storage, taken, retry_initial_s, retry_max_s)
            taken = []
            _report(on_stored, stored)
    except asyncio.CancelledError:
        _flush(sub, storage, taken, batch_max, on_stored)
        raise


async def _store_until_done(
    storage: Storage, batch: list[Reading], retry_initial_s: float, retry_max_s: float
) -> int:
    delay = retry_initial_s
    failures = 0
    while True:
        try:
            stored = await asyncio.to_thread(storage.write_readings, batch)
        except Exception as e:
            failures += 1
            log.error(
                "storing %d readings in %s failed (attempt %d: %s: %s); "
                "keeping them, retrying in %.1f s",
                len(batch),
                storage.path,
                failures,
                type(e).__name__,
                e,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_max_s)
            continue
        if failures:
            log.warning(
                "stored %d readings in %s after %d failed attempts",
                stored,
                storage.path,
                failures,
            )
        return stored


def _flush(
    sub: Subscription[Reading],
    storage: Storage,
    taken: list[Reading],
    batch_max: int,
    on_stored: Callable[[int], None] | None,
) -> None:
    """Write what was taken and what is still queued, before the task ends.

    Synchronous on purpose: the task is being cancelled, and another await
    could be cancelled again by a hurried shutdown. A write of ``taken`` that
    was in flight in a thread may still finish; writing it again is harmless
    because a repeated (series, ts) replaces itself.
    """
    pending = list(taken)
    while queued := sub.get_nowait_batch(batch_max):
        pending.extend(queued)
    for start in range(0, len(pending), batch_max):
        chunk = pending[start : start + batch_max]
        try:
            stored = storage.write_readings(chunk)
        except Exception as e:
            log.error(
                "shutdown: could not store %d readings in %s (%s: %s); they are lost",
                len(pending) - start,
                storage.path,
                type(e).__name__,
                e,
            )
            return
        _report(on_stored, stored)
    if pending:
        log.info("shutdown: stored the %d readings still pending", len(pending))


def _report(on_stored: Callable[[int], None] | None, stored: int) -> None:
    if on_stored is None:
        return
    try:
        on_stored(stored)
    except Exception:
        # A broken counter must not stop readings being stored.
        log.exception("storage writer: on_stored callback failed")
