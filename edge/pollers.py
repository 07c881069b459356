"""Turning the configured buses and devices into driver objects.

One poller per physical bus: the drivers serialise every request on a bus, so
two devices on one RS-485 line or one TCP endpoint never race.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.lines.reader import LineDeviceReader
from drivers.lines.serial_source import serial_source_factory
from drivers.modbus.client import ModbusClient
from drivers.modbus.clients import open_modbus_client
from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.write import OnAudit, WriteResult
from drivers.profile import load_profile
from drivers.reading import Emit
from drivers.serial_settings import SerialSettings
from edge.config import Config
from edge.config.schema import (
    Device,
    ModbusRtuBus,
    ModbusRtuOverTcpBus,
    ModbusTcpBus,
    SerialLinesBus,
)

log = logging.getLogger(__name__)

Write = Callable[..., Awaitable[WriteResult]]


class UnknownDeviceError(LookupError):
    pass


@dataclass
class BusRunner:
    """What the supervisor runs for one bus, and how to reach its devices."""

    bus_id: str
    devices: frozenset[str]
    run: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    device_states: Callable[[], dict[str, dict[str, Any]]]
    write: Write | None = None


@dataclass
class PollerSet:
    runners: list[BusRunner] = field(default_factory=list)

    def runner_of(self, device_id: str) -> BusRunner:
        for runner in self.runners:
            if device_id in runner.devices:
                return runner
        raise UnknownDeviceError(f"no polled device named {device_id!r}")

    async def write(
        self, device_id: str, point: str, value: float | str, *, actor: str, verify: bool = True
    ) -> WriteResult:
        """Write through the device's bus; raises UnknownDeviceError or WriteRejected."""
        runner = self.runner_of(device_id)
        if runner.write is None:
            raise UnknownDeviceError(f"device {device_id!r} is on a bus that takes no writes")
        return await runner.write(device_id, point, value, actor=actor, verify=verify)


def build_pollers(config: Config, emit: Emit, on_audit: OnAudit | None = None) -> PollerSet:
    result = PollerSet()
    extra_dirs = list(config.profiles.extra_dirs)
    for bus_id, bus in config.buses.items():
        devices = [
            (dev_id, dev)
            for dev_id, dev in config.devices.items()
            if dev.bus == bus_id and dev.enabled
        ]
        if not devices:
            continue
        if isinstance(bus, SerialLinesBus):
            # Config validation guarantees one device per serial line.
            dev_id, dev = devices[0]
            result.runners.append(_line_reader(bus_id, bus, dev_id, dev, extra_dirs, emit))
            continue
        polled = [
            PolledDevice(
                id=dev_id,
                profile=load_profile(dev.profile, extra_dirs),
                unit=dev.unit if dev.unit is not None else 1,
                poll_interval_s=dev.poll_interval_s,
            )
            for dev_id, dev in devices
        ]
        poller = ModbusPoller(bus_id, _client_for(bus_id, bus), polled, emit, on_audit=on_audit)
        result.runners.append(
            BusRunner(
                bus_id=bus_id,
                devices=frozenset(d.id for d in polled),
                run=poller.run,
                close=poller.close,
                device_states=_device_states_of(poller),
                write=poller.write,
            )
        )
    return result


def _line_reader(
    bus_id: str, bus: SerialLinesBus, dev_id: str, dev: Device, extra_dirs: list[Path], emit: Emit
) -> BusRunner:
    settings = SerialSettings(
        baudrate=bus.baudrate, parity=bus.parity, stopbits=bus.stopbits, bytesize=bus.bytesize
    )
    reader = LineDeviceReader(
        dev_id,
        load_profile(dev.profile, extra_dirs),
        serial_source_factory(bus.port, settings, name=bus_id),
        emit,
    )
    return BusRunner(
        bus_id=bus_id,
        devices=frozenset({dev_id}),
        run=reader.run,
        close=reader.close,
        device_states=lambda: {dev_id: reader.as_dict()},
    )


def _client_for(
    bus_id: str, bus: ModbusTcpBus | ModbusRtuOverTcpBus | ModbusRtuBus
) -> ModbusClient:
    if isinstance(bus, ModbusTcpBus):
        return open_modbus_client(
            "modbus_tcp", name=bus_id, host=bus.host, port=bus.port, timeout_s=bus.timeout_s
        )
    if isinstance(bus, ModbusRtuBus):
        return open_modbus_client(
            "modbus_rtu",
            name=bus_id,
            port=bus.port,
            rs485_rts=bus.rs485_rts,
            baudrate=bus.baudrate,
            parity=bus.parity,
            stopbits=bus.stopbits,
            bytesize=bus.bytesize,
            timeout_s=bus.timeout_s,
            frame_gap_ms=bus.frame_gap_ms,
        )
    # The serial server's line settings set the RTU frame timing, not the socket.
    return open_modbus_client(
        "modbus_rtu_over_tcp",
        name=bus_id,
        host=bus.host,
        port=bus.port,
        baudrate=bus.baudrate,
        parity=bus.parity,
        stopbits=bus.stopbits,
        bytesize=bus.bytesize,
        timeout_s=bus.timeout_s,
        frame_gap_ms=bus.frame_gap_ms,
    )


def _device_states_of(poller: ModbusPoller) -> Callable[[], dict[str, dict[str, Any]]]:
    def device_states() -> dict[str, dict[str, Any]]:
        return {dev: state.as_dict() for dev, state in poller.states().items()}

    return device_states
