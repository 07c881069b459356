"""The bus never blocks a producer, and a full consumer queue is counted and logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from drivers.reading import Quality, Reading
from edge.bus import Bus


def _reading(i: int) -> Reading:
    return Reading("soil-1", "moisture", 1_700_000_000.0 + i, 30.0 + i, "%", Quality.GOOD)


async def test_a_full_consumer_drops_and_counts_while_others_get_everything(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus: Bus[Reading] = Bus()
    slow = bus.subscribe("slow", maxsize=3)
    fast = bus.subscribe("fast", maxsize=100)
    with caplog.at_level(logging.WARNING, logger="edge.bus"):
        for i in range(10):
            bus.publish(_reading(i))  # returns at once even though "slow" is full

    assert fast.get_nowait_batch(100) == [_reading(i) for i in range(10)]
    assert slow.get_nowait_batch(100) == [_reading(i) for i in range(3)]
    stats = {s.name: s for s in bus.stats()}
    assert stats["slow"].dropped == 7
    assert stats["fast"].dropped == 0
    assert bus.published == 10
    drops = [r for r in caplog.records if "'slow' is full" in r.getMessage()]
    assert len(drops) == 1, "a flood of drops is logged once per interval, not per item"


async def test_get_batch_takes_what_is_queued_up_to_the_limit() -> None:
    bus: Bus[Reading] = Bus()
    sub = bus.subscribe("storage", maxsize=100)
    for i in range(7):
        bus.publish(_reading(i))
    batch = await sub.get_batch(5, max_wait_s=10.0)
    assert [r.ts for r in batch] == [_reading(i).ts for i in range(5)]
    rest = await sub.get_batch(5, max_wait_s=0.0)
    assert len(rest) == 2
    assert sub.stats().delivered == 7


async def test_get_batch_returns_a_partial_batch_when_the_wait_ends() -> None:
    bus: Bus[Reading] = Bus()
    sub = bus.subscribe("storage", maxsize=100)
    bus.publish(_reading(0))
    batch = await sub.get_batch(500, max_wait_s=0.01)
    assert batch == [_reading(0)]


async def test_get_batch_picks_up_items_published_while_it_waits() -> None:
    bus: Bus[Reading] = Bus()
    sub = bus.subscribe("storage", maxsize=100)
    waiting = asyncio.create_task(sub.get_batch(3, max_wait_s=30.0))
    for i in range(3):
        await asyncio.sleep(0)  # let the consumer run between publishes
        bus.publish(_reading(i))
    assert len(await asyncio.wait_for(waiting, 5)) == 3


def test_names_are_unique_and_sizes_positive() -> None:
    bus: Bus[Reading] = Bus()
    bus.subscribe("storage", 1)
    with pytest.raises(ValueError, match="already has a consumer named 'storage'"):
        bus.subscribe("storage", 1)
    with pytest.raises(ValueError, match="maxsize must be >= 1"):
        bus.subscribe("web", 0)


async def test_items_taken_by_a_cancelled_get_batch_stay_with_the_caller() -> None:
    bus: Bus[Reading] = Bus()
    sub = bus.subscribe("storage", maxsize=100)
    taken: list[Reading] = []
    bus.publish(_reading(0))
    waiting = asyncio.create_task(sub.get_batch(10, max_wait_s=60.0, into=taken))
    await asyncio.sleep(0)  # let it take the first item and start waiting for more
    bus.publish(_reading(1))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert [r.ts for r in taken] == [_reading(0).ts, _reading(1).ts]
