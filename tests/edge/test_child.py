"""Children run bounded in time: past it, or when the caller is cancelled, they are
killed and reaped; otherwise their exit status and stderr come back."""

from __future__ import annotations

import asyncio
import os

import pytest

from edge.child import run_python_module

PROGRAM = "tests.edge.child_program"


async def test_a_child_reads_stdin_and_reports_its_exit_status_and_stderr() -> None:
    said = await run_python_module(PROGRAM, ["echo", "3"], timeout_s=60, stdin=b"hello")
    assert (said.returncode, said.stderr, said.ok) == (3, "hello", False)
    fine = await run_python_module(PROGRAM, ["echo", "0"], timeout_s=60, stdin=b"")
    assert fine.ok


async def test_a_child_past_its_time_is_killed_and_reported_as_such() -> None:
    result = await run_python_module(PROGRAM, ["hang"], timeout_s=0.5)
    assert result.returncode is None
    assert not result.ok


async def test_cancelling_the_caller_kills_the_child() -> None:
    before = set(_children())
    task = asyncio.create_task(run_python_module(PROGRAM, ["hang"], timeout_s=600))
    async with asyncio.timeout(60):
        while not set(_children()) - before:  # noqa: ASYNC110 - polling /proc, bounded
            await asyncio.sleep(0.05)
    [pid] = set(_children()) - before
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(pid), "killed and reaped, not left behind"


def _alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def _children() -> list[int]:
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.append(int(entry))
    return found
