"""What the web layer may ask of the running service.

The page and the API read through this protocol only, so they can be tested
against a real storage file without starting pollers, and the service can
change how it keeps its state without touching the routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from drivers.reading import Reading
    from edge.bus import Bus
    from edge.config import Config
    from edge.storage import Storage


class ServiceView(Protocol):
    site_name: str
    config: Config
    """The site as configured: fields, devices, vehicles, depots (read only)."""
    storage: Storage | None
    """The open database, None before the service has opened it. Its methods
    block: call them through ``asyncio.to_thread``."""
    bus: Bus[Reading]
    """Every reading as it is polled; the page's live stream subscribes here."""

    def plans_requested(self) -> None:
        """A plan request was just stored: wake the planner worker now."""
        ...

    def device_states(self) -> dict[str, dict[str, Any]]:
        """Per device: state (up, down, probing), last success, error counts, latency."""
        ...

    def task_statuses(self) -> list[dict[str, Any]]:
        """The supervised tasks: name, state (starting, running, backoff, stopped),
        restarts, last error. Cheap: no storage access (readiness probes call it)."""
        ...

    async def latest_readings(self) -> list[dict[str, Any]]:
        """One object per device point: device, point, ts, value, unit, quality."""
        ...

    async def write_point(
        self, device: str, point: str, value: float | str, *, actor: str, verify: bool
    ) -> dict[str, Any]:
        """Write one point, ahead of polling; the attempt goes to the audit log.

        Raises LookupError for an unknown device and ValueError (WriteRejected)
        when the profile forbids the write; nothing is sent then."""
        ...

    async def events(self, limit: int) -> list[dict[str, Any]]:
        """The newest events first: audit log of writes, service starts, disk budget."""
        ...

    async def health(self) -> dict[str, Any]:
        """Tasks, bus queues, devices and storage, for operators and monitoring."""
        ...
