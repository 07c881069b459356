"""One simulator process: the world, every device on its transport, faults, missions, control.

A scheduler ticks ten times a second: it moves the world to the clock's
simulated time, starts and ends faults, runs the cart watchdogs, silences
drone batteries that are not docked, and sends the vehicles' progress out.
Devices are not updated by the ticker: each refreshes its registers from the
world at the instant a request arrives (``RegisterBank.before_read``), so a
process serves many devices at little cost when they are polled slowly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.cart_controller import CartController
from sim.clock import Clock, ScaledClock
from sim.drone_battery import DroneBattery
from sim.fault_state import DeviceFaults, Targets, combine
from sim.faults import FaultBoard, ScheduledFault
from sim.gps_port import GpsPort
from sim.gps_receiver import GpsReceiver
from sim.mission import MissionError, parse_mission
from sim.modbus_server import SimModbusServer
from sim.mqtt_link import MqttLink
from sim.nmea_out import progress
from sim.register_bank import RegisterBank
from sim.rtu_bus import RtuBus
from sim.rtu_slave import SimSlave, SlaveFaults
from sim.rtu_tty import SimTty
from sim.scenario import BusScenario, BusType, DeviceRole, DeviceScenario, Scenario
from sim.sensor_device import SensorDevice, Values, soil_values, weather_values
from sim.vehicle import ProgressEvent
from sim.world import World

log = logging.getLogger(__name__)

TICK_S = 0.1
STATE_PERIOD_S = 1.0
KEPT_EVENTS = 200

DeviceModel = SensorDevice | CartController | DroneBattery


@dataclass
class ModbusDevice:
    spec: DeviceScenario
    bank: RegisterBank
    model: DeviceModel


class RtuLine:
    """A simulated RS-485 line that can be unplugged and plugged back at the same path."""

    def __init__(self, spec: BusScenario, slaves: list[SimSlave], link: Path) -> None:
        self.spec = spec
        self.slaves = slaves
        self.link = link
        self.bus: RtuBus | None = None

    def up(self) -> None:
        if self.bus is not None:
            return
        self.link.parent.mkdir(parents=True, exist_ok=True)
        line = SimTty.create_pty(self.link)
        bus = RtuBus(
            self.slaves,
            baudrate=self.spec.baudrate,
            parity=self.spec.parity,
            stopbits=self.spec.stopbits,
            bytesize=self.spec.bytesize,
        )
        bus.start(line)
        self.bus = bus

    async def down(self) -> None:
        bus, self.bus = self.bus, None
        if bus is not None:
            await bus.stop()


class Simulation:
    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        speed: float | None = None,
        clock: Clock | None = None,
        runtime_dir: Path | None = None,
        use_mqtt: bool = True,
    ) -> None:
        self.scenario = scenario
        self.world = World(scenario, seed=seed)
        self.seed = self.world.seed
        self.clock: Clock = clock or ScaledClock(
            self.world.start_ts, speed if speed is not None else scenario.clock.speed
        )
        self.board = FaultBoard(self.world.start_ts, scenario.faults)
        self._own_dir = runtime_dir is None
        self.runtime_dir = runtime_dir or Path(tempfile.mkdtemp(prefix="kakashi-sim-"))
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        self.modbus: dict[str, ModbusDevice] = {}
        self.gps: dict[str, GpsPort] = {}
        self.tcp: dict[str, SimModbusServer] = {}
        self.rtu: dict[str, RtuLine] = {}
        self._slaves: dict[str, SimSlave] = {}
        self._device_faults: dict[str, DeviceFaults] = {}
        self._buses_down: set[str] = set()
        self.events: dict[str, deque[ProgressEvent]] = {
            vid: deque(maxlen=KEPT_EVENTS) for vid in self.world.vehicles
        }
        self._gps_of_vehicle: dict[str, GpsPort] = {}
        self.mqtt: MqttLink | None = None
        self._use_mqtt = use_mqtt and scenario.mqtt is not None
        self.control_address: tuple[str, int] | None = None
        self._control: Any = None
        self._last_state = 0.0
        self._started = False
        self._controllers: list[CartController] = []
        self._batteries: list[str] = []
        self._build_devices()

    # ---- building ----

    def synced_now(self) -> float:
        """Simulated time now, the whole world brought up to it (the ticker, the API)."""
        now = self.clock.now()
        self.world.advance_to(now)
        return now

    def sync(self) -> None:
        self.world.advance_to(self.clock.now())

    def vehicle_sync(self, vehicle_id: str) -> Callable[[], None]:
        """Brings one vehicle up to now: what a device on that vehicle needs before a read.
        (Sensors need nothing: fields compute the days they are asked for.)"""
        vehicle = self.world.vehicles[vehicle_id]

        def sync() -> None:
            vehicle.advance_to(self.clock.now())

        return sync

    def vehicle_now(self, vehicle_id: str) -> Callable[[], float]:
        sync = self.vehicle_sync(vehicle_id)

        def now() -> float:
            sync()
            return self.clock.now()

        return now

    def _build_devices(self) -> None:
        for spec in self.scenario.devices.values():
            if spec.role is DeviceRole.GPS:
                assert spec.vehicle is not None
                bus = self.scenario.buses[spec.bus]
                receiver = GpsReceiver(
                    spec.id,
                    self.world.vehicles[spec.vehicle],
                    self.seed,
                    self.scenario.site.elevation_m,
                )
                port = GpsPort(
                    spec.id,
                    receiver,
                    rate_hz=spec.rate_hz,
                    link=bus.link or self.runtime_dir / bus.id,
                    now=self.vehicle_now(spec.vehicle),
                    on_mission=functools.partial(self.handle_mission, spec.vehicle),
                    seed=self.seed,
                )
                self.gps[spec.id] = port
                self._gps_of_vehicle[spec.vehicle] = port
                continue
            bank = RegisterBank(spec.profile)
            model = self._model(spec, bank)
            self.modbus[spec.id] = ModbusDevice(spec, bank, model)
            if isinstance(model, CartController):
                self._controllers.append(model)
            elif isinstance(model, DroneBattery):
                self._batteries.append(spec.id)

    def _model(self, spec: DeviceScenario, bank: RegisterBank) -> DeviceModel:
        if spec.role is DeviceRole.SOIL_PROBE:
            assert spec.field is not None
            sensing, depth = self.world.sensing[spec.field], spec.depth_m

            def soil(ts: float) -> Values:
                return soil_values(sensing.sample(ts, depth))

            return SensorDevice(spec.id, bank, soil, self.clock.now, self.seed)
        if spec.role is DeviceRole.WEATHER_STATION:

            def weather(ts: float) -> Values:
                return weather_values(self.world.weather_at(ts))

            return SensorDevice(spec.id, bank, weather, self.clock.now, self.seed)
        assert spec.vehicle is not None
        vehicle = self.world.vehicles[spec.vehicle]
        sync = self.vehicle_sync(spec.vehicle)
        if spec.role is DeviceRole.CART_CONTROLLER:
            return CartController(spec.id, bank, vehicle, sync)
        return DroneBattery(spec.id, bank, vehicle, sync, self.seed)

    # ---- lifecycle ----

    async def start(self) -> dict[str, Any]:
        """Open every transport; return the endpoints (also :meth:`endpoints`)."""
        from sim.control_api import ControlApi
        from sim.control_server import ControlServer

        try:
            for bus in self.scenario.buses.values():
                await self._open_bus(bus)
            api = ControlApi(self)
            self._control = ControlServer(
                api.handle, self.scenario.control.host, self.scenario.control.port
            )
            self.control_address = await self._control.start()
            if self._use_mqtt and self.scenario.mqtt is not None:
                self.mqtt = MqttLink(
                    self.scenario.mqtt,
                    list(self.world.vehicles),
                    self.handle_mission,
                    f"kakashi-sim-{self.scenario.site.id}",
                )
                self.mqtt.start()
        except BaseException:
            await self.close()
            raise
        self._started = True
        await self.tick()
        return self.endpoints()

    async def _open_bus(self, bus: BusScenario) -> None:
        devices = [d for d in self.modbus.values() if d.spec.bus == bus.id]
        if bus.type is BusType.MODBUS_TCP:
            units = {d.spec.unit: d.bank for d in devices if d.spec.unit is not None}
            if not units:
                return
            server = SimModbusServer(units, host=bus.host, port=bus.port)
            if bus.latency_ms > 0:
                for unit in units:
                    server.late[unit] = bus.latency_ms / 1000.0
            await server.start()
            self.tcp[bus.id] = server
        elif bus.type is BusType.MODBUS_RTU:
            slaves = []
            for d in devices:
                assert d.spec.unit is not None
                slave = SimSlave(d.spec.unit, d.bank, bus.latency_ms / 1000.0)
                self._slaves[d.spec.id] = slave
                slaves.append(slave)
            line = RtuLine(bus, slaves, bus.link or self.runtime_dir / bus.id)
            line.up()
            self.rtu[bus.id] = line
        else:
            for port in self.gps.values():
                if self.scenario.devices[port.id].bus == bus.id:
                    port.start()

    async def close(self) -> None:
        if self.mqtt is not None:
            await self.mqtt.stop()
            self.mqtt = None
        if self._control is not None:
            await self._control.stop()
            self._control = None
        for server in self.tcp.values():
            await server.stop()
        self.tcp.clear()
        for line in self.rtu.values():
            await line.down()
        self.rtu.clear()
        for port in self.gps.values():
            await port.stop()
        if self._own_dir:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TICK_S)

    # ---- the scheduler ----

    async def tick(self) -> None:
        now = self.synced_now()
        change = self.board.update(now)
        if change is not None:
            await self._apply_faults(now, change[0])
            self._apply_transport_state(self.modbus)
        for controller in self._controllers:
            controller.check_watchdog()
        # Only a drone battery's silence changes without a fault (take-off, landing).
        self._apply_transport_state(self._batteries)
        self.flush_events()
        if self.mqtt is not None and time.monotonic() - self._last_state >= STATE_PERIOD_S:
            self._last_state = time.monotonic()
            for vid, state in self.world.state()["vehicles"].items():
                self.mqtt.publish(self.mqtt.topic(vid, "state"), state, qos=0, retain=True)

    async def _apply_faults(self, now: float, started: list[ScheduledFault]) -> None:
        targets: Targets = combine(self.board.active(now))
        controllers = {c.vehicle.id: c for c in self._controllers}
        for fault in started:
            log.info("fault %d begins: %s on %s", fault.id, fault.spec.kind, fault.spec.target)
            if fault.spec.kind == "low_battery":
                self.world.vehicles[fault.spec.target].set_soc(float(fault.spec.params["soc"]), now)
            elif fault.spec.kind == "bumper":
                controllers[fault.spec.target].bump()
        for vid, controller in controllers.items():
            controller.press_button(vid in targets.buttons_pressed)
        self._device_faults = targets.devices
        for vid, vehicle in self.world.vehicles.items():
            vehicle.faults = set(targets.vehicle_faults.get(vid, set()))
        for device_id, device in self.modbus.items():
            faults = targets.devices.get(device_id, DeviceFaults())
            if isinstance(device.model, SensorDevice):
                device.model.set_faults(faults.stuck, faults.spikes)
        for device_id, port in self.gps.items():
            faults = targets.devices.get(device_id, DeviceFaults())
            port.offline = faults.silent
            port.garble_rate = faults.garble_rate
            port.truncate_rate = faults.truncate_rate
            port.receiver.skew_s = faults.skew_s
        for bus_id in set(self.scenario.buses):
            down = bus_id in targets.buses_down
            if down and bus_id not in self._buses_down:
                await self._bus_down(bus_id)
            elif not down and bus_id in self._buses_down:
                await self._bus_up(bus_id)
        self._buses_down = set(targets.buses_down)

    def _apply_transport_state(self, devices: Iterable[str]) -> None:
        """Push the device faults (and undocked batteries' silence) to the transports."""
        for device_id in devices:
            device = self.modbus[device_id]
            faults = self._device_faults.get(device_id, DeviceFaults())
            silent = faults.silent or (
                isinstance(device.model, DroneBattery) and not device.model.answering
            )
            unit = device.spec.unit
            assert unit is not None
            slave = self._slaves.get(device_id)
            if slave is not None:
                slave.faults = SlaveFaults(
                    silent=silent,
                    late_s=faults.late_s,
                    wrong_unit=faults.wrong_unit,
                    corrupt_crc=faults.corrupt_crc,
                    truncate_to=faults.truncate_to,
                    exception_code=faults.exception_code,
                )
                continue
            server = self.tcp.get(device.spec.bus)
            if server is None:
                continue
            if silent:
                server.silent.add(unit)
            else:
                server.silent.discard(unit)
            base = self.scenario.buses[device.spec.bus].latency_ms / 1000.0
            late = faults.late_s if faults.late_s is not None else base
            if late > 0:
                server.late[unit] = late
            else:
                server.late.pop(unit, None)
            _set_or_drop(server.exceptions, unit, faults.exception_code)
            _set_or_drop(server.wrong_unit, unit, faults.wrong_unit)
            _set_or_drop(server.truncate, unit, faults.truncate_to)

    async def _bus_down(self, bus_id: str) -> None:
        log.info("bus %s goes down", bus_id)
        if bus_id in self.tcp:
            await self.tcp[bus_id].stop()
        elif bus_id in self.rtu:
            await self.rtu[bus_id].down()
        for port in self.gps.values():
            if self.scenario.devices[port.id].bus == bus_id:
                port.close()

    async def _bus_up(self, bus_id: str) -> None:
        log.info("bus %s comes back", bus_id)
        if bus_id in self.tcp:
            await self.tcp[bus_id].start()
        elif bus_id in self.rtu:
            self.rtu[bus_id].up()
        for port in self.gps.values():
            if self.scenario.devices[port.id].bus == bus_id:
                port.open()

    # ---- missions and progress ----

    def handle_mission(self, vehicle_id: str, data: bytes) -> tuple[str | None, str | None]:
        """Give a vehicle a mission (JSON); (mission id, error or None)."""
        try:
            mission = parse_mission(data)
        except MissionError as exc:
            return exc.mission_id, str(exc)
        vehicle = self.world.vehicles.get(vehicle_id)
        if vehicle is None:
            return mission.mission_id, f"no vehicle {vehicle_id!r}"
        now = self.clock.now()
        vehicle.advance_to(now)
        try:
            vehicle.assign(mission, now)
        except MissionError as exc:
            return mission.mission_id, str(exc)
        # Sent once the caller has acknowledged the mission: the ack comes first.
        asyncio.get_running_loop().call_soon(self.flush_events)
        return mission.mission_id, None

    def flush_events(self) -> None:
        for vid, vehicle in self.world.vehicles.items():
            if not vehicle.events:
                continue
            events, vehicle.events = vehicle.events, []
            port = self._gps_of_vehicle.get(vid)
            for event in events:
                self.events[vid].append(event)
                if self.mqtt is not None:
                    self.mqtt.publish(self.mqtt.topic(vid, "progress"), event.to_json())
                if port is not None:
                    port.send(
                        progress(
                            vid,
                            event.mission_id,
                            event.event,
                            event.stop_index,
                            event.stop_id,
                            event.lat,
                            event.lon,
                            event.soc,
                            event.payload_kg,
                        )
                    )

    # ---- what a parent process needs to know ----

    def endpoints(self) -> dict[str, Any]:
        buses: dict[str, Any] = {}
        for bus in self.scenario.buses.values():
            if bus.type is BusType.MODBUS_TCP:
                server = self.tcp.get(bus.id)
                if server is None or server.address is None:
                    continue
                buses[bus.id] = {
                    "type": bus.type.value,
                    "host": server.address[0],
                    "port": server.address[1],
                }
            else:
                link = bus.link or self.runtime_dir / bus.id
                buses[bus.id] = {
                    "type": bus.type.value,
                    "port": str(link),
                    "baudrate": bus.baudrate,
                    "parity": bus.parity,
                    "stopbits": bus.stopbits,
                    "bytesize": bus.bytesize,
                }
        control = None
        if self.control_address is not None:
            control = {"host": self.control_address[0], "port": self.control_address[1]}
        mqtt = self.scenario.mqtt
        return {
            "scenario": str(self.scenario.path),
            "name": self.scenario.name,
            "seed": self.seed,
            "speed": getattr(self.clock, "speed", None),
            "start": dt.datetime.fromtimestamp(
                self.world.start_ts, self.world.timezone
            ).isoformat(),
            "buses": buses,
            "control": control,
            "mqtt": None
            if mqtt is None
            else {"host": mqtt.host, "port": mqtt.port, "base_topic": mqtt.base_topic},
            "runtime_dir": str(self.runtime_dir),
        }


def _set_or_drop(table: dict[int, int], unit: int, value: int | None) -> None:
    if value is None:
        table.pop(unit, None)
    else:
        table[unit] = value
