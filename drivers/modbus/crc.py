"""CRC-16/MODBUS: the check that ends every RTU frame.

Polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR; the
two CRC bytes go on the wire low byte first. A 256-entry table makes it one
lookup per byte, which matters on a Pi polling a busy bus from Python.
"""

from __future__ import annotations

POLYNOMIAL = 0xA001
INITIAL = 0xFFFF


def _table() -> tuple[int, ...]:
    entries = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ POLYNOMIAL if crc & 1 else crc >> 1
        entries.append(crc)
    return tuple(entries)


_TABLE = _table()


def crc16(data: bytes | bytearray | memoryview, crc: int = INITIAL) -> int:
    """The CRC of ``data``; pass a previous result as ``crc`` to continue over more bytes."""
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def crc_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """The two CRC bytes as they follow ``data`` on the wire (low byte first)."""
    return crc16(data).to_bytes(2, "little")
