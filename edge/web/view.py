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

    async def health(self) -> dict[str, Any]:
        """Tasks, bus queues, devices and storage, for operators and monitoring."""
        ...
