"""The supervisor restarts a crashing task while the others keep running."""

from __future__ import annotations

import asyncio
import logging

import pytest

from edge.supervisor import RestartPolicy, Supervisor, TaskState

FAST = RestartPolicy(initial_backoff_s=0.001, max_backoff_s=0.002, jitter=0.0)


async def test_crashing_task_is_restarted_and_others_keep_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs = 0
    third_run = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            raise RuntimeError(f"probe exploded on run {runs}")
        third_run.set()
        await asyncio.Event().wait()

    requests: asyncio.Queue[int] = asyncio.Queue()
    replies: asyncio.Queue[int] = asyncio.Queue()

    async def echo() -> None:
        while True:
            replies.put_nowait(await requests.get() * 2)

    sup = Supervisor(FAST)
    sup.add("flaky", flaky)
    sup.add("echo", echo)
    with caplog.at_level(logging.ERROR, logger="edge.supervisor"):
        sup.start()
        await asyncio.wait_for(third_run.wait(), 5)
        requests.put_nowait(21)
        assert await asyncio.wait_for(replies.get(), 5) == 42

    status = {s.name: s for s in sup.statuses()}
    assert status["flaky"].restarts == 2
    assert status["flaky"].state is TaskState.RUNNING
    assert "probe exploded on run 2" in status["flaky"].last_error
    assert status["echo"].restarts == 0
    crash_logs = [r for r in caplog.records if "crashed" in r.getMessage()]
    assert len(crash_logs) == 2
    assert all(r.exc_info is not None for r in crash_logs), "traceback must be logged"
    assert await sup.stop(5)


async def test_backoff_grows_while_a_task_keeps_crashing() -> None:
    policy = RestartPolicy(initial_backoff_s=1.0, max_backoff_s=8.0, jitter=0.0)
    assert [policy.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]


async def test_a_task_that_returns_is_restarted_as_a_fault() -> None:
    runs = 0
    second = asyncio.Event()

    async def returns() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            second.set()
            await asyncio.Event().wait()

    sup = Supervisor(FAST)
    sup.add("returns", returns)
    sup.start()
    await asyncio.wait_for(second.wait(), 5)
    assert sup.statuses()[0].last_error == "returned unexpectedly"
    assert await sup.stop(5)


async def test_stop_runs_stages_in_order_so_consumers_can_drain() -> None:
    order: list[str] = []
    all_running = asyncio.Barrier(4)

    def make(name: str):  # type: ignore[no-untyped-def]
        async def task() -> None:
            try:
                await all_running.wait()
                await asyncio.Event().wait()
            finally:
                order.append(name)

        return task

    sup = Supervisor(FAST)
    sup.add("writer", make("writer"), stage=1)
    sup.add("poller", make("poller"), stage=0)
    sup.add("web", make("web"), stage=2)
    sup.start()
    await asyncio.wait_for(all_running.wait(), 5)  # three tasks and this test
    assert await sup.stop(5)
    assert order == ["poller", "writer", "web"]
    assert {s.state for s in sup.statuses()} == {TaskState.STOPPED}


async def test_stop_reports_a_task_that_refuses_to_stop() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def stubborn() -> None:
        started.set()
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # deliberately ignores cancellation

    sup = Supervisor(FAST)
    sup.add("stubborn", stubborn)
    sup.start()
    await started.wait()
    assert not await sup.stop(0.05)
    release.set()
