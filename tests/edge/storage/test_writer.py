from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from drivers.reading import Reading
from edge.bus import Bus, Subscription
from edge.storage import Storage, run_writer

T0 = 1_750_000_000.0


def _readings(start: int, count: int) -> list[Reading]:
    return [
        Reading(f"node-{i % 3}", "moisture", T0 + i, float(i), "%")
        for i in range(start, start + count)
    ]


def _stored_count(storage: Storage) -> int:
    return sum(len(storage.history(f"node-{d}", "moisture", T0 - 1, T0 + 10_000)) for d in range(3))


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition``, yielding to the loop; bounded so a bug fails instead of hanging."""
    for _ in range(20_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"timed out waiting until {what}")


def _bus() -> tuple[Bus[Reading], Subscription[Reading]]:
    bus: Bus[Reading] = Bus()
    return bus, bus.subscribe("storage", 10_000)


async def test_batches_reach_storage(storage: Storage) -> None:
    bus, sub = _bus()
    stored: list[int] = []
    done = asyncio.Event()

    def on_stored(n: int) -> None:
        stored.append(n)
        if sum(stored) == 120:
            done.set()

    task = asyncio.create_task(
        run_writer(sub, storage, batch_max=50, max_wait_s=0.01, on_stored=on_stored)
    )
    for reading in _readings(0, 120):
        bus.publish(reading)
    await asyncio.wait_for(done.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert max(stored) <= 50
    assert _stored_count(storage) == 120


async def test_cancellation_flushes_taken_and_queued_readings(storage: Storage) -> None:
    bus, sub = _bus()
    stored: list[int] = []
    # A batch that can never fill and a wait that never ends: the writer holds
    # what it took while it waits for more, as it would between polls.
    task = asyncio.create_task(
        run_writer(sub, storage, batch_max=1000, max_wait_s=3600, on_stored=stored.append)
    )
    for reading in _readings(0, 30):
        bus.publish(reading)
    await _until(lambda: sub.stats().delivered == 30, "the writer took the first 30")
    assert _stored_count(storage) == 0
    # Published and cancelled without yielding: these 20 are still queued.
    for reading in _readings(30, 20):
        bus.publish(reading)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sub.stats().depth == 0
    assert _stored_count(storage) == 50
    assert sum(stored) == 50


async def test_failed_write_is_kept_and_retried_until_it_succeeds(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    """The failure is real: the storage connection is put in ``query_only`` mode,
    so SQLite refuses the write ("attempt to write a readonly database"), then
    switched back."""
    bus, sub = _bus()
    stored: list[int] = []
    all_stored = asyncio.Event()

    def on_stored(n: int) -> None:
        stored.append(n)
        if sum(stored) == 40:
            all_stored.set()

    with storage.locked() as db:
        db.execute("PRAGMA query_only = ON")
    caplog.set_level(logging.WARNING, logger="edge.storage")
    task = asyncio.create_task(
        run_writer(
            sub,
            storage,
            batch_max=25,
            max_wait_s=0,
            on_stored=on_stored,
            retry_initial_s=0.001,
            retry_max_s=0.004,
        )
    )
    for reading in _readings(0, 25):
        bus.publish(reading)

    def failures() -> int:
        return sum("readonly database" in r.getMessage() for r in caplog.records)

    await _until(lambda: failures() >= 3, "three failed attempts were logged")
    # Readings keep queueing behind the failing batch.
    for reading in _readings(25, 15):
        bus.publish(reading)
    assert stored == []
    with storage.locked() as db:
        db.execute("PRAGMA query_only = OFF")
    await asyncio.wait_for(all_stored.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert stored == [25, 15]
    assert _stored_count(storage) == 40
    assert sub.stats().dropped == 0
    failure = next(r for r in caplog.records if "readonly database" in r.getMessage())
    assert "storing 25 readings" in failure.getMessage()
    assert "keeping them" in failure.getMessage()
    assert any(
        "after" in r.getMessage() and "failed attempts" in r.getMessage() for r in caplog.records
    )


async def test_bad_batch_size_is_refused(storage: Storage) -> None:
    _, sub = _bus()
    with pytest.raises(ValueError, match="batch_max must be >= 1, got 0"):
        await run_writer(sub, storage, batch_max=0)
