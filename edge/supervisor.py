"""Supervision of the service's long-running tasks.

Every part of the service (a poller per bus, the storage writer, the uplink, the
web server, maintenance) runs as a named task under one :class:`Supervisor`. A
task that crashes is logged with its traceback and restarted after a backoff
that grows while it keeps crashing; it never takes the others down. Shutdown
stops the tasks in stages (producers first, the storage writer after them so it
can flush what they produced), each stage within a bounded time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger(__name__)

TaskFactory = Callable[[], Awaitable[None]]


class TaskState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    BACKOFF = "backoff"  # crashed, waiting before the next start
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    initial_backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    # A task that ran this long before crashing is considered healthy again, so
    # one crash a day does not leave it on a one-minute backoff forever.
    stable_after_s: float = 60.0
    jitter: float = 0.2

    def delay(self, failures: int) -> float:
        base: float = min(self.max_backoff_s, self.initial_backoff_s * 2.0 ** max(0, failures - 1))
        return base * (1.0 + random.uniform(-self.jitter, self.jitter))


@dataclass
class TaskStatus:
    name: str
    stage: int
    state: TaskState = TaskState.STARTING
    restarts: int = 0
    consecutive_failures: int = 0
    last_error: str = ""
    last_error_ts: float | None = None
    started_ts: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "state": self.state.value,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "last_error_ts": self.last_error_ts,
            "started_ts": self.started_ts,
        }


@dataclass
class _Supervised:
    factory: TaskFactory
    status: TaskStatus
    task: asyncio.Task[None] | None = field(default=None)


class Supervisor:
    """Runs named tasks, restarts them when they fail, stops them in stages.

    ``stage`` orders shutdown: lower stages stop first. Producers (pollers) use
    stage 0, consumers that must drain (the storage writer) a later one, and the
    web server last, so the page answers until the data behind it is safe.
    """

    def __init__(self, policy: RestartPolicy | None = None) -> None:
        self.policy = policy or RestartPolicy()
        self._tasks: dict[str, _Supervised] = {}
        self._started = False

    def add(self, name: str, factory: TaskFactory, *, stage: int = 0) -> None:
        if name in self._tasks:
            raise ValueError(f"a task named {name!r} is already supervised")
        entry = _Supervised(factory, TaskStatus(name, stage))
        self._tasks[name] = entry
        if self._started:
            entry.task = asyncio.create_task(self._guard(entry), name=name)

    def start(self) -> None:
        self._started = True
        for entry in self._tasks.values():
            if entry.task is None:
                entry.task = asyncio.create_task(self._guard(entry), name=entry.status.name)

    def statuses(self) -> list[TaskStatus]:
        return [entry.status for entry in self._tasks.values()]

    async def _guard(self, entry: _Supervised) -> None:
        status = entry.status
        while True:
            status.state = TaskState.RUNNING
            started = time.monotonic()
            status.started_ts = time.time()
            try:
                await entry.factory()
            except asyncio.CancelledError:
                status.state = TaskState.STOPPED
                raise
            except Exception as exc:
                status.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("task %r crashed", status.name)
            else:
                # Long-running parts never return by design; a return is a fault too.
                status.last_error = "returned unexpectedly"
                log.error("task %r returned unexpectedly", status.name)
            status.last_error_ts = time.time()
            if time.monotonic() - started >= self.policy.stable_after_s:
                status.consecutive_failures = 0
            status.consecutive_failures += 1
            status.restarts += 1
            delay = self.policy.delay(status.consecutive_failures)
            status.state = TaskState.BACKOFF
            log.warning(
                "restarting task %r in %.1f s (restart %d)", status.name, delay, status.restarts
            )
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                status.state = TaskState.STOPPED
                raise

    async def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop every task, stage by stage, within ``timeout_s`` overall.

        Returns False when some task did not finish in time (it is then left
        cancelled; the process is about to exit anyway).
        """
        deadline = time.monotonic() + timeout_s
        clean = True
        for stage in sorted({e.status.stage for e in self._tasks.values()}):
            tasks = [
                e.task
                for e in self._tasks.values()
                if e.status.stage == stage and e.task is not None and not e.task.done()
            ]
            for task in tasks:
                task.cancel()
            if not tasks:
                continue
            remaining = max(0.0, deadline - time.monotonic())
            done, pending = await asyncio.wait(tasks, timeout=remaining)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error(
                        "task %r failed while stopping: %r", task.get_name(), task.exception()
                    )
            if pending:
                clean = False
                log.error(
                    "tasks did not stop within %.1f s: %s",
                    timeout_s,
                    ", ".join(t.get_name() for t in pending),
                )
        return clean
