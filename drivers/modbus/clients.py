"""Building the Modbus client for one configured bus: the one place that knows every kind.

``modbus_tcp`` speaks Modbus TCP (MBAP framing) to a device or gateway;
``modbus_rtu`` speaks RTU on a local serial port (``port`` is its device path);
``modbus_rtu_over_tcp`` speaks the same RTU frames through a TCP serial server,
whose serial line settings still decide the inter-frame gap. Clients open
lazily on their first request, so building one never touches the hardware.
"""

from __future__ import annotations

from typing import Literal

from drivers.modbus.client import ModbusClient
from drivers.modbus.rtu_client import ModbusRtuClient
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.serial_link import SerialLink
from drivers.serial_settings import SerialSettings
from drivers.tcp_link import TcpLink

ClientKind = Literal["modbus_tcp", "modbus_rtu", "modbus_rtu_over_tcp"]
KINDS: tuple[ClientKind, ...] = ("modbus_tcp", "modbus_rtu", "modbus_rtu_over_tcp")


def open_modbus_client(
    kind: ClientKind,
    *,
    name: str,
    host: str | None = None,
    port: int | str | None = None,
    baudrate: int = 9600,
    parity: str = "N",
    stopbits: int = 1,
    bytesize: int = 8,
    rs485_rts: bool = False,
    timeout_s: float = 1.0,
    frame_gap_ms: float | None = None,
) -> ModbusClient:
    """The client for bus ``name``; ValueError naming the bus and the setting if the
    combination cannot work (a TCP kind without host, a serial port given as a number)."""
    if kind == "modbus_rtu":
        if not isinstance(port, str) or not port:
            raise ValueError(
                f"bus {name}: modbus_rtu needs port = a serial device path, found {port!r}"
            )
        if host is not None:
            raise ValueError(
                f"bus {name}: modbus_rtu uses a local serial port, host must not be set"
            )
        link = SerialLink(
            port,
            baudrate=baudrate,
            parity=parity,
            stopbits=stopbits,
            bytesize=bytesize,
            rs485_rts=rs485_rts,
            name=name,
        )
        return ModbusRtuClient(link, name=name, timeout_s=timeout_s, frame_gap_ms=frame_gap_ms)
    if kind not in KINDS:
        raise ValueError(f"bus {name}: kind: expected one of {', '.join(KINDS)}, found {kind!r}")
    if not host:
        raise ValueError(f"bus {name}: {kind} needs host, found {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"bus {name}: {kind} needs port = 1..65535, found {port!r}")
    if rs485_rts:
        raise ValueError(
            f"bus {name}: rs485_rts only applies to a local serial port, not to {kind}"
        )
    if kind == "modbus_tcp":
        if frame_gap_ms is not None:
            raise ValueError(f"bus {name}: frame_gap_ms only applies to RTU, not to modbus_tcp")
        return ModbusTcpClient(host, port, timeout_s=timeout_s, name=name)
    try:
        settings = SerialSettings(baudrate, parity, stopbits, bytesize)
    except ValueError as exc:
        raise ValueError(f"bus {name}: {exc}") from None
    tcp_link = TcpLink(host, port, name=name, settings=settings)
    return ModbusRtuClient(tcp_link, name=name, timeout_s=timeout_s, frame_gap_ms=frame_gap_ms)
