"""Building a client from a configured bus: the right kind, and clear refusals."""

from __future__ import annotations

import pytest

from drivers.modbus.clients import open_modbus_client
from drivers.modbus.rtu_client import ModbusRtuClient
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.serial_link import SerialLink
from drivers.tcp_link import TcpLink


async def test_modbus_tcp() -> None:
    client = open_modbus_client("modbus_tcp", name="gx", host="192.0.2.1", port=502, timeout_s=2)
    assert isinstance(client, ModbusTcpClient)
    assert (client.endpoint, client.timeout_s, client.name) == ("192.0.2.1:502", 2, "gx")


async def test_modbus_rtu_on_a_serial_port() -> None:
    client = open_modbus_client(
        "modbus_rtu",
        name="field",
        port="/dev/ttyUSB0",
        baudrate=19200,
        parity="E",
        rs485_rts=True,
        frame_gap_ms=5,
    )
    assert isinstance(client, ModbusRtuClient)
    link = client.link
    assert isinstance(link, SerialLink)
    assert (link.port, link.settings.describe(), link.rs485_rts) == (
        "/dev/ttyUSB0",
        "19200 8E1",
        True,
    )
    assert client.frame_gap_s == 0.005
    assert not link.is_open  # nothing is opened until the first request


async def test_modbus_rtu_over_tcp_keeps_the_serial_lines_timing() -> None:
    client = open_modbus_client(
        "modbus_rtu_over_tcp", name="srv", host="10.0.0.7", port=4001, baudrate=4800
    )
    assert isinstance(client, ModbusRtuClient)
    assert isinstance(client.link, TcpLink)
    assert client.frame_gap_s == pytest.approx(3.5 * 10 / 4800)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "modbus_rtu", "port": 502},
            "bus b: modbus_rtu needs port = a serial device path, found 502",
        ),
        (
            {"kind": "modbus_rtu", "port": "/dev/ttyS0", "host": "x"},
            "bus b: modbus_rtu uses a local serial port, host must not be set",
        ),
        ({"kind": "modbus_tcp", "port": 502}, "bus b: modbus_tcp needs host, found None"),
        (
            {"kind": "modbus_tcp", "host": "h", "port": "/dev/ttyS0"},
            "bus b: modbus_tcp needs port = 1..65535, found '/dev/ttyS0'",
        ),
        (
            {"kind": "modbus_tcp", "host": "h", "port": 502, "frame_gap_ms": 4},
            "bus b: frame_gap_ms only applies to RTU, not to modbus_tcp",
        ),
        (
            {"kind": "modbus_rtu_over_tcp", "host": "h", "port": 4001, "rs485_rts": True},
            "bus b: rs485_rts only applies to a local serial port, not to modbus_rtu_over_tcp",
        ),
        (
            {"kind": "modbus_rtu_over_tcp", "host": "h", "port": 4001, "parity": "X"},
            "bus b: parity: expected one of N, E, O, found 'X'",
        ),
        (
            {"kind": "modbus_rtu", "port": "/dev/ttyS0", "stopbits": 3},
            "b: /dev/ttyS0: stopbits: expected 1 or 2, found 3",
        ),
        ({"kind": "modbus_ascii", "host": "h", "port": 1}, "bus b: kind: expected one of"),
    ],
)
def test_impossible_settings_are_refused_naming_the_bus(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.")):
        open_modbus_client(name="b", **kwargs)  # type: ignore[arg-type]
