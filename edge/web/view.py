"""What the web layer may ask of the running service.

The page and the API read through this protocol only, so they can be tested
against a real storage file without starting pollers, and the service can
change how it keeps its state without touching the routes.
"""

from __future__ import annotations

from typing import Any, Protocol


class ServiceView(Protocol):
    site_name: str

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
