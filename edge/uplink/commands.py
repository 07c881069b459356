"""Commands from the broker: checked like any other input, answered on a response topic.

A command arrives on ``<site>/commands/<command>`` as a JSON object with an
optional ``request_id``; the reply goes to the MQTT 5 response topic when the
request names one (with its correlation data), otherwise to
``<site>/responses/<command>``::

    {"request_id": "r-17", "command": "order", "ok": false,
     "errors": ["order.kg: expected a number, got 'heavy'"], "result": null}

Nothing a sender writes can stop the uplink: every failure, even one of
Kakashi's own, becomes an error reply and a log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from edge.logistics.errors import Rejected
from edge.logistics.orders import check_order, store_order
from edge.logistics.plans import (
    check_budget,
    check_plan_request,
    plan_id_of,
    store_plan_request,
)
from edge.storage.store import Storage
from edge.uplink.payloads import dumps
from edge.uplink.topics import COMMANDS, Topics

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 256 * 1024
"""A plan request for a village fits in a few kilobytes; anything far larger is
refused before it is parsed."""
MAX_REQUEST_ID = 128
TOP_KEYS = {
    "order": {"request_id", "order"},
    "plan_request": {"request_id", "plan_id", "problem", "budget_s", "dispatch"},
}
DISPATCH_MODES = ("auto", "confirm")


@dataclass(frozen=True, slots=True)
class Reply:
    topic: str
    payload: bytes
    correlation_data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    topic: str
    payload: bytes
    response_topic: str | None = None
    correlation_data: bytes | None = None


class Commands:
    def __init__(
        self,
        storage: Storage,
        topics: Topics,
        sites: Sequence[dict[str, Any]],
        vehicles: set[str],
    ) -> None:
        self._storage = storage
        self._topics = topics
        self._sites = list(sites)
        self._vehicles = vehicles
        self.accepted = 0
        self.rejected = 0

    async def handle(self, message: Incoming) -> Reply:
        command = self._topics.command_of(message.topic) or message.topic
        request_id: str | None = None
        try:
            body = _parse(message.payload)
            request_id = _request_id(body)
            result = await self._run(command, body)
        except Rejected as e:
            self.rejected += 1
            log.warning("command %s on %s refused: %s", command, message.topic, "; ".join(e.errors))
            return self._reply(message, command, request_id, e.errors, None)
        except Exception as e:
            self.rejected += 1
            log.exception("command %s on %s failed", command, message.topic)
            errors = [f"internal error: {type(e).__name__}: {e}"]
            return self._reply(message, command, request_id, errors, None)
        self.accepted += 1
        log.info("command %s on %s accepted: %s", command, message.topic, result)
        return self._reply(message, command, request_id, [], result)

    async def _run(self, command: str, body: dict[str, Any]) -> dict[str, Any]:
        if command not in COMMANDS:
            raise Rejected([f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}"])
        unknown = sorted(set(body) - TOP_KEYS[command])
        if unknown:
            expected = ", ".join(sorted(TOP_KEYS[command]))
            raise Rejected([f"{key}: unknown key; expected one of {expected}" for key in unknown])
        if command == "order":
            if "order" not in body:
                raise Rejected(["missing key 'order'"])
            order = body["order"]
            check_order(order, self._sites, self._vehicles)
            stored = await asyncio.to_thread(store_order, self._storage, order)
            return {"order": stored.id, "status": stored.status, "duplicate": stored.duplicate}
        if "problem" not in body:
            raise Rejected(["missing key 'problem'"])
        plan_id = plan_id_of(body.get("plan_id"))
        problem = body["problem"]
        budget_s = None if body.get("budget_s") is None else check_budget(body["budget_s"])
        # "auto" (the default) sends the missions once solved; "confirm" leaves the
        # plan proposed for a coordinator to dispatch from the page.
        dispatch = body.get("dispatch", "auto")
        if dispatch not in DISPATCH_MODES:
            raise Rejected([f"dispatch: expected 'auto' or 'confirm', found {dispatch!r}"[:300]])
        # The planner's checks build travel matrices: not in the event loop.
        await asyncio.to_thread(check_plan_request, problem)
        stored = await asyncio.to_thread(
            store_plan_request,
            self._storage,
            plan_id,
            problem,
            dispatch="confirm" if dispatch == "confirm" else "auto",
            budget_s=budget_s,
            actor="mqtt",
        )
        return {"plan": stored.id, "status": stored.status, "duplicate": stored.duplicate}

    def _reply(
        self,
        message: Incoming,
        command: str,
        request_id: str | None,
        errors: list[str],
        result: dict[str, Any] | None,
    ) -> Reply:
        body = {
            "request_id": request_id,
            "command": command,
            "ok": not errors,
            "errors": errors,
            "result": result,
        }
        topic = message.response_topic or self._topics.response(command)
        return Reply(topic, dumps(body), message.correlation_data)


def _parse(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Rejected([f"payload is {len(payload)} bytes; at most {MAX_PAYLOAD_BYTES} accepted"])
    try:
        text = payload.decode()
    except UnicodeDecodeError as e:
        raise Rejected([f"payload is not UTF-8 text (byte {e.start})"]) from None
    try:
        body = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise Rejected(
            [f"payload is not JSON: {e.msg} at line {e.lineno} column {e.colno}"]
        ) from None
    except RecursionError:
        raise Rejected(["payload is not JSON this gateway can read: nested too deeply"]) from None
    if not isinstance(body, dict):
        raise Rejected([f"payload must be a JSON object, found {type(body).__name__}"])
    return body


def _no_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, which are not JSON and not numbers
    # any stop, window or load can have.
    raise Rejected([f"payload is not JSON: {name} is not a JSON value"])


def _request_id(body: dict[str, Any]) -> str | None:
    value = body.get("request_id")
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_REQUEST_ID:
        raise Rejected(
            [
                f"request_id: expected a string of 1 to {MAX_REQUEST_ID} characters, "
                f"found {value!r}"[:300]
            ]
        )
    return value
