"""JSON as it goes on the wire: compact UTF-8, never NaN, and the envelope.

Every durable message carries ``id`` (its outbox id: unique, increasing, never
reused) and ``historical``. They are decided when the message is sent, not when
it is stored, so the stored body is spliced into the envelope instead of being
parsed and dumped again: on a Pi draining a backlog, that is most of the CPU.
"""

from __future__ import annotations

import json
import math
from typing import Any

from drivers.reading import Value


def dumps(obj: Any) -> bytes:
    """Compact JSON; a NaN or infinity anywhere is an error, never ``NaN`` on the wire."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def json_value(value: Value | int) -> float | int | str | None:
    """A reading's value for JSON: non-finite numbers have no JSON form and become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def seconds(ms: int) -> float:
    return ms / 1000


def envelope(body: bytes, message_id: int, historical: bool) -> bytes:
    """``{"id":..,"historical":..,<body's members>}`` for a body that is a JSON object."""
    if not body.startswith(b"{"):
        raise ValueError(f"outbox message {message_id}: body is not a JSON object")
    head = b'{"id":%d,"historical":%s' % (message_id, b"true" if historical else b"false")
    rest = body[1:].lstrip()
    return head + (rest if rest.startswith(b"}") else b"," + rest)
