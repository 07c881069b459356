"""The gateway as a process of its own (``gateway_proc``), for kill -9 tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def gateway(
    db: Path, port: int, write: int, rate: float, mqtt: str = ""
) -> Iterator[subprocess.Popen[str]]:
    """The gateway as a process of its own, killed at the end if still running."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.edge.uplink.gateway_proc",
            str(db),
            str(port),
            str(write),
            str(rate),
            mqtt,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def read_until(proc: subprocess.Popen[str], line: str) -> list[str]:
    assert proc.stdout is not None
    seen = []
    while True:
        got = proc.stdout.readline()
        assert got, f"gateway exited ({proc.poll()}) before printing {line!r}"
        seen.append(got.strip())
        if got.strip() == line:
            return seen


def kill9(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
