"""What can go wrong talking Modbus, one class per kind the health counters tell apart."""

from __future__ import annotations

EXCEPTION_NAMES: dict[int, str] = {
    0x01: "illegal function",
    0x02: "illegal data address",
    0x03: "illegal data value",
    0x04: "server device failure",
    0x05: "acknowledge",
    0x06: "server device busy",
    0x07: "negative acknowledge",
    0x08: "memory parity error",
    0x0A: "gateway path unavailable",
    0x0B: "gateway target device failed to respond",
}


class ModbusError(Exception):
    """Base of every error the Modbus layers raise."""


class ModbusException(ModbusError):  # noqa: N818 - the protocol's own name for it
    """The device answered, with a Modbus exception response (function | 0x80)."""

    def __init__(self, function: int, code: int) -> None:
        self.function = function
        self.code = code
        self.name = EXCEPTION_NAMES.get(code, "unknown exception code")
        super().__init__(f"function {function}: exception {code:#04x} ({self.name})")


class FrameError(ModbusError):
    """Bytes arrived that are not a well-formed answer to the request."""


class TransportError(ModbusError):
    """No conversation possible: not connected, connection lost, or backing off."""


class RequestTimeoutError(ModbusError):
    """The request was sent but no matching reply came within the timeout."""
