"""Turning the configured buses and devices into driver objects.

One poller per physical bus: the drivers serialise every request on a bus, so
two devices on one RS-485 line or one TCP endpoint never race.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.modbus.poller import ModbusPoller, PolledDevice
from drivers.modbus.tcp_client import ModbusTcpClient
from drivers.profile import load_profile
from drivers.reading import Emit
from edge.config import Config

log = logging.getLogger(__name__)


@dataclass
class BusRunner:
    """What the supervisor runs for one bus, and how to read its devices' health."""

    bus_id: str
    run: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    device_states: Callable[[], dict[str, dict[str, Any]]]


@dataclass
class PollerSet:
    runners: list[BusRunner] = field(default_factory=list)
    # Buses this version cannot drive yet, with the reason: shown on the health
    # endpoint so an operator sees why a device has no readings.
    unsupported: dict[str, str] = field(default_factory=dict)


def build_pollers(config: Config, emit: Emit) -> PollerSet:
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
        if bus.type != "modbus_tcp":
            reason = f"bus type {bus.type!r} is not supported by this version yet"
            log.warning("bus %r: %s; its %d device(s) are not polled", bus_id, reason, len(devices))
            result.unsupported[bus_id] = reason
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
        client = ModbusTcpClient(bus.host, bus.port, timeout_s=bus.timeout_s, name=bus_id)
        poller = ModbusPoller(bus_id, client, polled, emit)
        result.runners.append(
            BusRunner(
                bus_id=bus_id,
                run=poller.run,
                close=poller.close,
                device_states=_device_states_of(poller),
            )
        )
    return result


def _device_states_of(poller: ModbusPoller) -> Callable[[], dict[str, dict[str, Any]]]:
    def device_states() -> dict[str, dict[str, Any]]:
        return {dev: state.as_dict() for dev, state in poller.states().items()}

    return device_states
