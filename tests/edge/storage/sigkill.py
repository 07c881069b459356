"""Kill -9 a writer process part-way through, then check the database file it left."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest


def kill_after_lines(args: list[str], lines: int, cwd: Path | None = None) -> list[str]:
    """Start a writer that prints a line per committed write, read ``lines`` of them,
    then SIGKILL it mid-write; return the lines read. Fails the test if the writer
    exits on its own first."""
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    read: list[str] = []
    try:
        assert proc.stdout is not None
        while len(read) < lines:
            line = proc.stdout.readline()
            if not line:
                _, err = proc.communicate()
                pytest.fail(f"writer {args[1]} exited early (code {proc.returncode}): {err}")
            read.append(line)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    return read


def assert_intact(path: Path) -> None:
    """SQLite's own integrity check passes on the file."""
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        check.close()
