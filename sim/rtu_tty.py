"""The simulator's end of a serial line: a pty of its own, or an existing tty.

A pty pair stands in for an RS-485 adapter: the simulator holds the master,
clients open the slave through a stable symlink (``--link``). It keeps the
slave open itself so the master never sees a hang-up when a client closes
and re-opens the port. ``open_device`` attaches to a tty that already exists
instead: one end of a socat pty pair, or a real USB RS-485 adapter.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import termios
import tty
from pathlib import Path

_PARITY_FLAGS = {"N": 0, "E": termios.PARENB, "O": termios.PARENB | termios.PARODD}


class SimTty:
    def __init__(
        self, fd: int, path: str, device: str, *, keep_open: int | None, link: Path | None
    ) -> None:
        self.fd = fd
        self.path = path
        """What a client opens: the symlink, or the device itself."""
        self.device = device
        self._keep_open = keep_open
        self._link = link

    @classmethod
    def create_pty(cls, link: Path | None = None) -> SimTty:
        """A new pty pair; ``link``, if given, becomes a symlink to the client's end."""
        master, slave = pty.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        device = os.ttyname(slave)
        if link is None:
            return cls(master, device, device, keep_open=slave, link=None)
        try:
            _replace_symlink(link, device)
        except OSError:
            os.close(master)
            os.close(slave)
            raise
        return cls(master, str(link), device, keep_open=slave, link=link)

    @classmethod
    def open_device(
        cls, path: str, *, baudrate: int, parity: str = "N", stopbits: int = 1
    ) -> SimTty:
        """An existing tty in raw mode at the given speed and framing (8 data bits)."""
        speed = getattr(termios, f"B{baudrate}", None)
        if speed is None:
            raise ValueError(f"{path}: baud rate {baudrate} is not a standard termios speed")
        if parity not in _PARITY_FLAGS:
            raise ValueError(f"{path}: parity: expected N, E or O, found {parity!r}")
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(fd)
            attrs = termios.tcgetattr(fd)
            cflag = attrs[2] & ~(termios.PARENB | termios.PARODD | termios.CSTOPB | termios.CSIZE)
            cflag |= termios.CS8 | termios.CLOCAL | termios.CREAD | _PARITY_FLAGS[parity]
            if stopbits == 2:
                cflag |= termios.CSTOPB
            attrs[2] = cflag
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except BaseException:
            os.close(fd)
            raise
        return cls(fd, path, path, keep_open=None, link=None)

    def unread(self) -> int:
        """Bytes written to clients that no client has read yet (0 for a device)."""
        if self._keep_open is None:
            return 0
        try:
            raw = fcntl.ioctl(self._keep_open, termios.FIONREAD, b"\0\0\0\0")
        except OSError:
            return 0
        count: int = struct.unpack("i", raw)[0]
        return count

    def drop_unread(self) -> None:
        """Forget what no client read, as a UART's receive FIFO overflowing would."""
        if self._keep_open is not None:
            with contextlib.suppress(OSError):
                termios.tcflush(self._keep_open, termios.TCIFLUSH)

    def close(self) -> None:
        for fd in (self.fd, self._keep_open):
            if fd is not None and fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.fd = -1
        self._keep_open = None
        if self._link is not None:
            # Only remove the link if it is still ours: another simulator may own it now.
            with contextlib.suppress(OSError):
                if os.readlink(self._link) == self.device:
                    self._link.unlink()
            self._link = None


def _replace_symlink(link: Path, target: str) -> None:
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symlink; refusing to replace it")
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(target)
    temporary.replace(link)
