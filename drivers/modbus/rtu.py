"""Modbus RTU framing: unit id + PDU + CRC, and checking a reply against its request.

RTU frames carry no length field and no transaction id. The end of a reply is
known from the request: after the first three bytes (unit, function, byte
count) its length follows from the function code, so a reply is complete the
moment its last byte arrives instead of after 3.5 characters of silence. Only
the unit id, the function code and the CRC say which request a reply answers,
so every one of them is checked.
"""

from __future__ import annotations

from drivers.modbus.crc import crc16, crc_bytes
from drivers.modbus.errors import FrameError
from drivers.modbus.pdu import EXCEPTION_FLAG

MAX_ADU_LEN = 256
"""Unit id + at most 253 PDU bytes + 2 CRC bytes, the RS-485 limit the whole protocol inherits."""
MIN_ADU_LEN = 4
HEAD_LEN = 3
"""Bytes of a reply needed to know its length: unit, function, byte count (or address high)."""
EXCEPTION_LEN = 5
WRITE_ECHO_LEN = 8
BROADCAST_UNIT = 0
FIXED_SILENCE_ABOVE_19200_S = 0.00175
"""Above 19200 baud the specification fixes the 3.5-character silence at 1.75 ms."""

# Replies whose third byte counts the data bytes that follow it.
_BYTE_COUNTED = frozenset({1, 2, 3, 4, 12, 17, 20, 21, 23})
# Replies of fixed length: writes echo address and value or count; FC 8 echoes
# its sub-function and data; FC 11 returns status and event count; FC 22 echoes
# address and both masks.
_FIXED_LENGTH = {5: 8, 6: 8, 8: 8, 11: 8, 15: 8, 16: 8, 22: 10}
_READS = frozenset({1, 2, 3, 4})


def encode(unit: int, pdu: bytes) -> bytes:
    """The ADU for ``pdu`` addressed to ``unit`` (0 broadcasts to every slave)."""
    if not 0 <= unit <= 0xFF:
        raise ValueError(f"unit: expected 0..255, found {unit}")
    if not 1 <= len(pdu) <= MAX_ADU_LEN - 3:
        raise ValueError(f"PDU: expected 1..{MAX_ADU_LEN - 3} bytes, found {len(pdu)}")
    frame = bytes([unit]) + pdu
    return frame + crc_bytes(frame)


def silent_interval_s(baudrate: int, char_time_s: float) -> float:
    """The silence that separates two frames: 3.5 characters, or 1.75 ms above 19200 baud."""
    if baudrate > 19200:
        return FIXED_SILENCE_ABOVE_19200_S
    return 3.5 * char_time_s


def response_length(head: bytes) -> int | None:
    """Total length of a reply from its first :data:`HEAD_LEN` bytes; None if the
    function is one whose length cannot be known, so the frame ends at silence."""
    if len(head) < HEAD_LEN:
        raise ValueError(f"expected {HEAD_LEN} head bytes, found {len(head)}")
    function = head[1]
    if function & EXCEPTION_FLAG:
        return EXCEPTION_LEN
    if function in _BYTE_COUNTED:
        return HEAD_LEN + head[2] + 2
    return _FIXED_LENGTH.get(function)


def expected_response_length(request_pdu: bytes) -> int | None:
    """Length of the normal (non-exception) reply to ``request_pdu``; None if unknown."""
    if not request_pdu:
        raise ValueError("empty request PDU")
    function = request_pdu[0]
    if function in _READS:
        return HEAD_LEN + _read_byte_count(request_pdu) + 2
    return _FIXED_LENGTH.get(function)


def decode_response(unit: int, request_pdu: bytes, frame: bytes) -> bytes:
    """The PDU of ``frame`` if it is a well-formed reply from ``unit`` to
    ``request_pdu`` (an exception reply included); FrameError naming the first
    thing found wrong otherwise. The CRC is checked first: if it fails, every
    other field may be noise."""
    if len(frame) < MIN_ADU_LEN:
        raise FrameError(
            f"short frame: {len(frame)} bytes ({frame.hex(' ')}), "
            f"an RTU reply has at least {EXCEPTION_LEN}"
        )
    check_crc(frame)
    if frame[0] != unit:
        raise FrameError(f"unit {frame[0]} answered, expected unit {unit}")
    function = request_pdu[0]
    answered = frame[1]
    if answered == function | EXCEPTION_FLAG:
        if len(frame) != EXCEPTION_LEN:
            raise FrameError(
                f"function {function}: exception reply must be {EXCEPTION_LEN} bytes, "
                f"found {len(frame)}"
            )
        return frame[1:-2]
    if answered != function:
        raise FrameError(f"function {answered} answered, expected function {function}")
    if function in _READS:
        expected_count = _read_byte_count(request_pdu)
        if frame[2] != expected_count:
            raise FrameError(
                f"function {function}: byte count {frame[2]}, expected {expected_count}"
            )
    expected = expected_response_length(request_pdu)
    if expected is not None and len(frame) != expected:
        raise FrameError(f"function {function}: reply of {len(frame)} bytes, expected {expected}")
    return frame[1:-2]


def check_crc(frame: bytes) -> None:
    """FrameError unless the last two bytes of ``frame`` are the CRC of the rest."""
    if len(frame) < MIN_ADU_LEN:
        raise FrameError(f"short frame: {len(frame)} bytes, no room for a CRC")
    received = int.from_bytes(frame[-2:], "little")
    computed = crc16(frame[:-2])
    if received != computed:
        raise FrameError(f"CRC 0x{received:04X} != computed 0x{computed:04X}")


def _read_byte_count(request_pdu: bytes) -> int:
    if len(request_pdu) != 5:
        raise ValueError(
            f"expected a 5-byte read request PDU, found {request_pdu.hex(' ') or 'nothing'}"
        )
    count = int.from_bytes(request_pdu[3:5], "big")
    return (count + 7) // 8 if request_pdu[0] in (1, 2) else 2 * count
