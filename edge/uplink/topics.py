"""Where everything Kakashi publishes lives: one site's topic tree.

Every topic sits under ``<base_topic>/<site>``. Configured ids (sites, devices,
fields, vehicles) are already safe topic levels; names that come from outside
(an event kind, a vehicle in a plan request) are made safe by :func:`level`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNSAFE = re.compile(r"[/+#\x00]")

COMMANDS = ("order", "plan_request")
"""Commands accepted on ``<base>/commands/<command>``."""


def level(text: str) -> str:
    """``text`` as one topic level: wildcards and separators become ``_``."""
    return _UNSAFE.sub("_", text) or "_"


@dataclass(frozen=True, slots=True)
class Topics:
    base: str
    """``<base_topic>/<site id>``."""
    root: str
    """``<base_topic>``: vehicles are addressed fleet-wide, not per site."""

    @classmethod
    def for_site(cls, base_topic: str, site_id: str) -> Topics:
        return cls(f"{base_topic}/{level(site_id)}", base_topic)

    @property
    def status(self) -> str:
        """``online``/``offline``, retained; ``offline`` is also the last will."""
        return f"{self.base}/status"

    @property
    def gateway(self) -> str:
        return f"{self.base}/gateway"

    def readings(self, device: str) -> str:
        return f"{self.base}/devices/{level(device)}/readings"

    def rollups(self, device: str) -> str:
        return f"{self.base}/devices/{level(device)}/rollups"

    def latest(self, device: str) -> str:
        return f"{self.base}/devices/{level(device)}/latest"

    def device_state(self, device: str) -> str:
        return f"{self.base}/devices/{level(device)}/state"

    def event(self, kind: str, severity: str) -> str:
        branch = "alerts" if severity in ("warning", "error", "critical") else "events"
        return f"{self.base}/{branch}/{level(kind)}"

    def forecast(self, field: str) -> str:
        return f"{self.base}/fields/{level(field)}/forecast"

    def mission(self, vehicle: str) -> str:
        """``<base_topic>/vehicles/<id>/mission``, where the vehicles listen."""
        return f"{self.root}/vehicles/{level(vehicle)}/mission"

    @property
    def commands(self) -> str:
        """The subscription filter for every command."""
        return f"{self.base}/commands/+"

    def command_of(self, topic: str) -> str | None:
        prefix = f"{self.base}/commands/"
        if not topic.startswith(prefix) or "/" in topic[len(prefix) :]:
            return None
        return topic[len(prefix) :]

    def response(self, command: str) -> str:
        return f"{self.base}/responses/{level(command)}"

    def device_of_readings(self, topic: str) -> str | None:
        prefix, suffix = f"{self.base}/devices/", "/readings"
        if not (topic.startswith(prefix) and topic.endswith(suffix)):
            return None
        device = topic[len(prefix) : -len(suffix)]
        return device if device and "/" not in device else None
