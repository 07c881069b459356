"""Kakashi's drone smart battery (``kakashi_drone_battery``), played by a simulated drone's pack.

The pack answers on its dock's RS-485 line only while the drone sits docked
(docs/devices.md: in flight it talks to the flight controller, not to
Kakashi), so a gateway polling it sees it go silent on take-off and come
back on landing. Every read is one snapshot of the pack: cells, current and
state of charge belong to the same instant.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.profile import Function
from sim import rng
from sim.register_bank import RegisterBank
from sim.vehicle import Vehicle

CELL_POINTS = [f"cell_{i:02d}" for i in range(1, 13)]
NO_CELL = 0xFFFF
OVERTEMPERATURE_C, UNDERTEMPERATURE_C = 60.0, 0.0


class DroneBattery:
    def __init__(
        self,
        device_id: str,
        bank: RegisterBank,
        vehicle: Vehicle,
        sync: Callable[[], None],
        seed: int,
    ) -> None:
        self.id = device_id
        self.bank = bank
        self.vehicle = vehicle
        self._sync = sync
        number = int(1_000_000 * rng.uniform(seed, "serial", vehicle.id))
        bank.set("serial_number", f"KKS-DB-{number:06d}")
        bank.before_read = self.refresh
        self.refresh()

    @property
    def answering(self) -> bool:
        return self.vehicle.docked

    def refresh(self) -> None:
        self._sync()
        pack = self.vehicle.pack
        b = self.bank
        cells = pack.cell_voltages()
        for i, name in enumerate(CELL_POINTS):
            point = b.profile.point(name)
            if i < len(cells):
                b.write(Function.INPUT, point.address, [round(cells[i] * 1000) & 0xFFFF])
            else:
                b.write(Function.INPUT, point.address, [NO_CELL])
        b.set("pack_voltage", pack.voltage())
        b.set("current", pack.current_a)
        b.set("soc", 100.0 * pack.soc)
        b.set("remaining_energy", pack.energy_wh)
        b.set("temperature", pack.temperature_c)
        b.set("cycle_count", min(65534.0, float(int(pack.cycles))))
        b.set("health", round(100.0 * pack.health))
        status = 0
        if pack.current_a > 0.2:
            status |= 1
            if pack.soc > 0.95:
                status |= 4  # balancing near the top of charge
        elif pack.current_a < -0.2:
            status |= 2
        if max(cells) > 4.35:
            status |= 8
        if min(cells) < 3.0:
            status |= 16
        if pack.temperature_c > OVERTEMPERATURE_C:
            status |= 64
        if pack.temperature_c < UNDERTEMPERATURE_C and pack.current_a > 0.2:
            status |= 128
        if max(cells) - min(cells) > 0.1:
            status |= 256
        if pack.health < 0.8 or pack.cycles > 800:
            status |= 512
        b.write(Function.INPUT, b.profile.point("charging").address, [status])
