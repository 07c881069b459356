"""An asynchronous serial port: non-blocking reads driven by the event loop, re-opened after loss.

pyserial opens and configures the port (baud rate, framing, an exclusive lock,
kernel RS-485 mode); the file descriptor is then served by ``loop.add_reader``,
so a port costs no thread and no polling. A write returns once the bytes have
left the UART (``tcdrain``), which is what RS-485 direction control and the
Modbus inter-frame gap are timed from.

When the device node goes away (a USB adapter unplugged: reads fail or return
nothing, the fd reports a hang-up) the link closes itself, pending reads raise
:class:`TransportError`, and the next :meth:`SerialLink.open` waits out a
jittered backoff before it tries the path again, so a vanished port never
becomes a busy loop and a re-plugged one is picked up without rebuilding anything.
"""

from __future__ import annotations

import asyncio
import os
import random
import termios

import serial
from serial.rs485 import RS485Settings

from drivers.link_base import LinkBase
from drivers.modbus.errors import TransportError
from drivers.serial_settings import SerialSettings

READ_CHUNK = 4096


def _empty_read_is_eagain(fd: int) -> None:
    """pyserial leaves VMIN = 0, where a read with nothing to read returns 0 bytes,
    the same as a hang-up; with VMIN = 1 (and O_NONBLOCK) it fails with EAGAIN
    instead, so 0 bytes then reliably means the device is gone."""
    attrs = termios.tcgetattr(fd)
    cc = attrs[6]
    cc[termios.VMIN] = 1
    cc[termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


class SerialLink(LinkBase):
    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        parity: str = "N",
        stopbits: int = 1,
        bytesize: int = 8,
        rs485_rts: bool = False,
        name: str,
        backoff_initial_s: float = 0.1,
        backoff_max_s: float = 5.0,
        rng: random.Random | None = None,
    ) -> None:
        try:
            settings = SerialSettings(baudrate, parity, stopbits, bytesize)
        except ValueError as exc:
            raise ValueError(f"{name}: {port}: {exc}") from None
        super().__init__(
            name,
            f"{name}: {port}",
            settings,
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
            rng=rng,
        )
        self.port = port
        self.rs485_rts = rs485_rts
        self._serial: serial.Serial | None = None
        self._fd = -1
        self._manual_rts = False
        self._writing = False
        self._close_after_write: serial.Serial | None = None

    # ---- state ----

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def describe(self) -> str:
        return f"{self.port} {self.settings.describe()}"

    # ---- opening and closing ----

    async def open(self) -> None:
        """Open the port if it is not open, first sleeping out any backoff."""
        if self._serial is not None:
            return
        await self._gate.wait_turn()
        if self.is_open:  # opened by another task while this one slept
            return
        try:
            self._open_now()
        except (OSError, termios.error, serial.SerialException, ValueError) as exc:
            # termios.error: the driver refused a setting (a pty refuses parity).
            delay = self._gate.failed(f"cannot open: {exc}")
            raise TransportError(
                f"{self.name}: {self.port}: cannot open: {exc}; retry in {delay:.2f} s"
            ) from None

    def close(self) -> None:
        """Close the port; a later :meth:`open` opens it again."""
        if self._serial is not None:
            self._teardown(TransportError(f"{self.name}: {self.port}: link closed"))

    def _open_now(self) -> None:
        port = serial.Serial()
        port.port = self.port
        port.baudrate = self.settings.baudrate
        port.bytesize = self.settings.bytesize
        port.parity = self.settings.parity
        port.stopbits = self.settings.stopbits
        port.timeout = 0
        # A second process on the same RS-485 port would interleave its frames with ours.
        port.exclusive = True
        if self.rs485_rts:
            port.rts = False  # receive until we transmit
        port.open()
        try:
            self._manual_rts = self._set_up_direction(port) if self.rs485_rts else False
            fd = port.fileno()
            _empty_read_is_eagain(fd)
            port.reset_input_buffer()
            asyncio.get_running_loop().add_reader(fd, self._on_readable)
        except BaseException:
            port.close()
            raise
        self._serial, self._fd = port, fd
        self._opened()

    @staticmethod
    def _set_up_direction(port: serial.Serial) -> bool:
        """Let the kernel drive RTS around each transmission if the UART driver can
        (exact to the last stop bit); else drive RTS ourselves. Returns True for manual."""
        try:
            port.rs485_mode = RS485Settings(rts_level_for_tx=True, rts_level_for_rx=False)
            return False
        except ValueError as kernel_refused:
            port.rs485_mode = None
            try:
                port.rts = False
            except OSError as exc:
                raise OSError(
                    f"cannot switch the RS-485 transceiver: kernel RS-485 mode refused "
                    f"({kernel_refused}) and RTS cannot be set ({exc.strerror})"
                ) from None
            return True

    def _teardown(self, error: TransportError) -> None:
        port = self._serial
        self._serial = None
        self._rx.fail(error)
        if port is None:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._fd)
        self._fd = -1
        if self._writing:
            # The drain thread still uses the descriptor; closing it now could
            # hand its number to another file under that thread's feet.
            self._close_after_write = port
        else:
            port.close()

    def _break(self, reason: str) -> TransportError:
        if self._serial is None:
            return TransportError(f"{self.name}: {self.port}: not open ({self.last_error})")
        delay = self._gate.broke(reason)
        error = TransportError(f"{self.name}: {self.port}: {reason}; reopening in {delay:.2f} s")
        self._teardown(error)
        return error

    # ---- receiving ----

    def _on_readable(self) -> None:
        self._pump()

    def _pump(self) -> None:
        """Move what the kernel holds into the buffer (also after a hang-up, to notice it)."""
        loop = asyncio.get_running_loop()
        while self._serial is not None:
            try:
                data = os.read(self._fd, READ_CHUNK)
            except BlockingIOError:
                return
            except OSError as exc:
                self._break(f"read failed: {exc.strerror or exc}")
                return
            if not data:
                # Readable but empty: the device is gone (unplugged USB adapter, pty hung up).
                self._break("device disconnected (readable but no data)")
                return
            self._received(data, loop.time())
            if len(data) < READ_CHUNK:
                return

    def discard_input(self) -> int:
        """Throw away every byte received and not yet read; return how many."""
        if self._serial is None:
            return 0
        self._pump()
        return self._rx.discard()

    # ---- sending ----

    async def write(self, data: bytes) -> None:
        """Send ``data`` and return once its last stop bit has left the UART."""
        port = self._require_open()
        fd = self._fd
        loop = asyncio.get_running_loop()
        self._writing = True
        try:
            if self._manual_rts:
                port.rts = True
            view = memoryview(data)
            while view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    await self._writable(fd)
                    continue
                view = view[written:]
            await loop.run_in_executor(None, self._drain, port, fd)
        except (OSError, termios.error) as exc:
            raise self._break(f"write failed: {exc}") from None
        finally:
            self._writing = False
            if self._close_after_write is not None:
                self._close_after_write.close()
                self._close_after_write = None
        self._last_tx_s = loop.time()

    def _drain(self, port: serial.Serial, fd: int) -> None:
        # Runs in a worker thread: tcdrain blocks until the UART's shift register
        # is empty, and the transceiver must be released right after that.
        termios.tcdrain(fd)
        if self._manual_rts:
            port.rts = False

    async def _writable(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_writer(fd, wake)
        try:
            await ready
        finally:
            loop.remove_writer(fd)

    def _check_open(self) -> None:
        self._require_open()

    def _require_open(self) -> serial.Serial:
        if self._serial is None:
            raise TransportError(
                f"{self.name}: {self.port}: not open"
                + (f" ({self.last_error})" if self.last_error else "")
            )
        return self._serial
