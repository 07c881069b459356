"""Per-device health: up, down or probing, with counters for the health page.

A device is declared down after a few consecutive failed polls and is then
only probed on a jittered exponential backoff, so a dead probe costs the bus
one timeout now and then instead of one every poll cycle.

Health follows polls only. Writes are counted apart (``writes``,
``write_errors``): an operator's write to a dead device fails without making
the device's state any worse than its polls already show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drivers.modbus.backoff import Backoff

DOWN_AFTER = 3
EWMA_ALPHA = 0.2
"""Weight of the newest latency sample; ~5 samples dominate the average."""


class Health(StrEnum):
    UP = "up"
    DOWN = "down"
    PROBING = "probing"
    """Not confirmed up: never answered yet, or a down device being retried."""


class ErrorKind(StrEnum):
    TIMEOUT = "timeout"
    EXCEPTION = "exception"
    FRAME = "frame"
    TRANSPORT = "transport"


@dataclass
class DeviceState:
    device: str
    down_after: int = DOWN_AFTER
    backoff: Backoff = field(default_factory=lambda: Backoff(1.0, 300.0), repr=False)
    state: Health = Health.PROBING
    requests: int = 0
    polls: int = 0
    consecutive_failures: int = 0
    errors: dict[ErrorKind, int] = field(default_factory=lambda: dict.fromkeys(ErrorKind, 0))
    last_success_ts: float | None = None
    last_error: str = ""
    last_error_ts: float | None = None
    latency_last_s: float | None = None
    """Round trip of the last answered read request."""
    latency_ewma_s: float | None = None
    writes: int = 0
    """Write requests sent (writes rejected before sending are not counted)."""
    write_errors: int = 0
    """Writes not acknowledged, or whose read-back failed or differed."""
    last_write_error: str = ""
    last_write_ts: float | None = None

    def record_request(self) -> None:
        self.requests += 1

    def record_error(self, kind: ErrorKind, text: str, ts: float) -> None:
        """A failed request; whether the poll failed is decided by :meth:`end_poll`."""
        self.errors[kind] += 1
        self.last_error = text
        self.last_error_ts = ts

    def record_latency(self, latency_s: float) -> None:
        self.latency_last_s = latency_s
        if self.latency_ewma_s is None:
            self.latency_ewma_s = latency_s
        else:
            self.latency_ewma_s += EWMA_ALPHA * (latency_s - self.latency_ewma_s)

    def record_write(self, ok: bool, ts: float, error: str = "") -> None:
        """One write sent to the device; ``ok`` if it took effect as asked."""
        self.writes += 1
        self.last_write_ts = ts
        if not ok:
            self.write_errors += 1
            self.last_write_error = error

    def end_poll(self, ok: bool, ts: float) -> None:
        """Close one poll: ``ok`` if the device answered with data at least once."""
        self.polls += 1
        if ok:
            self.consecutive_failures = 0
            self.backoff.reset()
            self.last_success_ts = ts
            self.state = Health.UP
            return
        # Below down_after the state is left as it was: one lost reply on a
        # noisy line is not an outage.
        self.consecutive_failures += 1
        if self.consecutive_failures >= self.down_after:
            self.state = Health.DOWN

    def start_probe(self) -> None:
        if self.state is Health.DOWN:
            self.state = Health.PROBING

    def retry_delay_s(self) -> float:
        """Delay before probing a down device again, growing with each call until a success."""
        return self.backoff.next_delay()

    @property
    def is_down(self) -> bool:
        return self.consecutive_failures >= self.down_after

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "state": self.state.value,
            "requests": self.requests,
            "polls": self.polls,
            "consecutive_failures": self.consecutive_failures,
            "errors": {kind.value: n for kind, n in self.errors.items()},
            "last_success_ts": self.last_success_ts,
            "last_error": self.last_error,
            "last_error_ts": self.last_error_ts,
            "latency_last_s": self.latency_last_s,
            "latency_ewma_s": self.latency_ewma_s,
            "writes": self.writes,
            "write_errors": self.write_errors,
            "last_write_error": self.last_write_error,
            "last_write_ts": self.last_write_ts,
        }
