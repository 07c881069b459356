"""Documented Modbus RTU frames, checked the way a device on the wire would check them.

The CRC is computed here independently of any Kakashi code, so a frame copied
wrongly from a manual fails loudly instead of becoming a wrong "golden" value.
"""

from __future__ import annotations

from dataclasses import dataclass


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True)
class RtuFrame:
    unit: int
    pdu: bytes


def parse_rtu(text: str) -> RtuFrame:
    """A frame written as hex bytes; fails unless its CRC (low byte first) is right."""
    frame = bytes.fromhex(text)
    body, sent = frame[:-2], int.from_bytes(frame[-2:], "little")
    computed = crc16_modbus(body)
    if sent != computed:
        raise AssertionError(f"{text}: CRC says {sent:04X}, the bytes give {computed:04X}")
    return RtuFrame(unit=body[0], pdu=body[1:])


def rtu(unit: int, pdu: bytes) -> bytes:
    body = bytes([unit]) + pdu
    return body + crc16_modbus(body).to_bytes(2, "little")
