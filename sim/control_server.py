"""A small HTTP/1.1 server for the control API: JSON in, JSON out, loopback by default.

Deliberately minimal (the simulator must not need a web framework): one
request line, headers, a body of ``Content-Length`` bytes, keep-alive. A
malformed request gets a 400 naming the problem and never stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 65536
IDLE_TIMEOUT_S = 30.0
_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    500: "Internal Server Error",
}

Handler = Callable[[str, str, bytes], Awaitable[tuple[int, Any]]]


class _BadRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class ControlServer:
    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.address: tuple[str, int] | None = None

    async def start(self) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = (str(host), int(port))
        return self.address

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Closing the connections ends their handlers cleanly; cancelling them
            # would make asyncio log the cancellation as an error.
            for writer in list(self._writers):
                writer.close()
            if self._clients:
                _, late = await asyncio.wait(list(self._clients), timeout=1.0)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        self._writers.add(writer)
        try:
            while True:
                try:
                    async with asyncio.timeout(IDLE_TIMEOUT_S):
                        request = await _read_request(reader)
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    return
                except _BadRequestError as bad:
                    await _respond(writer, bad.status, {"error": str(bad)}, close=True)
                    return
                if request is None:
                    return
                method, path, body, close = request
                try:
                    status, payload = await self._handler(method, path, body)
                except Exception as exc:  # one broken request never stops the server
                    log.exception("control API: %s %s failed", method, path)
                    status, payload = 500, {"error": f"{type(exc).__name__}: {exc}"}
                await _respond(writer, status, payload, close=close)
                if close:
                    return
        except ConnectionError:
            return
        finally:
            if task is not None:
                self._clients.discard(task)
            self._writers.discard(writer)
            with contextlib.suppress(ConnectionError, OSError):
                writer.close()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes, bool] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise _BadRequestError(400, "headers too long") from None
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    if len(head) > MAX_HEADER_BYTES:
        raise _BadRequestError(400, "headers too long")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequestError(400, f"not an HTTP/1.x request line: {lines[0][:80]!r}")
    method, target, version = parts
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _BadRequestError(400, f"malformed header: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise _BadRequestError(400, "Content-Length is not a number") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise _BadRequestError(413, f"body of {length} bytes; at most {MAX_BODY_BYTES}")
    body = await reader.readexactly(length) if length else b""
    close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
    return method.upper(), target.split("?", 1)[0], body, close


async def _respond(writer: asyncio.StreamWriter, status: int, payload: Any, *, close: bool) -> None:
    body = json.dumps(payload, indent=1).encode() + b"\n"
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
