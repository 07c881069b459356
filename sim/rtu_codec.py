"""The simulator's own RTU framing: CRC-16/MODBUS computed bit by bit, frames checked and built.

Deliberately independent of ``drivers.modbus``: a bug in the gateway's table
CRC or framing must show up as a failed exchange with the simulator, not be
mirrored on both sides of the wire.
"""

from __future__ import annotations


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS the way the specification describes it: shift and XOR 0xA001."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            carry = crc & 0x0001
            crc >>= 1
            if carry:
                crc ^= 0xA001
    return crc


def with_crc(body: bytes) -> bytes:
    crc = crc16_modbus(body)
    return body + bytes((crc & 0xFF, crc >> 8))


def crc_ok(frame: bytes) -> bool:
    if len(frame) < 4:
        return False
    crc = crc16_modbus(frame[:-2])
    return frame[-2] == crc & 0xFF and frame[-1] == crc >> 8
