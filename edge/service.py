"""The running gateway: wires configuration, drivers, storage and web under one supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.modbus.write import WriteAudit
from drivers.reading import Quality, Reading
from edge.bus import Bus
from edge.config import Config
from edge.forecasting import model_dir_of, run_forecaster
from edge.planner_worker import run_planner_worker
from edge.pollers import PollerSet, build_pollers
from edge.storage import Storage, run_writer
from edge.supervisor import Supervisor
from edge.uplink import build_uplink, outbox_policy
from edge.web.app import create_app
from edge.web.server import serve_web

if TYPE_CHECKING:
    # aiomqtt loads only when an uplink is configured.
    from edge.uplink.uplink import Uplink

log = logging.getLogger(__name__)

MAINTENANCE_PERIOD_S = 600.0
"""Roll-ups, retention and the disk budget are checked this often; the budget
is a ceiling with slack, not a byte-exact limit, so minutes are fine."""

STORAGE_QUEUE_BATCHES = 20
"""The writer's queue holds this many full batches: enough to ride out a slow
SD card for several seconds before readings are dropped (and counted)."""


STALE_AFTER_POLLS = 3
STALE_GRACE_S = 5.0
"""Slack for a slow bus, so a value does not flicker to stale between polls."""


def _stale_after_s(poll_interval_s: float) -> float:
    return STALE_AFTER_POLLS * poll_interval_s + STALE_GRACE_S


class Service:
    """One gateway process. Implements :class:`edge.web.view.ServiceView`."""

    def __init__(
        self,
        config: Config,
        *,
        on_web_listening: Callable[[str, int], None] | None = None,
    ) -> None:
        self.config = config
        self.site_name = config.site.name
        self._on_web_listening = on_web_listening
        self.bus: Bus[Reading] = Bus()
        self.supervisor = Supervisor()
        self.storage: Storage | None = None
        self.pollers = PollerSet()
        self.started_ts = time.time()
        self._audits: set[asyncio.Task[None]] = set()
        self.uplink: Uplink | None = None
        self._plan_wake = asyncio.Event()

    async def run(self, stop: asyncio.Event, *, shutdown_timeout_s: float = 15.0) -> bool:
        """Run until ``stop`` is set, then drain and flush. True if shutdown was clean."""
        cfg = self.config
        # With no uplink configured nothing is queued for one: an outbox that no
        # one drains would only eat the SD card.
        policy = outbox_policy(cfg) if cfg.mqtt.enabled else None
        storage = await asyncio.to_thread(
            Storage.open,
            Path(cfg.storage.path),
            raw_retention_days=cfg.storage.raw_retention_days,
            disk_budget_bytes=int(cfg.storage.disk_budget_mb * 1024 * 1024),
            outbox=policy,
        )
        self.storage = storage
        storage.record_event("service_started", f"Kakashi started for site {cfg.site.id}")
        writer_queue = self.bus.subscribe(
            "storage", maxsize=cfg.storage.batch_max * STORAGE_QUEUE_BATCHES
        )
        self.pollers = build_pollers(cfg, self.bus.publish, on_audit=self._audit)

        sup = self.supervisor
        for runner in self.pollers.runners:
            sup.add(f"poller:{runner.bus_id}", runner.run, stage=0)
        sup.add(
            "storage-writer",
            lambda: run_writer(
                writer_queue,
                storage,
                batch_max=cfg.storage.batch_max,
                max_wait_s=cfg.storage.batch_wait_s,
            ),
            stage=1,
        )
        sup.add("maintenance", self._maintain_forever, stage=1)
        # Producers of plans and forecasts: stopped with the pollers, before storage closes.
        sup.add(
            "planner-worker",
            lambda: run_planner_worker(storage, wake=self._plan_wake),
            stage=0,
        )
        model_dir = model_dir_of(cfg)
        sup.add("forecaster", lambda: run_forecaster(cfg, model_dir), stage=0)
        if policy is not None:
            # Stage 2: it stops after the writer has flushed into the outbox.
            self.uplink = build_uplink(cfg, storage, self.bus, device_states=self.device_states)
            sup.add("uplink", self.uplink.run, stage=2)
        app = create_app(self)
        sup.add(
            "web",
            lambda: serve_web(app, cfg.web.host, cfg.web.port, on_listening=self._on_web_listening),
            stage=2,
        )
        sup.start()
        try:
            await stop.wait()
        finally:
            log.info("stopping: draining pollers, flushing storage")
            clean = await sup.stop(shutdown_timeout_s)
            for runner in self.pollers.runners:
                with contextlib.suppress(Exception):
                    await runner.close()
            if self._audits:
                await asyncio.wait(self._audits, timeout=shutdown_timeout_s)
            storage.record_event(
                "service_stopped", "Kakashi stopped" + ("" if clean else " (not clean)")
            )
            await asyncio.to_thread(storage.close)
        return clean

    def _audit(self, audit: WriteAudit) -> None:
        """Record a write attempt in the audit log without blocking the bus.

        The task is kept referenced until done; shutdown waits for these too
        (they are short), so no audit of an attempted write is lost.
        """
        storage = self.storage
        if storage is None:
            return
        data = dataclasses.asdict(audit)
        outcome = audit.outcome.value
        message = (
            f"write {audit.device}.{audit.point} = {audit.value!r} by {audit.actor}: {outcome}"
            + (f" ({audit.error})" if audit.error else "")
        )
        task = asyncio.create_task(
            asyncio.to_thread(
                storage.record_event,
                "write",
                message,
                severity="info" if outcome == "written" else "warning",
                source=f"bus:{audit.bus}",
                actor=audit.actor,
                data=data,
                ts=audit.ts,
            )
        )
        self._audits.add(task)
        task.add_done_callback(self._audits.discard)

    async def _maintain_forever(self) -> None:
        assert self.storage is not None
        while True:
            report = await asyncio.to_thread(self.storage.maintain, time.time())
            log.debug("maintenance: %s", report)
            await asyncio.sleep(MAINTENANCE_PERIOD_S)

    # -- ServiceView ---------------------------------------------------------

    def plans_requested(self) -> None:
        self._plan_wake.set()

    async def latest_readings(self) -> list[dict[str, Any]]:
        """The newest stored value of each point, flagged ``stale`` when old.

        Drivers emit nothing for a missed poll (a repeated value would be a
        lie in the history); staleness is judged here, where the last value
        is shown: older than STALE_AFTER_POLLS poll intervals plus a grace.
        """
        if self.storage is None:
            return []
        rows = await asyncio.to_thread(self.storage.latest)
        now = time.time()
        result = []
        for row in rows:
            item = dataclasses.asdict(row)
            device = self.config.devices.get(row.device)
            if device is not None and now - row.ts > _stale_after_s(device.poll_interval_s):
                item["quality"] = Quality.STALE
            result.append(item)
        return result

    async def write_point(
        self, device: str, point: str, value: float | str, *, actor: str, verify: bool
    ) -> dict[str, Any]:
        result = await self.pollers.write(device, point, value, actor=actor, verify=verify)
        return {**dataclasses.asdict(result), "ok": result.ok}

    async def events(self, limit: int) -> list[dict[str, Any]]:
        if self.storage is None:
            return []
        rows = await asyncio.to_thread(self.storage.events, limit)
        return [dataclasses.asdict(row) for row in rows]

    def device_states(self) -> dict[str, dict[str, Any]]:
        devices: dict[str, dict[str, Any]] = {}
        for runner in self.pollers.runners:
            devices.update(runner.device_states())
        return devices

    def task_statuses(self) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self.supervisor.statuses()]

    async def health(self) -> dict[str, Any]:
        devices = self.device_states()
        storage_stats: dict[str, Any] = {}
        if self.storage is not None:
            stats = await asyncio.to_thread(self.storage.stats)
            storage_stats = dataclasses.asdict(stats)
        return {
            "site": self.config.site.id,
            "uptime_s": time.time() - self.started_ts,
            "tasks": self.task_statuses(),
            "bus": {
                "published": self.bus.published,
                "consumers": [dataclasses.asdict(s) for s in self.bus.stats()],
            },
            "devices": devices,
            "storage": storage_stats,
            "uplink": None if self.uplink is None else self.uplink.health(),
        }
