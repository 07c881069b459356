"""The protobuf wire format, as much of it as Sparkplug B payloads use.

Fields are (number << 3 | wire type) keys followed by a varint, 8 or 4
little-endian bytes, or a length-prefixed byte string (strings, bytes and
nested messages). Decoding skips what it does not know, as protobuf requires.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

VARINT = 0
FIXED64 = 1
LENGTH = 2
FIXED32 = 5

_U64 = (1 << 64) - 1


class DecodeError(ValueError):
    """Bytes that are not a protobuf message."""


def varint(value: int) -> bytes:
    """Unsigned LEB128; a negative int64 is sent as its 64-bit two's complement."""
    value &= _U64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def uint_field(number: int, value: int) -> bytes:
    return _key(number, VARINT) + varint(value)


def bool_field(number: int, value: bool) -> bytes:
    return _key(number, VARINT) + (b"\x01" if value else b"\x00")


def double_field(number: int, value: float) -> bytes:
    return _key(number, FIXED64) + struct.pack("<d", value)


def bytes_field(number: int, value: bytes) -> bytes:
    return _key(number, LENGTH) + varint(len(value)) + value


def string_field(number: int, value: str) -> bytes:
    return bytes_field(number, value.encode())


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise DecodeError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & _U64, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint longer than 10 bytes")


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(number, wire type, value) of each field: an int, or the raw bytes of
    fixed-width and length-delimited fields."""
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire_type == VARINT:
            value, pos = _read_varint(data, pos)
            yield number, wire_type, value
            continue
        if wire_type == LENGTH:
            size, pos = _read_varint(data, pos)
        elif wire_type == FIXED64:
            size = 8
        elif wire_type == FIXED32:
            size = 4
        else:
            raise DecodeError(f"field {number}: unsupported wire type {wire_type}")
        if pos + size > len(data):
            raise DecodeError(f"field {number}: truncated")
        yield number, wire_type, data[pos : pos + size]
        pos += size
