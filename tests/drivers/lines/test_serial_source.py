"""A serial port as a byte source, on a real pseudo-terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.lines.serial_source import serial_source_factory
from drivers.lines.source import LinkLostError
from drivers.serial_settings import SerialSettings
from tests.drivers.lines.ptys import PtyPort


async def test_bytes_silence_and_a_pulled_port(tmp_path: Path) -> None:
    port = PtyPort(tmp_path / "ttyS")
    port.plug()
    source = await serial_source_factory(str(port.path), SerialSettings(9600), name="t")()
    try:
        assert await source.read(0.01) == b""
        await port.write(b"$GPGGA,1\r\n")
        received = b""
        while len(received) < 10:
            received += await source.read(5.0)
        assert received == b"$GPGGA,1\r\n"
        port.unplug()
        with pytest.raises(LinkLostError, match="t: "):
            await source.read(5.0)
    finally:
        source.close()
        port.unplug()


async def test_a_missing_port_cannot_be_opened(tmp_path: Path) -> None:
    factory = serial_source_factory(str(tmp_path / "none"), SerialSettings(4800), name="gps")
    with pytest.raises(LinkLostError, match="cannot open"):
        await factory()
