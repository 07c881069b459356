"""A pseudo-terminal standing in for a USB serial device: plugged, written to, unplugged.

The reader opens a fixed path (a symlink, like a udev ``/dev/gps0``); plugging
makes a new pty and points the path at it, unplugging closes the device side,
which the reader sees as a hang-up, exactly as when a USB adapter is pulled.
"""

from __future__ import annotations

import asyncio
import os
import pty
from pathlib import Path


class PtyPort:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._master = -1

    def plug(self) -> None:
        master, slave = pty.openpty()
        name = os.ttyname(slave)
        os.close(slave)  # only the reader holds the port open
        staging = self.path.with_name(self.path.name + ".new")
        staging.unlink(missing_ok=True)
        staging.symlink_to(name)
        staging.replace(self.path)
        self._master = master

    def unplug(self) -> None:
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    async def write(self, data: bytes) -> None:
        """Write everything, in a thread: a full pty buffer blocks until the reader
        drains it, and the reader runs on this test's event loop."""
        await asyncio.to_thread(self._write_all, self._master, data)

    @staticmethod
    def _write_all(fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
