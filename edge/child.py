"""Running a Python module of Kakashi's in a child process, bounded in time.

The service hands heavy, occasional work to children (route solving, yield
forecasting) so their libraries' memory never stays resident and a crash in
them never takes the service down. A child that outlives its time, or whose
caller is cancelled (shutdown), is killed and reaped, never left behind.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChildResult:
    returncode: int | None
    """None when the child was killed for running past its time."""
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


async def run_python_module(
    module: str, args: list[str], *, timeout_s: float, stdin: bytes | None = None
) -> ChildResult:
    """``python -m module args...`` with ``stdin`` fed to it; its stdout is discarded,
    its stderr returned."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(stdin), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return ChildResult(None, "")
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    return ChildResult(proc.returncode, stderr.decode(errors="replace"))
