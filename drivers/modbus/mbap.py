"""Modbus TCP framing: the 7-byte MBAP header and an incremental decoder.

TCP is a byte stream: one ``read`` may hold half a frame or three of them, so
frames are cut by the header's length field, never by read boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.modbus.errors import FrameError

HEADER_LEN = 7
MAX_PDU_LEN = 253
"""The Modbus PDU limit inherited from RS-485 (256-byte ADU minus address and CRC)."""


@dataclass(frozen=True, slots=True)
class Frame:
    transaction_id: int
    unit: int
    pdu: bytes


def encode(transaction_id: int, unit: int, pdu: bytes) -> bytes:
    if not 0 <= transaction_id <= 0xFFFF:
        raise ValueError(f"transaction id: expected 0..65535, found {transaction_id}")
    if not 0 <= unit <= 0xFF:
        raise ValueError(f"unit: expected 0..255, found {unit}")
    if not 1 <= len(pdu) <= MAX_PDU_LEN:
        raise ValueError(f"PDU: expected 1..{MAX_PDU_LEN} bytes, found {len(pdu)}")
    length = len(pdu) + 1  # the length field counts the unit byte too
    return (
        transaction_id.to_bytes(2, "big")
        + b"\x00\x00"
        + length.to_bytes(2, "big")
        + bytes([unit])
        + pdu
    )


class MbapDecoder:
    """Feed it bytes as they arrive; it returns the frames completed so far.

    After a :class:`FrameError` the stream has lost its framing for good (there
    is no marker to resynchronise on), so the connection must be dropped.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a complete frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= HEADER_LEN:
            protocol = int.from_bytes(self._buffer[2:4], "big")
            length = int.from_bytes(self._buffer[4:6], "big")
            if protocol != 0:
                raise FrameError(f"MBAP protocol id: expected 0, found {protocol}")
            if not 2 <= length <= MAX_PDU_LEN + 1:
                raise FrameError(f"MBAP length: expected 2..{MAX_PDU_LEN + 1}, found {length}")
            end = HEADER_LEN - 1 + length
            if len(self._buffer) < end:
                break
            frames.append(
                Frame(
                    transaction_id=int.from_bytes(self._buffer[0:2], "big"),
                    unit=self._buffer[6],
                    pdu=bytes(self._buffer[HEADER_LEN:end]),
                )
            )
            del self._buffer[:end]
        return frames

    def reset(self) -> None:
        self._buffer.clear()
